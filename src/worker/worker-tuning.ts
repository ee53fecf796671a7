/** Worker settings mcpflow's workflows and activities are measured with (src/worker/worker.ts explains each). */
import type { WorkerOptions } from '@temporalio/worker';

export const MCPFLOW_WORKER_TUNING = {
  // A dead worker's sticky tasks go to the shared queue after 500 ms (default 10 s).
  stickyQueueScheduleToStartTimeout: '500ms',
  // Heartbeats reach the server at least every second: slack before the 2 s heartbeat timeout of a streamed Responses call.
  maxHeartbeatThrottleInterval: '1s',
  // Direct mode schedules several tool calls at once: take them all eagerly (default 3).
  maxEagerActivityReservationsPerWorkflowTask: 50,
} as const satisfies Partial<WorkerOptions>;
