/**
 * Finds the Temporal CLI (which embeds the dev server), or builds it once with the Go toolchain.
 *
 * Lookup order: `TEMPORAL_CLI_PATH`, a `temporal` on PATH, the cached build under
 * `$MCPFLOW_CACHE_DIR/bin` (default `~/.cache/mcpflow/bin`). The Temporal SDK's own
 * downloader needs the internet at run time; building from the Go module proxy once does not.
 */
import { spawn, execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** The CLI's go.mod requires this Go version; older toolchains fail late with a confusing error. */
export const MIN_GO_VERSION: readonly [number, number] = [1, 25];

const EXECUTABLE_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const PROGRESS_INTERVAL_MS = 15_000;
const LOCK_POLL_INTERVAL_MS = 2_000;
/** A `go install` of the CLI takes minutes on a cold cache; a lock older than this is abandoned. */
const STALE_LOCK_MS = 60 * 60 * 1000;

export interface EnsureTemporalCliOptions {
  /** Receives progress lines while the CLI is being built. Default: stderr. */
  log?: (line: string) => void;
}

/** `$MCPFLOW_CACHE_DIR`, else `~/.cache/mcpflow`. */
export function mcpflowCacheDir(): string {
  const configured = process.env.MCPFLOW_CACHE_DIR;
  return configured ? path.resolve(configured) : path.join(homedir(), '.cache', 'mcpflow');
}

/** Where a CLI built by {@link ensureTemporalCli} lives. */
export function cachedTemporalCliPath(): string {
  return path.join(mcpflowCacheDir(), 'bin', EXECUTABLE_NAME);
}

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(executable: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, executable);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns the Temporal CLI to use without building anything, or undefined when there is none.
 * Throws when `TEMPORAL_CLI_PATH` is set but wrong: silently using another binary would hide the mistake.
 */
export function findTemporalCli(): string | undefined {
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured) {
    const resolved = path.resolve(configured);
    if (!isExecutableFile(resolved)) {
      throw new Error(`TEMPORAL_CLI_PATH=${configured} is not an executable file: point it at a Temporal CLI binary or unset it.`);
    }
    return resolved;
  }
  const onPath = findOnPath(EXECUTABLE_NAME);
  if (onPath) return onPath;
  const cached = cachedTemporalCliPath();
  return isExecutableFile(cached) ? cached : undefined;
}

/** Finds the Temporal CLI, building it with Go into the cache directory the first time. */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;
  const log = opts.log ?? ((line: string) => console.error(line));
  await buildTemporalCli(log);
  return cachedTemporalCliPath();
}

function howToProvideCli(): string {
  return [
    'Provide the Temporal CLI in one of three ways:',
    '  1. set TEMPORAL_CLI_PATH to an existing `temporal` binary,',
    '  2. put `temporal` on PATH (https://docs.temporal.io/cli#install),',
    `  3. install Go >= ${MIN_GO_VERSION.join('.')} (https://go.dev/dl/) and run \`npm run provision\`, which builds it into ${cachedTemporalCliPath()}.`,
  ].join('\n');
}

function goVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('go', ['env', 'GOVERSION'], (error, stdout) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new Error(
            missing
              ? `The Temporal CLI was not found and Go is not installed to build it.\n${howToProvideCli()}`
              : `\`go env GOVERSION\` failed: ${error.message}\n${howToProvideCli()}`,
          ),
        );
        return;
      }
      resolve(stdout.trim());
    });
  });
}

/** Parses `go1.25.3` / `go1.26rc1` into [major, minor]; undefined for development builds. */
export function parseGoVersion(version: string): [number, number] | undefined {
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2])];
}

async function assertGoIsRecentEnough(): Promise<void> {
  const version = await goVersion();
  const parsed = parseGoVersion(version);
  // Unparseable versions are development toolchains: let `go install` decide.
  if (!parsed) return;
  const [major, minor] = parsed;
  const [minMajor, minMinor] = MIN_GO_VERSION;
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new Error(
      `Go ${version} is too old to build the Temporal CLI ${TEMPORAL_CLI_VERSION} (needs go${MIN_GO_VERSION.join('.')} or newer).\n${howToProvideCli()}`,
    );
  }
}

function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock was taken; false when another live process holds it. */
function tryTakeLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (isLockStale(lockPath)) {
    rmSync(lockPath, { force: true });
    return tryTakeLock(lockPath);
  }
  return false;
}

function isLockStale(lockPath: string): boolean {
  try {
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    const age = Date.now() - statSync(lockPath).mtimeMs;
    return !Number.isInteger(holder) || holder <= 0 || !isProcessAlive(holder) || age > STALE_LOCK_MS;
  } catch {
    // The holder removed it between our checks: retrying is safe.
    return true;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Builds the CLI into a private staging GOBIN, then renames it into place, so that
 * "the cached binary exists" always means "the build finished". A lock file keeps two
 * processes (two test runs, CI steps) from building at the same time.
 */
async function buildTemporalCli(log: (line: string) => void): Promise<void> {
  await assertGoIsRecentEnough();
  const binDir = path.dirname(cachedTemporalCliPath());
  mkdirSync(binDir, { recursive: true });
  const lockPath = path.join(binDir, '.build.lock');
  const started = Date.now();
  let lastNotice = 0;
  while (!tryTakeLock(lockPath)) {
    if (isExecutableFile(cachedTemporalCliPath())) return;
    if (Date.now() - lastNotice >= PROGRESS_INTERVAL_MS) {
      log(`Another process is building the Temporal CLI into ${binDir}; waiting (${formatElapsed(Date.now() - started)})...`);
      lastNotice = Date.now();
    }
    await sleep(LOCK_POLL_INTERVAL_MS);
  }
  try {
    // The other builder may have finished between our check and taking the lock.
    if (isExecutableFile(cachedTemporalCliPath())) return;
    const stagingDir = path.join(binDir, `.staging-${process.pid}`);
    rmSync(stagingDir, { recursive: true, force: true });
    try {
      await runGoInstall(stagingDir, log);
      renameSync(path.join(stagingDir, EXECUTABLE_NAME), cachedTemporalCliPath());
    } finally {
      rmSync(stagingDir, { recursive: true, force: true });
    }
    log(`Temporal CLI built in ${formatElapsed(Date.now() - started)}: ${cachedTemporalCliPath()}`);
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function runGoInstall(gobin: string, log: (line: string) => void): Promise<void> {
  const target = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  log(`Building the Temporal CLI (${target}) with Go; this takes a few minutes, once.`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', target], {
      // CGO off: the CLI's SQLite is pure Go, and no C compiler is then needed.
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      log(`[go] ${line}`);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    const ticker = setInterval(() => {
      log(`[go] still building the Temporal CLI (${formatElapsed(Date.now() - started)} elapsed)...`);
    }, PROGRESS_INTERVAL_MS);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`Could not run \`go install ${target}\`: ${error.message}\n${howToProvideCli()}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) {
        resolve();
        return;
      }
      reject(
        new Error(
          `\`go install ${target}\` failed (${signal ? `signal ${signal}` : `exit code ${String(code)}`}). Last output:\n${tail.join('\n')}\n${howToProvideCli()}`,
        ),
      );
    });
  });
}
