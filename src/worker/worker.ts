/**
 * Worker bootstrap: one worker polls the task queue with every workflow and activity.
 * Workers scale out by running more of these on the same task queue.
 */
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { TASK_QUEUE } from '../core/defaults';
import { mcpflowDataConverter } from '../codec/data-converter';
import { activityLogInterceptor } from './activity-log';
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
}

export const WORKFLOWS_PATH = require.resolve(path.join(__dirname, '..', '..', 'workflows'));

export function createWorker(options: McpflowWorkerOptions): Promise<Worker> {
  // Payload encryption when MCPFLOW_ENCRYPTION_KEYS / _KEY_FILE is set (src/codec).
  const dataConverter = mcpflowDataConverter();
  const workerOptions: WorkerOptions = {
    dataConverter,
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: createActivities({ temporalClient: new Client({ connection: options.connection, namespace: options.namespace ?? 'default', dataConverter }), ...options }),
    ...(options.workflowBundlePath && !options.tracing ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    ...(options.tracing ? { sinks: options.tracing.sinks } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
    // Server and tool names on activity log lines, metrics and spans (src/worker/activity-log.ts).
    interceptors: {
      activity: [...(options.tracing?.activity ?? []), activityLogInterceptor],
      ...(options.tracing ? { workflowModules: options.tracing.workflowModules } : {}),
    },
    // A worker that died leaves its sticky tasks behind: after 1 s (default 10 s) they go to the
    // shared queue and another worker resumes the run (recovery 11 s → 2 s in docs/benchmarks.md).
    stickyQueueScheduleToStartTimeout: '1s',
    // Direct mode schedules several tool calls at once: take them all eagerly (default 3).
    maxEagerActivityReservationsPerWorkflowTask: 50,
  };
  return Worker.create(workerOptions);
}
