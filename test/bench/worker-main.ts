/**
 * The benchmark's worker, in a process of its own (its CPU and RSS are read from /proc, and the
 * recovery scenario SIGKILLs it): the production bootstrap, createWorker of src/worker/worker.ts.
 * MCPFLOW_BENCH_WORKER_OPTIONS (JSON of WorkerOptions fields) lays those options over the ones
 * createWorker passes to Worker.create, for `npm run bench -- experiments`.
 *
 * Env: TEMPORAL_ADDRESS, MCPFLOW_TASK_QUEUE, OPENAI_BASE_URL, MCPFLOW_WORKFLOW_BUNDLE (optional:
 * without it the worker bundles the workflows at start, as `mcpflow worker` does),
 * MCPFLOW_MAX_CACHED_WORKFLOWS (optional, as `mcpflow worker --max-cached-workflows`).
 * Prints `worker ready` once it polls; SIGTERM drains it and exits (so --cpu-prof can write).
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { closeMcpConnections } from '../../activities';
import { createWorker } from '../../src/worker/worker';

const NAMESPACE = 'default';

const MIB = 1024 * 1024;

/** This process's memory in MiB: RSS by kind (/proc), the main isolate's heap by space, and the worker's cache. */
function memoryReport(worker: Worker): Record<string, unknown> {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  const usage = process.memoryUsage();
  return {
    rss: kib('VmRSS'),
    rssAnon: kib('RssAnon'),
    rssFile: kib('RssFile'),
    hwm: kib('VmHWM'),
    mainHeapTotal: usage.heapTotal / MIB,
    mainHeapUsed: usage.heapUsed / MIB,
    external: usage.external / MIB,
    arrayBuffers: usage.arrayBuffers / MIB,
    mainSpaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, Math.round(space.space_size / MIB)])),
    cachedRuns: worker.getStatus().numCachedWorkflows,
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const taskQueue = process.env.MCPFLOW_TASK_QUEUE!;
  const openaiBaseURL = process.env.OPENAI_BASE_URL!;
  const bundlePath = process.env.MCPFLOW_WORKFLOW_BUNDLE || undefined;
  const overrides = JSON.parse(process.env.MCPFLOW_BENCH_WORKER_OPTIONS || '{}') as Partial<WorkerOptions>;
  if (Object.keys(overrides).length) {
    // Exactly what createWorker asks for, with the experiment's options on top.
    const create = Worker.create.bind(Worker);
    (Worker as { create: typeof Worker.create }).create = (options) => create({ ...options, ...overrides });
  }
  // env: {} — never a real OPENAI_API_KEY from the shell: always the emulator.
  const maxCached = process.env.MCPFLOW_MAX_CACHED_WORKFLOWS ? Number(process.env.MCPFLOW_MAX_CACHED_WORKFLOWS) : undefined;
  const worker = await createWorker({
    connection,
    namespace: NAMESPACE,
    taskQueue,
    openaiBaseURL,
    env: {},
    ...(bundlePath ? { workflowBundlePath: bundlePath } : {}),
    ...(maxCached !== undefined ? { maxCachedWorkflows: maxCached } : {}),
  });
  // SIGUSR2: one JSON line of this process's memory on stderr (the main isolate's heap; RSS also
  // holds the workflow thread's isolate and the Core SDK), for looking into the worker's RSS.
  process.on('SIGUSR2', () => process.stderr.write(`memory ${JSON.stringify(memoryReport(worker))}\n`));
  await worker.runUntil(async () => {
    process.stdout.write(`worker ready ${process.pid}\n`);
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  });
  await closeMcpConnections();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
