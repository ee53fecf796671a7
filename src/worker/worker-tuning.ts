/** Worker settings mcpflow's workflows and activities are measured with; McpflowPlugin applies those a worker does not set. */
import type { WorkerOptions } from '@temporalio/worker';
import { HEARTBEAT_THROTTLE_MS, STICKY_QUEUE_TIMEOUT_MS } from '../core/timing';

export const MCPFLOW_WORKER_TUNING = {
  // Why these two numbers, and how they fit the heartbeat timeouts: src/core/timing.ts.
  stickyQueueScheduleToStartTimeout: STICKY_QUEUE_TIMEOUT_MS,
  maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
  // Direct mode schedules several tool calls at once: take them all eagerly (default 3).
  maxEagerActivityReservationsPerWorkflowTask: 50,
} as const satisfies Partial<WorkerOptions>;
