/**
 * `mcpflow server`: the Temporal dev server on loopback, with state in a SQLite file under
 * `.mcpflow/` so workflows survive a restart. `startLocalTemporal` is the same start with the
 * same defaults, for commands that run the server next to other things (`mcpflow dev`).
 */
import { parsePortFlag } from '../options';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_DEV_SERVER_IP, startDevServer, type DevServer } from '../../devserver/server';
import { describeCodecEndpoint, startLocalUiCodec } from '../local-ui-codec';
import { Connection } from '@temporalio/client';
import { TASK_QUEUE } from '../../core/defaults';
import { endpointCreateCommand, ensureNexusEndpoint } from '../../nexus/endpoint';
import { MCPFLOW_NEXUS_ENDPOINT } from '../../nexus/service';

export const SERVER_DEFAULTS = {
  ip: DEFAULT_DEV_SERVER_IP,
  port: 7233,
  /** The Web UI of the default port; elsewhere it is port + 1000, as mcpflow's links assume. */
  uiPort: 8233,
  db: path.join('.mcpflow', 'temporal.db'),
  namespace: 'default',
} as const;

export interface LocalTemporalOptions {
  port?: number;
  uiPort?: number;
  /** SQLite file, relative to `cwd`. `false` keeps state in memory. */
  db?: string | false;
  namespace?: string;
  headless?: boolean;
  /** Codec endpoint for the Web UI. Default: with encryption keys set, a codec server started alongside (src/cli/local-ui-codec.ts). */
  uiCodecEndpoint?: string;
  /** Base for a relative `db`. Default: process.cwd(). */
  cwd?: string;
  /** The server's output lines. Default: warnings and errors to stderr. */
  log?: (line: string) => void;
  /** Progress of the one-time Temporal CLI build. Default: stderr. */
  progress?: (line: string) => void;
  /** Aborting it stops a server that is still starting. */
  signal?: AbortSignal;
}

/** Starts the dev server with `mcpflow server`'s defaults; throws PortInUseError on a busy port. */
export async function startLocalTemporal(opts: LocalTemporalOptions = {}): Promise<DevServer> {
  const port = opts.port ?? SERVER_DEFAULTS.port;
  const codec = opts.headless || opts.uiCodecEndpoint ? undefined : await startLocalUiCodec(`http://${SERVER_DEFAULTS.ip}:${opts.uiPort ?? port + 1000}`);
  let server: DevServer;
  try {
    server = await startDevServerWithDefaults(opts, port, opts.uiCodecEndpoint ?? codec?.endpoint);
  } catch (error) {
    await codec?.close();
    throw error;
  }
  if (!codec) return server;
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await codec.close();
    },
  };
}

