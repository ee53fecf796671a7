/** Worker settings mcpflow's workflows and activities are measured with; McpflowPlugin applies those a worker does not set. */
import type { WorkerOptions } from '@temporalio/worker';

export const MCPFLOW_WORKER_TUNING = {
  // A worker that died leaves its sticky tasks behind: after 500 ms (default 10 s) they go to
  // the shared queue and another worker resumes the run (recovery 11 s → 2 s at 1 s, and the
  // task after a retried Responses call waited out this timeout too; docs/benchmarks.md).
  stickyQueueScheduleToStartTimeout: '500ms',
  // Heartbeats reach the server at least every second (SDK: 80% of the heartbeat timeout, 1.6 s
  // for a streamed Responses call): 1 s of slack before its 2 s timeout (workflows/query/model.ts).
  maxHeartbeatThrottleInterval: '1s',
  // Direct mode schedules several tool calls at once: take them all eagerly (default 3).
  maxEagerActivityReservationsPerWorkflowTask: 50,
} as const satisfies Partial<WorkerOptions>;
