/**
 * `mcpflow worker` as users run it: the real CLI in its own process (through tsx, so no build
 * is needed), with its stdout and stderr kept for assertions. Used by test/worker-runtime and
 * by the PostgreSQL topology suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface CliWorker {
  child: ChildProcess;
  name: string;
  /** Everything it printed so far (stdout and stderr interleaved). */
  output(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface CliWorkerOptions {
  name: string;
  address: string;
  namespace?: string;
  taskQueue: string;
  openaiBaseURL: string;
  /** Extra flags after `worker`. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startCliWorker(options: CliWorkerOptions): Promise<CliWorker> {
  const { OPENAI_API_KEY: _developerKey, ...baseEnv } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: options.namespace ?? 'default',
    MCPFLOW_TASK_QUEUE: options.taskQueue,
    OPENAI_BASE_URL: options.openaiBaseURL,
    // The MCP servers of the tests listen on loopback, which `mcpflow worker` refuses by default.
    MCPFLOW_ALLOW_PRIVATE_NETWORKS: 'loopback',
    ...(process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE ? { MCPFLOW_WORKFLOW_BUNDLE: process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'worker', ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${options.name} did not start within 90 s:\n${output}`)), 90_000);
    const onData = () => {
      if (output.includes('mcpflow worker polling')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker ${options.name} exited (${code ?? signal}) before it polled:\n${output}`));
    });
  });
  return {
    child,
    name: options.name,
    output: () => output,
    stderr: () => stderr,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