function startDevServerWithDefaults(opts: LocalTemporalOptions, port: number, uiCodecEndpoint: string | undefined): Promise<DevServer> {
  const db = opts.db ?? SERVER_DEFAULTS.db;
  return startDevServer({
    ip: SERVER_DEFAULTS.ip,
    port,
    ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
    // Default: port + 1000 (startDevServer), where webUiBaseUrl's links look for it.
    ...(opts.uiPort !== undefined ? { uiPort: opts.uiPort } : {}),
    namespace: opts.namespace ?? SERVER_DEFAULTS.namespace,
    // startDevServer creates the directory (`.mcpflow/`) when missing.
    dbFilename: db === false ? undefined : path.resolve(opts.cwd ?? process.cwd(), db),
    headless: opts.headless ?? false,
    log: opts.log ?? printServerWarnings,
    progress: opts.progress ?? ((line) => console.error(line)),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** `--ui-codec-endpoint`, shared by `mcpflow server` and `mcpflow dev`. */
export function uiCodecEndpointOption(): Option {
  return new Option(
    '--ui-codec-endpoint <url>',
    'codec server the Web UI calls to show payloads decrypted (default: with MCPFLOW_ENCRYPTION_KEYS set, one started alongside)',
  ).argParser((value: string) => {
    if (!/^https?:\/\/[^\s]+$/.test(value)) throw new InvalidArgumentError('a URL, e.g. http://127.0.0.1:8081/<token> (see `mcpflow codec-server`)');
    return value;
  });
}

/** The server runs with --log-level warn, but its startup banner and shutdown chatter are noise here. */
export function printServerWarnings(line: string): void {
  if (/level=(WARN|ERROR)/.test(line)) console.error(line);
}

/** Lines that tell the user where the server is. */
export function describeLocalTemporal(server: DevServer): string[] {
  return [
    `Temporal dev server ready`,
    `  address:   ${server.address}`,
    `  namespace: ${server.namespace}`,
    ...(server.uiUrl ? [`  Web UI:    ${server.uiUrl}`] : []),
    ...(server.uiUrl && server.uiCodecEndpoint ? [`  UI codec:  ${describeCodecEndpoint(server.uiCodecEndpoint)}`] : []),
    `  state:     ${server.dbFilename ?? 'in memory (lost on stop)'}`,
  ];
}

/**
 * The Nexus endpoint "mcpflow" → this namespace and the worker's queue, so that workflows of other
 * namespaces call mcpflow's Nexus service (src/nexus). Not fatal: everything else works without it.
 */
export async function provisionNexusEndpoint(server: Pick<DevServer, 'address' | 'namespace'>, taskQueue: string): Promise<string> {
  const target = { namespace: server.namespace, taskQueue };
  try {
    const connection = await Connection.connect({ address: server.address });
    try {
      const outcome = await ensureNexusEndpoint(connection, target);
      return `Nexus endpoint "${MCPFLOW_NEXUS_ENDPOINT}" → ${server.namespace}/${taskQueue} (${outcome})`;
    } finally {
      await connection.close();
    }
  } catch (error) {
    return `Nexus endpoint "${MCPFLOW_NEXUS_ENDPOINT}" not created (${(error as Error).message}); create it with: ${endpointCreateCommand(target)}`;
  }
}

interface ServerCommandOptions {
  port: number;
  uiPort?: number;
  uiCodecEndpoint?: string;
  db: string;
  namespace: string;
  verbose: boolean;
}

/** Resolves with the signal that asked us to stop, or with the server's own exit. */
function waitForShutdown(server: DevServer): Promise<{ signal: NodeJS.Signals } | { serverExit: string }> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      cleanup();
      resolve({ signal });
    };
    const cleanup = () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void server.exited.then(({ code, signal }) => {
      cleanup();
      resolve({ serverExit: signal ? `signal ${signal}` : `exit code ${String(code)}` });
    });
  });
}

async function runServerCommand(options: ServerCommandOptions, taskQueue: string): Promise<void> {
  // While stopping, the server logs dial errors between its own services: expected, not news.
  let stopping = false;
  const server = await startLocalTemporal({
    port: options.port,
    uiPort: options.uiPort,
    ...(options.uiCodecEndpoint ? { uiCodecEndpoint: options.uiCodecEndpoint } : {}),
    db: options.db,
    namespace: options.namespace,
    log: (line) => {
      if (options.verbose) console.error(line);
      else if (!stopping) printServerWarnings(line);
    },
  });
  for (const line of describeLocalTemporal(server)) console.log(line);
  console.log(`  ${await provisionNexusEndpoint(server, taskQueue)}`);
  console.log('Press Ctrl-C to stop.');
  const reason = await waitForShutdown(server);
  if ('serverExit' in reason) {
    // Nothing asked it to stop: that is a failure the user must see.
    throw new Error(`the Temporal dev server stopped on its own (${reason.serverExit}); run again with --verbose to see its output.`);
  }
  stopping = true;
  console.log(`Stopping the Temporal dev server (${reason.signal})...`);
  await server.stop();
  console.log('Stopped.');
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('Run the Temporal dev server on 127.0.0.1 with state in a SQLite file (survives restarts)')
    .addOption(new Option('--port <port>', 'frontend gRPC port').argParser(parsePortFlag).default(SERVER_DEFAULTS.port))
    .addOption(new Option('--ui-port <port>', 'Web UI port (default: --port + 1000, i.e. 8233)').argParser(parsePortFlag))
    .addOption(uiCodecEndpointOption())
    .option('--db <file>', 'SQLite file for the server state', SERVER_DEFAULTS.db)
    .option('--namespace <name>', 'namespace to serve', SERVER_DEFAULTS.namespace)
    .option('--verbose', "print all of the server's output", false)
    .action(async (options: ServerCommandOptions, command: Command) => {
      // The queue the Nexus endpoint targets: the global --task-queue, MCPFLOW_TASK_QUEUE, else mcpflow's default.
      const taskQueue = (command.optsWithGlobals() as { taskQueue?: string }).taskQueue ?? process.env.MCPFLOW_TASK_QUEUE ?? TASK_QUEUE;
      await runServerCommand(options, taskQueue);
    });
}
