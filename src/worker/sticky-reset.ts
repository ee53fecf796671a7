/**
 * After a worker dies inside an activity that heartbeats (a streamed Responses call), Temporal
 * retries the activity once the heartbeat timeout passes, and the workflow task that follows the
 * retried attempt goes first to the dead worker's sticky queue: it waits there for the worker's
 * stickyQueueScheduleToStartTimeout (500 ms; a server with the default
 * history.timerProcessorMaxTimeShift fires that timer up to ~1 s late) before
 * any live worker may take it. The history of a recovered run showed exactly that wait
 * (docs/benchmarks.md, recovery inside a Responses call).
 *
 * A retried attempt of such an activity therefore asks the server to forget the run's sticky queue
 * (ResetStickyTaskQueue), while the attempt runs, so the next workflow task goes to the shared
 * queue at once. When the earlier attempt failed on a live worker instead, this costs that worker
 * one replay of the run (~12 ms of CPU for a query), only on retries. Best effort: an error of the
 * reset never fails the attempt.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The one RPC this needs (WorkflowService of @temporalio/client's or a NativeConnection's client). */
export interface StickyResetService {
  resetStickyTaskQueue(request: { namespace: string; execution: { workflowId: string; runId: string } }): Promise<unknown>;
}

export function stickyResetInterceptor(service: StickyResetService): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      execute: async (input, next) => {
        const { attempt, heartbeatTimeoutMs, workflowExecution, workflowNamespace } = context.info;
        if (attempt <= 1 || !heartbeatTimeoutMs || !workflowExecution || !workflowNamespace) return next(input);
        const reset = service.resetStickyTaskQueue({ namespace: workflowNamespace, execution: workflowExecution }).then(
          () => undefined,
          (error: unknown) =>
            context.log.warn("could not reset the sticky queue of a retried activity's run (its next workflow task may wait for a dead worker)", {
              error: error instanceof Error ? error.message : String(error),
            }),
        );
        // Settled before the attempt completes: the task its completion schedules must not go sticky.
        try {
          return await next(input);
        } finally {
          await reset;
        }
      },
    },
  });
}
