/**
 * The benchmark's own stack, all in this process and on 127.0.0.1: a headless in-memory Temporal
 * dev server on a free port, the Responses API emulator, the demo MCP servers and one worker
 * (src/worker/worker.ts createWorker, the production bootstrap) on its own task queue.
 * stop() tears everything down in reverse order and never throws; it is safe to call twice.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { ensureTemporalCli } from '../../src/devserver/cli-path';
import { findFreePort, startDevServer, type DevServer } from '../../src/devserver/server';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { createWorker } from '../../src/worker/worker';

export interface BenchStack {
  devServer: DevServer;
  emulator: EmulatorHandle;
  demo: DemoServersHandle;
  client: Client;
  /** The client's connection: `connection.withAbortSignal` cancels the bench's calls on timeout. */
  connection: Connection;
  worker: Worker;
  taskQueue: string;
  /** Milliseconds each part took to start, for the report header. */
  startupMs: Record<'devServer' | 'emulatorAndDemo' | 'worker', number>;
  stop(): Promise<void>;
}

/** How long teardown waits for the worker to drain before closing what it talks to. */
const WORKER_SHUTDOWN_GRACE_MS = 15_000;

let runtimeInstalled = false;

/** The SDK logs every worker state change at INFO; a benchmark only wants warnings. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // shutdownSignals: [] — run.ts handles Ctrl-C itself so that teardown runs in order.
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch {
    // Already installed in this process: keep that one.
  }
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  installQuietRuntime();
  const stops: Array<{ what: string; stop: () => Promise<unknown> }> = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const { what, stop: stopOne } of stops.reverse()) {
        try {
          await stopOne();
        } catch (error) {
          log(`teardown: stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      stops.length = 0;
    })();
    return stopping;
  };

  try {
    let mark = performance.now();
    const cliPath = await ensureTemporalCli({ log });
    const devServer = await startDevServer({ cliPath, port: await findFreePort(), headless: true });
    stops.push({ what: 'the Temporal dev server', stop: () => devServer.stop() });
    const devServerMs = performance.now() - mark;
    log(`Temporal dev server on ${devServer.address} (in memory, headless), pid ${String(devServer.pid)}`);

    mark = performance.now();
    const [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
    stops.push({ what: 'the emulator', stop: () => emulator.close() });
    stops.push({ what: 'the demo MCP servers', stop: () => demo.close() });
    const emulatorAndDemoMs = performance.now() - mark;
    log(`emulator ${emulator.url}; demo servers ${Object.values(demo.servers).map((s) => s.url).join(', ')}`);

    const connection = await Connection.connect({ address: devServer.address });
    stops.push({ what: 'the client connection', stop: () => connection.close() });
    const client = new Client({ connection, namespace: devServer.namespace });

    mark = performance.now();
    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    stops.push({ what: 'the worker connection', stop: () => nativeConnection.close() });
    const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
    // env: {} — never pick up a real OPENAI_API_KEY from the shell; always the emulator.
    const worker = await createWorker({ connection: nativeConnection, namespace: devServer.namespace, taskQueue, openaiBaseURL: emulator.url, env: {} });
    const running = worker.run();
    running.catch((error: unknown) => log(`worker stopped with an error: ${error instanceof Error ? error.message : String(error)}`));
    stops.push({
      what: 'the worker',
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        const outcome = await Promise.race([running.then(() => 'done' as const, () => 'done' as const), timeout(WORKER_SHUTDOWN_GRACE_MS)]);
        if (outcome === 'timeout') log(`teardown: the worker did not drain within ${WORKER_SHUTDOWN_GRACE_MS} ms; closing the rest anyway`);
      },
    });
    const workerMs = performance.now() - mark;
    log(`worker polling task queue ${taskQueue} (bundled the workflows in ${Math.round(workerMs)} ms)`);

    return {
      devServer, emulator, demo, client, connection, worker, taskQueue, stop,
      startupMs: { devServer: devServerMs, emulatorAndDemo: emulatorAndDemoMs, worker: workerMs },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
