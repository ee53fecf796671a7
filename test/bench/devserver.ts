/**
 * The Temporal dev server of the benchmark: SQLite in a file, headless, on a free port of
 * 127.0.0.1. With no extra flags it is started by src/devserver/server.ts exactly as
 * `mcpflow server` starts it; `experiments` adds `temporal server start-dev` flags (dynamic config,
 * SQLite pragmas) to see what they change.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli } from '../../src/devserver/cli-path';
import { DEFAULT_NAMESPACE, devServerArgs, findFreePort, registerMissingSearchAttributes, startDevServer, type DevServer } from '../../src/devserver/server';
import { DEV_SERVER_SEARCH_ATTRIBUTE_TYPES } from '../../src/core/search-attributes';

export interface BenchDevServerOptions {
  /** Directory for the SQLite file. */
  dir: string;
  /** In memory instead of a SQLite file. */
  inMemory?: boolean;
  /** More `temporal server start-dev` arguments, e.g. ['--dynamic-config-value', 'k=v']. */
  extraArgs?: string[];
  log: (line: string) => void;
}

export interface BenchDevServer {
  address: string;
  namespace: string;
  pid: number | undefined;
  /** The SQLite file, when there is one. */
  dbFilename: string | undefined;
  /** The command line, for the report. */
  command: string;
  stop(): Promise<void>;
}

export async function startBenchDevServer(options: BenchDevServerOptions): Promise<BenchDevServer> {
  const cliPath = await ensureTemporalCli({ log: options.log });
  const port = await findFreePort();
  const dbFilename = options.inMemory ? undefined : path.join(options.dir, 'temporal.sqlite');
  const args = devServerArgs({
    ip: '127.0.0.1',
    port,
    uiPort: undefined,
    namespace: DEFAULT_NAMESPACE,
    dbFilename,
    headless: true,
    searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTE_TYPES,
  });
  const extra = options.extraArgs ?? [];
  const command = ['temporal', ...args, ...extra].join(' ');
  if (!extra.length) {
    const server: DevServer = await startDevServer({ cliPath, port, headless: true, ...(dbFilename ? { dbFilename } : {}) });
    return { address: server.address, namespace: server.namespace, pid: server.pid, dbFilename, command, stop: () => server.stop() };
  }
  return spawnWithFlags(cliPath, [...args, ...extra], `127.0.0.1:${port}`, dbFilename, command);
}

/** A dev server with extra flags: spawned here, ready once the namespace answers (search attributes added). */
async function spawnWithFlags(cliPath: string, args: string[], address: string, dbFilename: string | undefined, command: string): Promise<BenchDevServer> {
  const child = spawn(cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dev server exited at start: ${command}\n${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: DEFAULT_NAMESPACE });
        await registerMissingSearchAttributes(connection, DEFAULT_NAMESPACE, DEV_SERVER_SEARCH_ATTRIBUTE_TYPES);
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the dev server did not answer: ${command}: ${String(error)}\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { address, namespace: DEFAULT_NAMESPACE, pid: child.pid, dbFilename, command, stop };
}
