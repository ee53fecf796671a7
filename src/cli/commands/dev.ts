/**
 * `mcpflow dev`: the whole local setup in one process, on loopback: Temporal dev server (state
 * in .mcpflow/temporal.db), the emulator (unless OPENAI_API_KEY is set), the demo MCP servers
 * and a worker. Prints where everything is and what to try; Ctrl-C stops it all.
 */
import { Option, type Command } from 'commander';
import { provisionNexusEndpoint, SERVER_DEFAULTS, uiCodecEndpointOption } from './server';
import { describeCodecEndpoint } from '../local-ui-codec';
import { commandContext } from '../context';
import { webUiBaseUrl } from '../../config/connection';
import { startLocalStack, StartAbortedError, type LocalStack } from '../local-stack';
import { parsePortFlag } from '../options';
import { toStdout } from '../output';
import { listenForStopSignals } from '../signals';
import { describeModelApi } from './worker';

interface DevFlags {
  port: number;
  uiPort?: number;
  uiCodecEndpoint?: string;
  db: string;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('Run Temporal, the worker, the Responses API emulator and the demo MCP servers on 127.0.0.1 until Ctrl-C')
    .addOption(new Option('--port <port>', 'Temporal gRPC port').argParser(parsePortFlag).default(SERVER_DEFAULTS.port))
    .addOption(new Option('--ui-port <port>', 'Temporal Web UI port (default: --port + 1000, i.e. 8233)').argParser(parsePortFlag))
    .addOption(uiCodecEndpointOption())
    .option('--db <file>', 'SQLite file for the Temporal state', SERVER_DEFAULTS.db)
    .action(async (flags: DevFlags, command: Command) => {
      // Task queue and namespace as every command resolves them (flag, environment, config file).
      const context = commandContext(command);
      const useEmulator = !process.env.OPENAI_API_KEY;
      // From now on: a signal during start-up stops what already runs instead of orphaning it.
      const stop = listenForStopSignals();
      try {
        let stack: LocalStack;
        try {
          stack = await startLocalStack({
            temporalPort: flags.port,
            ...(flags.uiPort !== undefined ? { uiPort: flags.uiPort } : {}),
            ...(flags.uiCodecEndpoint ? { uiCodecEndpoint: flags.uiCodecEndpoint } : {}),
            db: flags.db,
            namespace: context.connection.namespace,
            emulator: useEmulator,
            // Emulator and demo server ports: MCPFLOW_EMULATOR_PORT / MCPFLOW_<KIND>_PORT, else the defaults.
            demoServers: true,
            taskQueue: context.taskQueue,
            log: toStdout,
            signal: stop.signal,
            // One person's worker: the config's servers, and those a command defines (--server 'x=stdio:…') run too.
            serverRegistry: { servers: context.loaded.config.servers, allowInline: true },
            ...(context.loaded.config.notifications ? { notifications: context.loaded.config.notifications } : {}),
          });
        } catch (error) {
          if (!(error instanceof StartAbortedError)) throw error;
          toStdout(`Stopped during start-up (${String(stop.signal.reason)}).`);
          return;
        }
        const lines = describeStack(stack, context.taskQueue);
        lines.splice(lines.indexOf('Try, in another terminal:') - 1, 0, `  ${await provisionNexusEndpoint(stack.temporal, context.taskQueue)}`);
        for (const line of lines) toStdout(line);
        const signal = await Promise.race([stop.received, stack.worker.finished.then(() => undefined)]);
        toStdout(signal ? `\nStopping (${signal})...` : '\nThe worker stopped; stopping the rest...');
        await stack.stop();
        toStdout('Stopped.');
      } finally {
        stop.dispose();
      }
    });
}

export function describeStack(stack: LocalStack, taskQueue: string): string[] {
  const weather = stack.demo?.servers.weather.url;
  const calendar = stack.demo?.servers.calendar.url;
  const envPrefix = [
    stack.temporal.address === '127.0.0.1:7233' ? '' : `TEMPORAL_ADDRESS=${stack.temporal.address} `,
    // Links assume the Web UI at port + 1000; say where it is when --ui-port moved it.
    stack.temporal.uiUrl && stack.temporal.uiUrl !== webUiBaseUrl({ address: stack.temporal.address }, {}) ? `MCPFLOW_UI_URL=${stack.temporal.uiUrl} ` : '',
  ].join('');
  return [
    '',
    'mcpflow dev is running (all on 127.0.0.1):',
    `  Temporal      ${stack.temporal.address}  namespace ${stack.temporal.namespace}  (state: ${stack.temporal.dbFilename ?? 'memory'})`,
    ...(stack.temporal.uiUrl ? [`  Web UI        ${stack.temporal.uiUrl}`] : []),
    ...(stack.temporal.uiUrl && stack.temporal.uiCodecEndpoint ? [`  UI codec      ${describeCodecEndpoint(stack.temporal.uiCodecEndpoint)}`] : []),
    `  worker        task queue "${taskQueue}"`,
    `  model API     ${stack.emulator ? `${stack.emulator.url} (offline emulator)` : describeModelApi()}`,
    ...(stack.demo ? Object.values(stack.demo.servers).map((server) => `  MCP ${server.label.padEnd(9)} ${server.url}`) : []),
    '',
    'Try, in another terminal:',
    `  ${envPrefix}mcpflow query "What's the weather in London and do I have any meetings today?" \\`,
    `      --server weather=${weather ?? 'URL'},approval=never --server calendar=${calendar ?? 'URL'}`,
    `  ${envPrefix}mcpflow discover --server weather=${weather ?? 'URL'}`,
    `  ${envPrefix}mcpflow query "Weather in Paris?" --session my-session --server weather=${weather ?? 'URL'},approval=never`,
    '',
    'Press Ctrl-C to stop everything.',
  ];
}
