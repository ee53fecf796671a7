/**
 * A retried attempt of a heartbeating activity (a streamed Responses call) unsticks its run
 * (src/worker/sticky-reset.ts): the workflow task its completion schedules goes to the shared
 * task queue, where any live worker takes it at once, not to the sticky queue of the worker that
 * ran the earlier attempt (dead, when the attempt was retried after a heartbeat timeout). A run
 * whose call succeeds at once keeps its sticky queue.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { runQuery } from '../../workflows/query';
import type { QueryInput } from '../../workflows/messages';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();

function weatherQuery(): QueryInput {
  return {
    query: "What's the weather in Paris?",
    servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
    stream: true,
    retry: { max_retries: 3, base_delay_ms: 50, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 },
  };
}

/** The kind of task queue of the workflow task scheduled after the (last) callResponsesApi completed, and that call's attempt. */
async function taskAfterCall(handle: WorkflowHandle): Promise<{ kind: temporal.api.enums.v1.TaskQueueKind | null | undefined; attempt: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const started = events.filter((event) => event.activityTaskStartedEventAttributes).at(-1);
  const completed = events.findIndex((event) => event.activityTaskCompletedEventAttributes?.startedEventId?.toString() === started?.eventId?.toString());
  assert.ok(completed > 0, 'the call completed');
  const next = events.slice(completed + 1).find((event) => event.workflowTaskScheduledEventAttributes);
  return { kind: next?.workflowTaskScheduledEventAttributes?.taskQueue?.kind, attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0 };
}

describe('sticky queue reset on a retried heartbeating activity', () => {
  it('the task after a retried streamed call goes to the shared queue; after a first-attempt call, to the sticky one', async () => {
    const taskQueue = uniqueTaskQueue('sticky-reset');
    const worker = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    try {
      const plain = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('sticky-kept'), args: [weatherQuery()] });
      assert.equal((await plain.result()).success, true);
      assert.deepEqual(await taskAfterCall(plain), { kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY, attempt: 1 });

      // A retryable failure of the first attempt: the second attempt resets the run's sticky queue.
      stack.emulator.setFaults({ failNext: { status: 500, count: 1 } });
      const retried = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('sticky-reset'), args: [weatherQuery()] });
      assert.equal((await retried.result()).success, true);
      assert.deepEqual(await taskAfterCall(retried), { kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL, attempt: 2 });
    } finally {
      stack.emulator.setFaults({ failNext: undefined });
      await worker.stop();
    }
  });
});
