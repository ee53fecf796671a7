/**
 * Starts `temporal server start-dev` as a child process and waits until it really serves:
 * the namespace answers and mcpflow's search attributes are registered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Connection } from '@temporalio/client';
import { DEV_SERVER_SEARCH_ATTRIBUTE_TYPES } from '../core/search-attributes';
import { DEFAULT_DEV_SERVER_IP, DEFAULT_DEV_SERVER_PORT, DEFAULT_NAMESPACE, devServerArgs } from './args';
import { ensureTemporalCli } from './cli-path';
import { registerMissingSearchAttributes, toIndexedValueTypes } from './search-attributes';
import { assertPortFree, findFreePort, findFreePortsBesides, isPortFree, PortInUseError } from './ports';
import { McpflowError } from '../core/mcpflow-error';

export {
  DEFAULT_DEV_SERVER_IP,
  DEFAULT_DEV_SERVER_PORT,
  DEFAULT_NAMESPACE,
  devServerArgs,
  findFreePort,
  isPortFree,
  PortInUseError,
  registerMissingSearchAttributes,
};

export interface DevServerOptions {
  /** Path of the Temporal CLI. Default: {@link ensureTemporalCli} (may build it once). */
  cliPath?: string;
  /** Interface to bind. Default 127.0.0.1: the dev server has no authentication. */
  ip?: string;
  /** Frontend gRPC port. Default 7233. */
  port?: number;
  /** Web UI port. Default: port + 1000 (the CLI's own default). Ignored when headless. */
  uiPort?: number;
  /** Namespace to serve (created at start). Default "default". */
  namespace?: string;
  /** SQLite file for state that survives restarts. Omitted: in memory. */
  dbFilename?: string;
  /** Disable the Web UI (tests). */
  headless?: boolean;
  /** Codec server the Web UI's browser calls to show payloads decrypted (`--ui-codec-endpoint`). Ignored when headless. */
  uiCodecEndpoint?: string;
  /** Search attributes to register, `Name -> CLI type` (Keyword, KeywordList, Int...). Default: mcpflow's. */
  searchAttributes?: Readonly<Record<string, string>>;
  /** How long to wait for the server to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  stopGraceMs?: number;
  /** Receives the server's output lines. Default: discarded (the tail is kept for errors). */
  log?: (line: string) => void;
  /** Receives progress while the Temporal CLI is built the first time. Default: stderr. */
  progress?: (line: string) => void;
  /** Aborting it during start-up stops the server (or does not spawn it) and rejects with DevServerStartError. */
  signal?: AbortSignal;
}

export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
}

export interface DevServer {
  /** `host:port` for Connection / NativeConnection. */
  address: string;
  /** Web UI URL, undefined when headless. */
  uiUrl: string | undefined;
  /** The codec endpoint the Web UI was given, if any. */
  uiCodecEndpoint: string | undefined;
  namespace: string;
  /** Absolute SQLite path, undefined when in memory. */
  dbFilename: string | undefined;
  pid: number | undefined;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<DevServerExit>;
  /** SIGTERM, then SIGKILL after the grace period. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The server process died or did not answer in time. */
export class DevServerStartError extends McpflowError {}

/** Keeps the last lines a process printed, to explain why it died. */
class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.length ? this.lines.join('\n') : '(no output)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the dev server and resolves once it serves `namespace` with the search attributes registered. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const ip = opts.ip ?? DEFAULT_DEV_SERVER_IP;
  const port = opts.port ?? DEFAULT_DEV_SERVER_PORT;
  const headless = opts.headless ?? false;
  const uiPort = headless ? undefined : (opts.uiPort ?? port + 1000);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const searchAttributes = opts.searchAttributes ?? DEV_SERVER_SEARCH_ATTRIBUTE_TYPES;
  const dbFilename = opts.dbFilename ? path.resolve(opts.dbFilename) : undefined;
  const log = opts.log ?? (() => undefined);
  toIndexedValueTypes(searchAttributes); // fail on a bad type now, not after the readiness deadline

  await assertPortFree(port, ip, 'gRPC');
  if (uiPort !== undefined) await assertPortFree(uiPort, ip, 'Web UI');
  const cliPath = opts.cliPath ?? (await ensureTemporalCli({ log: opts.progress }));
  if (dbFilename) mkdirSync(path.dirname(dbFilename), { recursive: true });
  const abortedError = () => new DevServerStartError(`start of the Temporal dev server stopped (${String(opts.signal?.reason)})`);
  if (opts.signal?.aborted) throw abortedError();

