/**
 * A direct-mode call of a tool with side effects, cut by a worker SIGKILL while the calendar
 * server holds it (injected latency): the call gets a single attempt, the dead worker is noticed
 * by the 2 s heartbeat timeout (not after call_timeout_ms, 120 s), and the call is recorded as
 * failed with an unknown outcome. The query fails saying so; nothing claims the event was made.
 * No mocks: worker processes, the dev server, the emulator, the demo calendar server.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { QUERY_FAILED } from '../../src/core/failures';
import { failureOutcome } from '../../src/core/line-outcome';
import { resultQuery, statsQuery } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, taskFailures, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';

const rows = reliabilityRows(11, 'direct-cut');
const stack = useOfflineStack();
after(() => rows.flush());

/** Longer than the test's patience: a dead worker noticed only by call_timeout_ms would time the test out. */
const HELD_AT_SERVER_MS = 300_000;
/** TimeoutType.TIMEOUT_TYPE_HEARTBEAT of temporal.api.enums.v1. */
const HEARTBEAT_TIMEOUT_TYPE = 4;

function eventMs(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

describe('reliability: worker SIGKILL inside a direct call of a tool with side effects', () => {
  it(
    'the cut is noticed by the heartbeat timeout; the call is recorded failed, outcome unknown; the query fails; create_event ran at most once',
    { timeout: 90_000 },
    async (t) => {
      const calendar = stack.demo.servers.calendar;
      calendar.reset();
      const taskQueue = uniqueTaskQueue('direct-cut');
      const workerEnv = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
      const first = await startWorkerProcess(workerEnv);
      let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
      try {
        calendar.setFaults({ latencyMs: HELD_AT_SERVER_MS });
        const script = {
          calls: [{ tool: 'calendar__create_event', arguments: { title: 'Cut review', date: 'today', start_time: '16:00' } }],
          answer: 'Booked the review.',
        };
        const handle = await stack.env.client.workflow.start(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('direct-cut'),
          // call_timeout_ms stays at its default (120 s): only the heartbeat timeout can notice the kill in time.
          args: [
            {
              query: 'Book a review today at 16:00',
              mode: 'direct',
              servers: [{ label: 'calendar', url: calendar.url, require_approval: 'never' }],
              retry: FAST_RETRY,
              metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify(script) },
            },
          ],
        });
        await until(
          async () =>
            ((await handle.describe()).raw.pendingActivities ?? []).some(
              (activity) => activity.activityType?.name === 'callToolDirect' && activity.state === 2 /* STARTED */,
            ),
          'the direct tool call',
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // the tools/call request is held at the server
        const killedAt = Date.now();
        await first.kill();
        calendar.setFaults({ latencyMs: 0 });
        second = await startWorkerProcess(workerEnv);

        const failure = await handle.result().then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(failure instanceof WorkflowFailedError, 'the query fails: a cut side effect is not a success');
        assert.ok(failure.cause instanceof ApplicationFailure && failure.cause.type === QUERY_FAILED, String(failure.cause));
        assert.match(failure.cause.message, /outcome_unknown/);

        const events = (await handle.fetchHistory()).events ?? [];
        const timedOut = events.find((event) => event.activityTaskTimedOutEventAttributes);
        assert.equal(
          timedOut?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType,
          HEARTBEAT_TIMEOUT_TYPE,
          'noticed by the heartbeat timeout',
        );
        const detectedMs = eventMs(timedOut!) - killedAt;
        t.diagnostic(
          `the kill was noticed ${detectedMs} ms after the SIGKILL (heartbeat timeout); the run failed ${Date.now() - killedAt} ms after it (a new worker had to start)`,
        );

        const result = await handle.query(resultQuery);
        assert.ok(result);
        assert.equal(result.success, false);
        assert.equal(result.error_type, 'outcome_unknown');
        assert.equal(result.failed_calls, 1);
        assert.equal(result.unknown_outcome_calls, 1);
        const [call] = result.tool_calls;
        assert.equal(result.tool_calls.length, 1, 'one call record');
        assert.equal(call?.status, 'failed');
        assert.equal(call?.error_type, 'outcome_unknown');
        assert.match(call?.error_message ?? '', /may or may not have run/);
        assert.match(call?.error_message ?? '', /heartbeat timeout/);

        const stats = await handle.query(statsQuery);
        assert.equal(stats.successful, 0);
        assert.equal(stats.failed_calls, 1);
        assert.equal(stats.unknown_outcome_calls, 1);
        assert.equal(stats.errors_by_type.outcome_unknown, 1);

        // What a batch reads from this line's failure.
        const line = failureOutcome(failure.cause);
        assert.equal(line.success, false);
        assert.equal(line.error_type, 'outcome_unknown');
        assert.equal(line.failed_calls, 1);
        assert.equal(line.unknown_outcome_calls, 1);

        const executions = calendar.counters().executed.create_event ?? 0;
        assert.ok(executions <= 1, `create_event ran ${executions}×`);
        const failures = await taskFailures(handle);
        assert.equal(failures, 0);
        rows.push({
          section: 11,
          scenario: 'worker SIGKILL inside a direct call of a tool with side effects (create_event held at the calendar server; call_timeout_ms 120 s)',
          runs: 1,
          completed: 1,
          lost: 0,
          duplicated: `0 (create_event ran ${executions}×; allowed 1)`,
          expected:
            'yes: noticed by the 2 s heartbeat timeout; the call recorded failed with error type outcome_unknown ("may or may not have run"); the query failed (QueryFailed, outcome_unknown), failed_calls 1, no success claimed',
        });
      } finally {
        calendar.setFaults({ latencyMs: 0 });
        await first.stop();
        await second?.stop();
      }
    },
  );
});
