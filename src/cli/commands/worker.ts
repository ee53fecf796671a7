/** `mcpflow worker`: runs the workflows and activities against TEMPORAL_ADDRESS until Ctrl-C. */
import type { Command } from 'commander';
import { describeConnection } from '../../config/connection';
import { commandContext } from '../context';
import { toStdout } from '../output';
import { waitForStopSignal } from '../signals';
import { connectNative, startWorker } from '../worker-runtime';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run an mcpflow worker (workflows + activities). The model endpoint comes from OPENAI_BASE_URL / OPENAI_API_KEY')
    .action(async (_flags: object, command: Command) => {
      const context = commandContext(command);
      const connection = await connectNative(context.connection);
      // A production worker reaches no private or loopback address unless the config says so (dev/demo allow loopback).
      const allowPrivateNetworks = context.loaded.config.defaults.allow_private_networks ?? false;
      const running = await startWorker({ connection, namespace: context.connection.namespace, taskQueue: context.taskQueue, allowPrivateNetworks });
      toStdout(`mcpflow worker polling task queue "${context.taskQueue}" on ${describeConnection(context.connection)}`);
      toStdout(`Model API: ${describeModelApi()}`);
      toStdout('Press Ctrl-C to stop.');
      const outcome = await Promise.race([waitForStopSignal().then((signal) => ({ signal })), running.finished.then(() => ({ signal: undefined }))]);
      toStdout(outcome.signal ? `Stopping the worker (${outcome.signal})...` : 'The worker stopped.');
      await running.stop();
    });
}

/** Where activities send Responses calls; the key itself is never printed. */
export function describeModelApi(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.OPENAI_BASE_URL;
  const key = env.OPENAI_API_KEY ? 'OPENAI_API_KEY set' : 'no OPENAI_API_KEY';
  if (base) return `${base} (${key})`;
  if (env.OPENAI_API_KEY) return `https://api.openai.com/v1 (${key})`;
  return 'not configured: set OPENAI_API_KEY, or OPENAI_BASE_URL to the emulator (mcpflow emulator)';
}
