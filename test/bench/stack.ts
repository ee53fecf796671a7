/**
 * Everything one benchmark run needs, all on 127.0.0.1, each part in its own process so that its
 * CPU and memory can be read from /proc:
 *   - the Temporal dev server (SQLite file in a temporary directory; devserver.ts)
 *   - the services: emulator + demo MCP servers (services-main.ts)
 *   - one mcpflow worker (worker-main.ts, the production createWorker) on a task queue of its own
 *   - this process: the client, and the plain loops that are the floor.
 * The workflows are bundled once here and the worker loads the bundle. stop() tears everything
 * down in reverse order and never throws.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { sharedWorkflowModules } from '../../src/worker/shared-modules';
import { McpflowClient } from '../../src/client';
import { mcpflowDataConverter, PAYLOAD_CONVERTER_PATH } from '../../src/codec/data-converter';
import { WORKFLOWS_PATH } from '../../src/worker/worker';
import { spawnBenchChild, type BenchChild } from './child';
import { startBenchDevServer, type BenchDevServer } from './devserver';
import { CpuMeter } from './procfs';
import type { ServicesInfo } from './services-main';

export interface StackOptions {
  log: (line: string) => void;
  /** Extra weather servers in the services process (discovery scale). */
  extraServers: number;
  /** Responses the emulator keeps for previous_response_id. */
  maxConversations: number;
  devServer?: { inMemory?: boolean; extraArgs?: string[] };
  worker?: WorkerSettings;
  /** Bundler modules to preload once per V8 context (experiments). */
  preloadModules?: string[];
}

export interface WorkerSettings {
  /** WorkerOptions fields on top of createWorker's (experiments only). */
  options?: Record<string, unknown>;
  /** Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Bundle the workflows at start instead of loading the stack's bundle (as `mcpflow worker` does). */
  bundleAtStart?: boolean;
}

export interface Stack {
  dir: string;
  devServer: BenchDevServer;
  services: ServicesInfo & { pid: number };
  bundlePath: string;
  taskQueue: string;
  client: McpflowClient;
  temporal: Client;
  connection: Connection;
  worker: BenchChild;
  /** Worker process CPU / RSS, dev server, services and this process. */
  meter: CpuMeter;
  startupMs: Record<'devServer' | 'services' | 'bundle' | 'worker', number>;
  /** Starts a worker process on the stack's task queue (the recovery scenario starts a second one). */
  startWorker(settings?: WorkerSettings): Promise<BenchChild>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { log } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpflow-bench-'));
  const stops: Array<{ what: string; stop: () => Promise<unknown> }> = [
    { what: 'the temporary directory', stop: async () => rmSync(dir, { recursive: true, force: true }) },
  ];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const { what, stop: stopOne } of [...stops].reverse()) {
        try {
          await stopOne();
        } catch (error) {
          log(`teardown: stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return stopping;
  };

  try {
    let mark = performance.now();
    const [devServer, services, bundlePath] = await Promise.all([
      startBenchDevServer({ dir, log, ...options.devServer }).then((server) => {
        stops.push({ what: 'the Temporal dev server', stop: () => server.stop() });
        log(`Temporal dev server ${server.address}, pid ${String(server.pid)}: ${server.command}`);
        return { server, ms: performance.now() - mark };
      }),
      spawnBenchChild({
        entry: 'test/bench/services-main.ts',
        env: childEnv({ MCPFLOW_BENCH_EXTRA_SERVERS: String(options.extraServers), MCPFLOW_BENCH_MAX_CONVERSATIONS: String(options.maxConversations) }),
        readyPrefix: 'services ready ',
      }).then((child) => {
        stops.push({ what: 'the services', stop: () => child.stop() });
        const info = JSON.parse(child.readyLine.slice('services ready '.length)) as ServicesInfo;
        log(
          `services pid ${child.pid}: emulator ${info.emulator.url}, weather ${info.weather.url}, calendar ${info.calendar.url}, ${info.extra.length} more weather servers`,
        );
        return { info: { ...info, pid: child.pid }, ms: performance.now() - mark };
      }),
      bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        payloadConverterPath: PAYLOAD_CONVERTER_PATH,
        logger: new DefaultLogger('WARN'),
        preloadModules: options.preloadModules ?? sharedWorkflowModules(),
      }).then(({ code }) => {
        const file = path.join(dir, 'workflow-bundle.js');
        writeFileSync(file, code);
        return { file, ms: performance.now() - mark };
      }),
    ]);

    const connection = await Connection.connect({ address: devServer.server.address });
    stops.push({ what: 'the client connection', stop: () => connection.close() });
    const temporal = new Client({ connection, namespace: devServer.server.namespace, dataConverter: mcpflowDataConverter() });
    const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
    const client = new McpflowClient(temporal, connection, { address: devServer.server.address, namespace: devServer.server.namespace }, taskQueue);

    const workers: BenchChild[] = [];
    stops.push({ what: 'the workers', stop: () => Promise.all(workers.map((worker) => worker.stop())) });
    const startWorker = async (settings: WorkerSettings = options.worker ?? {}): Promise<BenchChild> => {
      const worker = await spawnBenchChild({
        entry: 'test/bench/worker-main.ts',
        nodeFlags: settings.nodeFlags,
        env: childEnv({
          TEMPORAL_ADDRESS: devServer.server.address,
          MCPFLOW_TASK_QUEUE: taskQueue,
          OPENAI_BASE_URL: services.info.emulator.url,
          MCPFLOW_WORKFLOW_BUNDLE: settings.bundleAtStart ? '' : bundlePath.file,
          MCPFLOW_BENCH_WORKER_OPTIONS: settings.options ? JSON.stringify(settings.options) : '',
        }),
        readyPrefix: 'worker ready',
        readyTimeoutMs: 120_000,
      });
      workers.push(worker);
      return worker;
    };
    mark = performance.now();
    const worker = await startWorker();
    const workerMs = performance.now() - mark;
    log(`worker pid ${worker.pid} polls ${taskQueue} (ready ${Math.round(workerMs)} ms after spawn)`);

    const stack: Stack = {
      dir,
      devServer: devServer.server,
      services: services.info,
      bundlePath: bundlePath.file,
      taskQueue,
      client,
      temporal,
      connection,
      worker,
      meter: new CpuMeter([]),
      startupMs: { devServer: devServer.ms, services: services.ms, bundle: bundlePath.ms, worker: workerMs },
      startWorker,
      stop,
    };
    stack.meter = new CpuMeter([
      { name: 'worker', pid: () => stack.worker.pid },
      { name: 'server', pid: () => devServer.server.pid },
      { name: 'services', pid: () => services.info.pid },
      { name: 'bench', pid: () => process.pid },
    ]);
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The environment of a child: this one without a real OpenAI key, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { OPENAI_API_KEY: _key, ...rest } = process.env;
  return { ...rest, ...extra };
}
