/** Starts test/helpers/worker-main.ts as a child process and waits until it polls. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './temporal';

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no shutdown, no goodbye, as when a machine dies. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: {
  address: string;
  taskQueue: string;
  openaiBaseURL: string;
  allowInlineServers?: boolean;
  /** The config's `notifications` (src/config/notifications.ts); `env` adds variables such as MCPFLOW_WEBHOOK_SECRET. */
  notifications?: unknown;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'helpers', 'worker-main.ts')], {
    cwd: REPO_ROOT,
    env: withoutApiKey({
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      MCPFLOW_TASK_QUEUE: env.taskQueue,
      OPENAI_BASE_URL: env.openaiBaseURL,
      MCPFLOW_TEST_ALLOW_INLINE_SERVERS: env.allowInlineServers ? '1' : '',
      MCPFLOW_TEST_NOTIFICATIONS: env.notifications ? JSON.stringify(env.notifications) : '',
      ...env.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The emulator needs no key; a developer's real key must not leak into tests. */
function withoutApiKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { OPENAI_API_KEY: _key, ...rest } = env;
  return rest;
}