  const uiCodecEndpoint = headless ? undefined : opts.uiCodecEndpoint;
  // The CLI picks its own free ports for these before it binds `port`, so it can pick `port` itself
  // ("failed listening for HTTP API on <port>: address already in use", seen in CI): choose them here.
  const [httpPort, metricsPort] = await findFreePortsBesides(2, uiPort === undefined ? [port] : [port, uiPort], ip);
  const args = devServerArgs({ ip, port, uiPort, namespace, dbFilename, headless, searchAttributes, uiCodecEndpoint, httpPort, metricsPort });
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new OutputTail();
  const onLine = (line: string) => {
    tail.push(line);
    log(line);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);

  const exited = watchExit(child);
  // A crashed parent must not leave a server holding the port.
  const killOnParentExit = () => child.kill('SIGKILL');
  process.once('exit', killOnParentExit);
  void exited.then(() => process.removeListener('exit', killOnParentExit));

  const address = `${ip}:${port}`;
  const stop = makeStop(child, exited, opts.stopGraceMs ?? 10_000);
  let onAbort: (() => void) | undefined;
  try {
    const ready = waitUntilReady({
      address,
      namespace,
      searchAttributes,
      exited,
      tail,
      deadline: Date.now() + (opts.readyTimeoutMs ?? 60_000),
      command: `${cliPath} ${args.join(' ')}`,
    });
    const { signal } = opts;
    if (signal) {
      ready.catch(() => undefined);
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(abortedError())), { once: true }));
      await Promise.race([ready, aborted]);
    } else {
      await ready;
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    uiCodecEndpoint,
    namespace,
    dbFilename,
    pid: child.pid,
    exited,
    stop,
  };
}

function watchExit(child: ChildProcess): Promise<DevServerExit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // spawn failures (ENOENT, EACCES) emit 'error' without 'exit'.
    child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
  });
}

function makeStop(child: ChildProcess, exited: Promise<DevServerExit>, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  return () => {
    stopping ??= (async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => {
        graceTimer = setTimeout(() => resolve(true), graceMs);
      });
      const timedOut = await Promise.race([exited.then(() => false), graceOver]);
      clearTimeout(graceTimer); // a pending timer would keep the caller's process alive
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };
}

interface ReadinessCheck {
  address: string;
  namespace: string;
  searchAttributes: Readonly<Record<string, string>>;
  exited: Promise<DevServerExit>;
  tail: OutputTail;
  deadline: number;
  command: string;
}

async function waitUntilReady(check: ReadinessCheck): Promise<void> {
  let exit: DevServerExit | undefined;
  void check.exited.then((result) => {
    exit = result;
  });
  let lastError: unknown;
  while (Date.now() < check.deadline) {
    if (exit) {
      if (exit.spawnError) {
        throw new DevServerStartError(`could not run the Temporal CLI: ${exit.spawnError.message}\nCommand: ${check.command}`);
      }
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`;
      throw new DevServerStartError(
        `the Temporal dev server exited during startup (${how}).\nCommand: ${check.command}\nLast output:\n${check.tail.toString()}`,
      );
    }
    // A connect to a dead port waits out its timeout: stop waiting as soon as the process exits.
    const attempt = probe(check, Math.min(Date.now() + PROBE_TIMEOUT_MS, check.deadline)).then(
      () => 'ready' as const,
      (error: unknown) => {
        lastError = error;
        return 'failed' as const;
      },
    );
    const outcome = await Promise.race([attempt, check.exited.then(() => 'exited' as const)]);
    if (outcome === 'ready') return;
    if (outcome === 'failed') await sleep(250);
  }
  throw new DevServerStartError(
    `the Temporal dev server did not answer on ${check.address} in time (last error: ${
      lastError instanceof Error ? lastError.message : String(lastError)
    }).\nCommand: ${check.command}\nLast output:\n${check.tail.toString()}`,
  );
}

/** One readiness attempt must not outlive this, or a stuck call would outlive the startup deadline. */
const PROBE_TIMEOUT_MS = 5_000;

/** One readiness attempt: connect, describe the namespace, make sure the search attributes exist. */
async function probe(check: ReadinessCheck, probeDeadline: number): Promise<void> {
  const connection = await Connection.connect({ address: check.address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    await connection.withDeadline(probeDeadline, async () => {
      await connection.workflowService.describeNamespace({ namespace: check.namespace });
      await registerMissingSearchAttributes(connection, check.namespace, check.searchAttributes);
    });
  } finally {
    await connection.close();
  }
}
