/** Starts a TypeScript entry point of the bench as a child process and waits for its "ready" line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface BenchChild {
  child: ChildProcess;
  pid: number;
  /** The line that said it was ready. */
  readyLine: string;
  /** performance.now() when it was spawned and when it said it was ready. */
  spawnedAt: number;
  readyAt: number;
  /** SIGKILL: no shutdown, as when a machine dies. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines it printed (for error messages). */
  output(): string;
}

export interface SpawnOptions {
  /** Path of the .ts entry, relative to the repo root. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** A line starting with this means ready. */
  readyPrefix: string;
  /** Node flags before `--import tsx` (e.g. --cpu-prof). */
  nodeFlags?: string[];
  readyTimeoutMs?: number;
}

const TAIL_LINES = 40;

export async function spawnBenchChild(options: SpawnOptions): Promise<BenchChild> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', path.join(REPO_ROOT, options.entry)], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A crashed bench must not leave children behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  let buffered = '';
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.entry} did not start within ${options.readyTimeoutMs ?? 60_000} ms:\n${tail.join('\n')}`));
    }, options.readyTimeoutMs ?? 60_000);
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        remember(line);
        if (!ready && line.startsWith(options.readyPrefix)) {
          ready = true;
          clearTimeout(timer);
          resolve(line);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(remember));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${options.entry} exited (${signal ?? String(code)}) before it was ready:\n${tail.join('\n')}`));
    });
  });
  const readyAt = performance.now();
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid!,
    readyLine,
    spawnedAt,
    readyAt,
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    stop: async (graceMs = 15_000) => {
      if (!alive()) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
      if (await Promise.race([exited.then(() => false), late])) {
        child.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    },
    output: () => tail.join('\n'),
  };
}
