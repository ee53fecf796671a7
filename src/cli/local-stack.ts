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
import { launchDemoServers } from './commands/demo-servers';
import type { DemoServerKind } from '../demo-servers';
import { connectNative, startWorker, type RunningWorker } from './worker-runtime';

export interface LocalStackOptions {
  temporalPort: number;
  uiPort: number;
  /** SQLite file relative to the cwd. */
  db: string;
  /** Start the emulator (false when a real OPENAI_API_KEY is used). */
  emulator: boolean;
  emulatorPort: number;
  demoServers: boolean;
  demoPorts: Record<DemoServerKind, number>;
  taskQueue: string;
  namespace?: string;
  /** Progress lines for the user. */
  log: (line: string) => void;
}

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
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    options.log('Starting the Temporal dev server...');
    const temporal = await startLocalTemporal({ port: options.temporalPort, uiPort: options.uiPort, db: options.db, namespace: options.namespace,
      log: (line) => {
        if (!stopping) printServerWarnings(line);
      },
    });
    stops.push(() => temporal.stop());
    const emulator = options.emulator ? await startEmulatorService({ port: options.emulatorPort }) : undefined;
    if (emulator) stops.push(() => emulator.close());
    const demo = options.demoServers
      ? await launchDemoServers({ ports: options.demoPorts, env: {} })
      : undefined;
    if (demo) stops.push(() => demo.close());
    options.log('Starting the worker (bundling the workflows takes a few seconds)...');
    const connection = await connectNative({ address: temporal.address, namespace: temporal.namespace, tls: undefined, apiKey: undefined, metadata: undefined, profile: undefined });
    const worker = await startWorker({ connection, namespace: temporal.namespace, taskQueue: options.taskQueue, ...(emulator ? { openaiBaseURL: emulator.url } : {}) });
    stops.push(() => worker.stop());
    return { temporal, emulator, demo, worker, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
