/**
 * Everything mcpflow needs on one machine, on loopback: the Temporal dev server, the Responses
 * API emulator (unless a real OpenAI key is set), the demo MCP servers and a worker. Used by
 * `mcpflow dev` (fixed default ports) and `mcpflow demo` (free ports where the defaults are taken).
 */
import type { DevServer } from '../devserver/server';
import type { DemoServersHandle } from '../demo-servers';
import type { EmulatorHandle } from '../emulator';
import { printServerWarnings, startLocalTemporal } from './commands/server';
import { startEmulatorService } from './commands/emulator';
import { DEFAULT_DEMO_HOST, launchDemoServers } from './commands/demo-servers';
import type { DemoServerKind } from '../demo-servers';
import { connectNative, startWorker, type RunningWorker } from '../worker/runtime';
import type { ServerRegistry } from '../../activities/server-registry';
import { McpflowError } from '../core/mcpflow-error';
import type { Notifications } from '../config/notifications';

export interface LocalStackOptions {
  temporalPort: number;
  /** Default: temporalPort + 1000 (where mcpflow's Web UI links look). */
  uiPort?: number;
  /** Codec endpoint for the Web UI (default: startLocalTemporal's). */
  uiCodecEndpoint?: string;
  /** SQLite file relative to the cwd. */
  db: string;
  /** Start the emulator (false when a real OPENAI_API_KEY is used). */
  emulator: boolean;
  /** Default: MCPFLOW_EMULATOR_PORT, else 8800 (0 = any free port). */
  emulatorPort?: number;
  demoServers: boolean;
  /** A missing one: MCPFLOW_<KIND>_PORT, else 8801-8803 (0 = any free port). */
  demoPorts?: Partial<Record<DemoServerKind, number>>;
  taskQueue: string;
  namespace?: string;
  /** Progress lines for the user. */
  log: (line: string) => void;
  /** Aborting it (a stop signal) ends start-up: what already runs is stopped, then StartAbortedError. */
  signal?: AbortSignal;
  /** The worker's servers, and whether workflow inputs may define their own (one person's stack: yes). */
  serverRegistry?: ServerRegistry;
  /** The config's `notifications`: webhooks told when a run waits for a person. */
  notifications?: Notifications;
}

/** Start-up was stopped by `signal` (everything started so far has been stopped again). */
export class StartAbortedError extends McpflowError {}

export interface LocalStack {
  temporal: DevServer;
  emulator: EmulatorHandle | undefined;
  demo: DemoServersHandle | undefined;
  worker: RunningWorker;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: Array<() => Promise<void>> = [];
  // While stopping, the server logs dial errors between its own services: expected, not news.
  let stopping: Promise<void> | undefined;
  // Once, however often it is called (a signal handler and a finally block may both ask).
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stop of [...stops].reverse()) await stop().catch(() => undefined);
    })());
  const { signal } = options;
  /**
   * Starts one part. Its stop is registered before it is up, so that a stop signal arriving
   * meanwhile ends start-up at once and the part is still stopped once its start settles.
   */
  const start = async <T>(starting: Promise<T>, stopIt: (part: T) => Promise<void>): Promise<T> => {
    starting.catch(() => undefined);
    stops.push(() => starting.then(stopIt, () => undefined));
    if (!signal) return starting;
    const aborted = () => new StartAbortedError(`start-up stopped (${String(signal.reason)})`);
    if (signal.aborted) throw aborted();
    let onAbort!: () => void;
    const abortedWhileStarting = new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(aborted())), { once: true }));
    abortedWhileStarting.catch(() => undefined);
    try {
      return await Promise.race([starting, abortedWhileStarting]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  try {
    options.log('Starting the Temporal dev server...');
    const temporal = await start(
      startLocalTemporal({
        port: options.temporalPort,
        ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
        ...(options.uiCodecEndpoint ? { uiCodecEndpoint: options.uiCodecEndpoint } : {}),
        db: options.db,
        namespace: options.namespace,
        ...(signal ? { signal } : {}),
        log: (line) => {
          if (!stopping) printServerWarnings(line);
        },
      }),
      (server) => server.stop(),
    );
    const emulator = options.emulator
      ? await start(startEmulatorService(options.emulatorPort === undefined ? {} : { port: options.emulatorPort }), (handle) => handle.close())
      : undefined;
    const demo = options.demoServers
      ? await start(launchDemoServers({ host: DEFAULT_DEMO_HOST, ports: options.demoPorts ?? {} }), (handle) => handle.close())
      : undefined;
    options.log('Starting the worker (bundling the workflows takes a few seconds)...');
    const connection = await start(
      connectNative({ address: temporal.address, namespace: temporal.namespace, tls: undefined, apiKey: undefined, metadata: undefined, profile: undefined }),
      (connection) => connection.close().catch(() => undefined), // after the worker's stop (which closes it too)
    );
    const worker = await start(
      startWorker({
        connection,
        namespace: temporal.namespace,
        taskQueue: options.taskQueue,
        ...(emulator ? { openaiBaseURL: emulator.url } : {}),
        ...(options.serverRegistry ? { serverRegistry: options.serverRegistry } : {}),
        ...(options.notifications ? { notifications: options.notifications } : {}),
      }),
      (running) => running.stop(),
    );
    return { temporal, emulator, demo, worker, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
