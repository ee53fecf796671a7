/**
 * Runs the real `mcpflow` command as a child process: the built bin (bin/mcpflow.cjs, rebuilt
 * when dist/ is older than the sources) or the TypeScript sources through tsx.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/temporal';

export const BIN = path.join(REPO_ROOT, 'bin', 'mcpflow.cjs');
const BUILT_MAIN = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const SOURCE_MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');
export const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const SOURCE_DIRS = ['src', 'workflows', 'activities'].map((dir) => path.join(REPO_ROOT, dir));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is missing or older than a source file. tsc emits even when a file
 * someone else is editing has a type error; only a missing output is fatal here.
 */
export function ensureBuilt(): void {
  const builtAt = existsSync(BUILT_MAIN) ? statSync(BUILT_MAIN).mtimeMs : 0;
  const sourcesAt = Math.max(...SOURCE_DIRS.map(newestMtime));
  if (builtAt >= sourcesAt) return;
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  if (!existsSync(BUILT_MAIN)) throw new Error(`npm run build produced no ${BUILT_MAIN}:\n${build.stdout}\n${build.stderr}`);
}

/** An empty directory to run in, so that no mcpflow.config.json of the repo is picked up. */
export function scratchDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'mcpflow-cli-'));
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** 'built' runs bin/mcpflow.cjs; 'source' runs src/cli/main.ts with tsx. */
  via?: 'built' | 'source';
  timeoutMs?: number;
  stdin?: string;
}

/** Environment of a child: ours minus anything that could point it elsewhere. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('TEMPORAL_') || key.startsWith('OPENAI_') || key.startsWith('MCPFLOW_')) delete env[key];
  env.TEMPORAL_CONFIG_FILE = '/nonexistent/mcpflow-test-temporal.toml';
  env.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startCli(args: string[], options: CliOptions = {}): ChildProcessWithoutNullStreams {
  // tsx by absolute path: the child runs in a scratch directory with no node_modules.
  const command = options.via === 'source' ? ['--import', pathToFileURL(TSX_LOADER).href, SOURCE_MAIN] : [BIN];
  return spawn(process.execPath, [...command, ...args], { cwd: options.cwd ?? scratchDir(), env: childEnv(options.env) });
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const child = startCli(args, options);
  return collect(child, options.timeoutMs ?? 60_000, options.stdin);
}

export function collect(child: ChildProcessWithoutNullStreams, timeoutMs: number, stdin?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (stdin !== undefined) child.stdin.end(stdin);
  else child.stdin.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcpflow ${child.spawnargs.slice(2).join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can come before the last 'data': let the streams drain.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Resolves with the output so far once `pattern` appears on stdout. */
export function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.stdout.off('data', onData);
      reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
  });
}
