/** `mcpflow mcp-server` in its own process (from the sources, through tsx), so a test can SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/temporal';

export interface McpServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMcpServerProcess(options: {
  address: string;
  taskQueue: string;
  configPath: string;
  port?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
}): Promise<McpServerProcess> {
  const args = [
    '--import',
    'tsx',
    path.join(REPO_ROOT, 'src', 'cli', 'main.ts'),
    '--config',
    options.configPath,
    'mcp-server',
    '--port',
    String(options.port ?? 0),
  ];
  const child = spawn(process.execPath, [...args, '--poll-interval', '200', ...(options.extraArgs ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: options.address, MCPFLOW_TASK_QUEUE: options.taskQueue, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mcp-server did not start within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mcp-server exited with ${code} before it listened:\n${output}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
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
