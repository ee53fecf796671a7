/**
 * Worker bootstrap: one worker polls the task queue with every workflow and activity.
 * Workers scale out by running more of these on the same task queue.
 */
import path from 'node:path';
import v8 from 'node:v8';
import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { sweepOrphansOfEndedWorkers } from '../../activities/mcp/2025/stdio-orphans';
import { TASK_QUEUE } from '../core/defaults';
import { mcpflowDataConverter } from '../codec/data-converter';
import { limitHeapGrowth } from './heap';
import { McpflowPlugin } from './plugin';
import type { WorkerTracing } from './tracing';

export interface McpflowWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A pre-built workflow bundle (faster start); otherwise the workflows are bundled now. */
  workflowBundlePath?: string;
  identity?: string;
  /**
   * How long a stopping worker lets in-flight activities finish (SDK default 0; `mcpflow worker`
   * uses 30 s); those still running then are cancelled and their attempt fails, so the server
   * retries them on another worker.
   */
  shutdownGraceTime?: Duration;
  /** OpenTelemetry (src/worker/tracing.ts): its workflow interceptors need a fresh bundle. */
  tracing?: WorkerTracing;
  /** Runs kept in memory between their workflow tasks (default: maxCachedWorkflowsFor()). */
  maxCachedWorkflows?: number;
}

export const WORKFLOWS_PATH = require.resolve(path.join(__dirname, '..', '..', 'workflows'));

/** Heap budgeted per cached workflow run (measured: ~0.3 MiB since src/worker/shared-modules.ts). */
const HEAP_MIB_PER_CACHED_RUN = 3;

/**
 * Runs kept in memory by default. A run waiting for approval needs no memory until its answer
 * comes: evicted, it is replayed from history then (~12 ms of worker CPU for the demo query).
 * Each cached run is ~0.3 MiB live, and V8 lets the workflow thread's heap grow well past what is
 * live: with 1,500 runs waiting, 250 cached held the worker at 470 MiB RSS (peak 551 MiB), 100
 * at 409 MiB (peak 409). In-flight queries (concurrency 50 in `npm run bench`) stay inside 100.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/**
 * How many runs the worker keeps cached: 100, fewer when the heap is small (one run per 3 MiB
 * above 200 MiB). Before the shared modules, a run held ~2 MiB and the SDK's default cache
 * outgrew a 4 GiB heap with ~2,400 runs waiting for approval. Runs beyond the cache are evicted
 * and replayed on their next task, such as an approval.
 */
export function maxCachedWorkflowsFor(heapLimitMiB = v8.getHeapStatistics().heap_size_limit / (1024 * 1024)): number {
  return Math.min(DEFAULT_MAX_CACHED_WORKFLOWS, Math.max(Math.floor(Math.max(heapLimitMiB - 200, 0) / HEAP_MIB_PER_CACHED_RUN), 10));
}

export function createWorker(options: McpflowWorkerOptions): Promise<Worker> {
  // Before Worker.create starts the workflow thread: src/worker/heap.ts.
  limitHeapGrowth();
  // What stdio servers of a worker that was killed left running (activities/mcp/2025/stdio-orphans.ts).
  void sweepOrphansOfEndedWorkers().catch(() => undefined);
  const {
    connection,
    namespace = 'default',
    taskQueue = TASK_QUEUE,
    workflowBundlePath,
    identity,
    shutdownGraceTime,
    tracing,
    maxCachedWorkflows,
    ...activityDeps
  } = options;
  // The plugin users add to their own workers (src/worker/plugin.ts) brings the activities,
  // workflows, converter, interceptors and tunings. Payload encryption when
  // MCPFLOW_ENCRYPTION_KEYS / _KEY_FILE is set (src/codec); plaintext input refused then.
  const plugin = new McpflowPlugin({}, { activityDeps, dataConverter: mcpflowDataConverter(process.env, { worker: true }) });
  const workerOptions: WorkerOptions = {
    plugins: [plugin],
    connection,
    namespace,
    taskQueue,
    ...(workflowBundlePath && !tracing ? { workflowBundle: { codePath: workflowBundlePath } } : {}),
    // OpenTelemetry's workflow interceptors need a fresh bundle; the plugin's interceptors come after these.
    ...(tracing ? { sinks: tracing.sinks, interceptors: { activity: tracing.activity, workflowModules: tracing.workflowModules } } : {}),
    ...(identity ? { identity } : {}),
    ...(shutdownGraceTime !== undefined ? { shutdownGraceTime } : {}),
    maxCachedWorkflows: maxCachedWorkflows ?? maxCachedWorkflowsFor(),
  };
  return Worker.create(workerOptions);
}
