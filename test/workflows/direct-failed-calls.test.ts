/**
 * Failed calls in direct mode, on real components: a call of a tool with side effects that was
 * sent and got no answer in time is recorded as failed with an unknown outcome and fails the
 * query (the model is not asked again); a tool that reported an error is a failed call the model
 * answers about. Results and statistics count both (failed_calls, unknown_outcome_calls).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { failedCallsLine } from '../../src/cli/commands/stats';
import { QUERY_FAILED } from '../../src/core/failures';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { failureOutcome, resultOutcome } from '../../src/core/line-outcome';
import { progressQuery, resultQuery, statsQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { FAST_RETRY } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();

function bookingQuery(overrides: Partial<QueryInput> = {}): QueryInput {
  const script = {
    calls: [{ tool: 'calendar__create_event', arguments: { title: 'Review', date: 'today', start_time: '10:00' } }],
    answer: 'Booked the review.',
  };
  return {
    query: 'Book a review today at 10:00',
    mode: 'direct',
    servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'never' }],
    retry: FAST_RETRY,
    metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify(script) },
    ...overrides,
  };
}

function run<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('failed-calls');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, (env) =>
    body((input) => env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('failed-calls'), args: [input] })),
  );
}

describe('failed calls in direct mode', () => {
  it('a side effect with no answer within call_timeout_ms: failed, outcome unknown; the query fails without asking the model again', async () => {
    const calendar = stack.demo.servers.calendar;
    calendar.reset();
    calendar.setFaults({ latencyMs: 30_000 });
    try {
      await run(async (start) => {
        const handle = await start(bookingQuery({ call_timeout_ms: 3_000 }));
        const failure = await handle.result().then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(failure instanceof WorkflowFailedError, 'not a success');
        assert.ok(failure.cause instanceof ApplicationFailure && failure.cause.type === QUERY_FAILED);
        const result = await handle.query(resultQuery);
        assert.equal(result?.success, false);
        assert.equal(result?.error_type, 'outcome_unknown');
        assert.equal(result?.failed_calls, 1);
        assert.equal(result?.unknown_outcome_calls, 1);
        assert.equal(result?.tool_calls[0]?.error_type, 'outcome_unknown');
        assert.match(result?.tool_calls[0]?.error_message ?? '', /may or may not have run/);
        assert.equal((await handle.query(progressQuery)).step, 1, 'the model was not asked again after the cut call');
        const stats = await handle.query(statsQuery);
        assert.equal(stats.failed_calls, 1);
        assert.equal(stats.unknown_outcome_calls, 1);
        assert.match(failedCallsLine(handle.workflowId, stats) ?? '', /1 with an unknown outcome/);
        const line = failureOutcome(failure.cause);
        assert.deepEqual([line.success, line.error_type, line.failed_calls, line.unknown_outcome_calls], [false, 'outcome_unknown', 1, 1]);
        assert.ok((calendar.counters().executed.create_event ?? 0) <= 1);
        await saveHistoryFixture(handle, 'query-direct-cut-outcome-unknown');
      });
    } finally {
      calendar.setFaults({ latencyMs: 0 });
    }
  });

  it('a tool with side effects that reports an error: a failed call, counted; the model answers; its outcome is known', async () => {
    const calendar = stack.demo.servers.calendar;
    calendar.reset();
    calendar.setFaults({ failNext: { count: 1, kind: 'tool_error', tool: 'create_event' } });
    await run(async (start) => {
      const handle = await start(bookingQuery());
      const result = await handle.result();
      assert.equal(result.failed_calls, 1);
      assert.equal(result.unknown_outcome_calls, 0);
      assert.equal(result.tool_calls[0]?.error_type, 'execution_error');
      const stats = await handle.query(statsQuery);
      assert.equal(stats.failed_calls, 1);
      assert.equal(stats.unknown_outcome_calls, 0);
      assert.doesNotMatch(failedCallsLine(handle.workflowId, stats) ?? '', /unknown/);
      const line = resultOutcome(result);
      assert.equal(line.failed_calls, 1, 'a batch line sees the failed call');
    });
  });
});
