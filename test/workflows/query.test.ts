/**
 * runQuery end to end on real components: the Temporal dev server, a worker with the real
 * activities, the Responses API emulator over HTTP, and the demo MCP servers over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { startEmulator } from '../../src/emulator';
import type { ServerConfigInput } from '../../src/core/servers';
import type { CallRecord, QueryResult } from '../../src/core/records';
import { approveUpdate, denyUpdate, historyQuery, progressQuery, statsQuery, catalogQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { historyText, saveHistoryFixture } from '../helpers/histories';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const SEED_QUERY = "What's the weather in London and do I have any meetings today?";
const FAST_RETRY = { max_retries: 3, base_delay_ms: 100, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 };

const stack = useOfflineStack();

function seedServers(): ServerConfigInput[] {
  return [
    { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
    { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
  ];
}

function queryInput(overrides: Partial<QueryInput> = {}): QueryInput {
  return { query: SEED_QUERY, servers: seedServers(), retry: FAST_RETRY, ...overrides };
}

function waitForApproval(handle: WorkflowHandle) {
  return waitFor(
    () => handle.query(progressQuery),
    (progress) => progress.pending_approvals.length > 0,
    'an approval request',
    20_000,
  );
}

/** Runs `body` with a worker whose activities talk to the emulator with these environment variables. */
function withQueryWorker<T>(env: Record<string, string>, body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('query');
  return withWorker(
    { taskQueue, activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env }) },
    async (testEnv) => body((input) => testEnv.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('query'), args: [input] })),
  );
}

describe('runQuery: the seed scenario', () => {
  it('discovers, calls weather, waits for the calendar approval, and answers', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput());
      const waiting = await waitForApproval(handle);
      assert.equal(waiting.state, 'waiting_approval');
      assert.deepEqual(
        waiting.pending_approvals.map((approval) => [approval.server, approval.tool]),
        [['calendar', 'list_events']],
      );
      const callsBefore = stack.demo.servers.calendar.counters().executed.list_events ?? 0;

      const outcome = await handle.executeUpdate(approveUpdate, { args: [{}] });
      assert.deepEqual(outcome, { answered: [waiting.pending_approvals[0]!.id], approve: true });

      const result: QueryResult = await handle.result();
      assert.equal(result.success, true);
      assert.match(result.text_response, /London/);
      assert.deepEqual(result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`).sort(), [
        'calendar.list_events:completed',
        'weather.get_current_weather:completed',
      ]);
      assert.equal(stack.demo.servers.calendar.counters().executed.list_events, callsBefore + 1);

      const stats = await handle.query(statsQuery);
      assert.equal(stats.tool_calls, 2);
      assert.equal(stats.total_queries, 1);
      assert.deepEqual(stats.tool_usage, { get_current_weather: 1, list_events: 1 });
      assert.ok(stats.tools_cached >= 4, `tools_cached ${stats.tools_cached}`);

      const history: CallRecord[] = await handle.query(historyQuery, {});
      assert.equal(history.length, 2);
      for (const call of history) {
        assert.equal(typeof call.duration_ms, 'number', `${call.tool} has a duration`);
        assert.ok(call.started_at && call.completed_at && call.started_at <= call.completed_at);
      }
      const calendarOnly = await handle.query(historyQuery, { server: 'calendar' });
      assert.deepEqual(
        calendarOnly.map((call) => call.tool),
        ['list_events'],
      );
      assert.equal(calendarOnly[0]!.approval_request_id, waiting.pending_approvals[0]!.id);

      const catalog = await handle.query(catalogQuery);
      assert.deepEqual(Object.keys(catalog.servers).sort(), ['calendar', 'weather']);

      const description = await handle.describe();
      assert.equal(description.status.name, 'COMPLETED');
      await saveHistoryFixture(handle, 'query-seed-scenario-approved');
    });
  });

  it('a denial with a reason reaches the answer and the history', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput());
      const waiting = await waitForApproval(handle);
      await handle.executeUpdate(denyUpdate, { args: [{ approval_request_id: waiting.pending_approvals[0]!.id, reason: 'calendar is private today' }] });
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.match(result.text_response, /calendar is private today/);
      const denied = result.tool_calls.filter((call) => call.status === 'denied');
      assert.equal(denied.length, 1);
      assert.equal(denied[0]!.tool, 'list_events');
      assert.equal(denied[0]!.error_message, 'calendar is private today');
      await saveHistoryFixture(handle, 'query-denied');
    });
  });

  it('an unanswered approval is denied when its timeout passes', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput({ approval_timeout_ms: 1_000 }));
      const result = await handle.result();
      assert.equal(result.success, true);
      const denied = result.tool_calls.find((call) => call.status === 'denied');
      assert.ok(denied, 'the calendar call was denied');
      assert.match(denied.error_message ?? '', /no answer within 1 s/);
    });
  });

  it('an answer for an unknown approval id is rejected by the validator and leaves no trace in history', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput());
      await waitForApproval(handle);
      await assert.rejects(handle.executeUpdate(approveUpdate, { args: [{ approval_request_id: 'mcpr_does_not_exist' }] }), (error: unknown) => {
        assert.ok(error instanceof WorkflowUpdateFailedError);
        assert.match(String((error.cause as Error)?.message), /unknown approval request mcpr_does_not_exist/);
        return true;
      });
      const history = await handle.fetchHistory();
      const updateEvents = (history.events ?? []).filter(
        (event) => event.workflowExecutionUpdateAcceptedEventAttributes || event.workflowExecutionUpdateCompletedEventAttributes,
      );
      assert.equal(updateEvents.length, 0);
      const progress = await handle.query(progressQuery);
      assert.equal(progress.pending_approvals.length, 1, 'still waiting');
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      assert.equal((await handle.result()).success, true);
    });
  });
});

describe('runQuery: what a user sees and what history never holds', () => {
  it('the Web UI current details name server and tool; search attributes find the run', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput());
      await waitForApproval(handle);
      const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
      assert.match(metadata.currentDetails ?? '', /Waiting for approval/);
      assert.match(metadata.currentDetails ?? '', /calendar · list_events/);
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      await handle.result();
      const { client } = stack.env;
      const query = `WorkflowId = '${handle.workflowId}' AND McpServers = 'calendar' AND McpState = 'completed' AND McpToolCallCount = 2`;
      const found = await waitFor(
        async () => {
          const ids: string[] = [];
          for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
          return ids;
        },
        (ids) => ids.length === 1,
        'the run in visibility',
        20_000,
      );
      assert.deepEqual(found, [handle.workflowId]);
      const events = (await handle.fetchHistory()).events ?? [];
      const summaries = events.flatMap((event) =>
        event.activityTaskScheduledEventAttributes && event.userMetadata?.summary ? [event.userMetadata.summary] : [],
      );
      assert.ok(summaries.length >= 2, 'activities carry summaries');
    });
  });

  it('without search attributes on the namespace (search_attributes: false) a run upserts none and still completes', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(queryInput({ query: "What's the weather in London?", servers: [seedServers()[0]!], search_attributes: false }));
      assert.equal((await handle.result()).success, true);
      const events = (await handle.fetchHistory()).events ?? [];
      // Temporal's own TemporalChangeVersion (set by patched()) is a system attribute every namespace has.
      const upserted = events.flatMap((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
      assert.deepEqual(
        upserted.filter((name) => name !== 'TemporalChangeVersion'),
        [],
      );
    });
  });

  it('a header secret reaches the server through the worker, never through history', async () => {
    const secret = 'weather-token-5f1c0a9e7d3b';
    await withQueryWorker({ WEATHER_TOKEN: secret }, async (start) => {
      const handle = await start(
        queryInput({
          query: "What's the weather in London?",
          servers: [
            {
              label: 'weather',
              url: stack.demo.servers.weather.url,
              require_approval: 'never',
              headers: { 'X-Api-Key': { env: 'WEATHER_TOKEN' } },
              inline: true,
            },
          ],
        }),
      );
      const result = await handle.result();
      assert.equal(result.success, true);
      const history = await historyText(handle);
      assert.doesNotMatch(history, new RegExp(secret));
      assert.match(history, /WEATHER_TOKEN/, 'the reference is there instead');
    });
  });

  it('a missing secret fails the call as authentication, naming the variable', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start(
        queryInput({
          query: "What's the weather in London?",
          servers: [{ label: 'weather', url: stack.demo.servers.weather.url, headers: { 'X-Api-Key': { env: 'MISSING_TOKEN' } }, inline: true }],
        }),
      );
      const failure = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof WorkflowFailedError);
      assert.match(String(failure.cause?.message), /MISSING_TOKEN/);
      assert.match(String(failure.cause?.message), /authentication/);
    });
  });

  it('a malformed input fails the run at once, naming the field', async () => {
    await withQueryWorker({}, async (start) => {
      const handle = await start({ ...queryInput(), servers: [{ label: 'bad label!', url: 'not a url' }] } as QueryInput);
      const failure = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof WorkflowFailedError);
      assert.match(String(failure.cause?.message), /servers\[0\]\.label/);
      assert.match(String(failure.cause?.message), /servers\[0\]\.url/);
    });
  });
});

describe('runQuery: faults, classified and retried by Temporal', () => {
  it('a 429 with retry-after 2 s is retried no sooner than 2 s later and succeeds', async () => {
    await withQueryWorker({}, async (start) => {
      stack.emulator.setFaults({ failNext: { count: 1, status: 429, code: 'rate_limit_exceeded', retryAfterMs: 2_000 } });
      const handle = await start(queryInput({ query: "What's the weather in Paris?", servers: [seedServers()[0]!], force_refresh: false }));
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.ok(result.retries >= 1, `retries ${result.retries}`);
      const events = (await handle.fetchHistory()).events ?? [];
      const started = events.filter((event) => event.activityTaskStartedEventAttributes);
      const retried = started.find((event) => (event.activityTaskStartedEventAttributes!.attempt ?? 1) >= 2);
      assert.ok(retried, 'an activity ran a second attempt');
      const scheduled = events.find((event) => Number(event.eventId) === Number(retried.activityTaskStartedEventAttributes!.scheduledEventId));
      const waitedMs = eventTime(retried) - eventTime(scheduled!);
      assert.ok(waitedMs >= 2_000, `the retry came ${waitedMs} ms after the first attempt`);
      const lastFailure = retried.activityTaskStartedEventAttributes!.lastFailure;
      assert.equal(lastFailure?.applicationFailureInfo?.type, 'rate_limit');
      await saveHistoryFixture(handle, 'query-rate-limited');
    });
  });

  it('x-should-retry decides: a 400 the server says to retry is retried (under a retryable type), a 500 it says not to is not', async () => {
    await withQueryWorker({}, async (start) => {
      stack.emulator.setFaults({ failNext: { count: 1, status: 400, shouldRetry: true } });
      const retried = await start(queryInput({ query: "What's the weather in Paris?", servers: [seedServers()[0]!] }));
      const result = await retried.result();
      assert.equal(result.success, true);
      assert.equal(result.retries, 1);

      stack.emulator.setFaults({ failNext: { count: 1, status: 500, shouldRetry: false } });
      const stopped = await start(queryInput({ query: "What's the weather in Paris?", servers: [seedServers()[0]!] }));
      const failure = await stopped.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof WorkflowFailedError);
      assert.match(String(failure.cause?.message), /x-should-retry: false/);
    });
  });

  it('a 401 fails at once as authentication', async () => {
    const guarded = await startEmulator({ apiKeys: ['sk-test-right-key-0123456789'] });
    try {
      const taskQueue = uniqueTaskQueue('auth');
      await withWorker(
        { taskQueue, activities: createActivities({ openaiBaseURL: guarded.url, env: { OPENAI_API_KEY: 'sk-test-wrong-key-0123456789' } }) },
        async (testEnv) => {
          const handle = await testEnv.client.workflow.start(runQuery, {
            taskQueue,
            workflowId: uniqueWorkflowId('auth'),
            args: [queryInput({ servers: [seedServers()[0]!] })],
          });
          const failure = await handle.result().then(
            () => undefined,
            (error: unknown) => error,
          );
          assert.ok(failure instanceof WorkflowFailedError);
          assert.ok(failure.cause instanceof ApplicationFailure);
          assert.equal(failure.cause.type, 'QueryFailed');
          assert.match(failure.cause.message, /\(authentication\)/);
          assert.doesNotMatch(failure.cause.message, /wrong-key-0123456789/);
          assert.equal(guarded.stats().requestsServed, 1, 'no retry after a 401');
        },
      );
    } finally {
      await guarded.close();
    }
  });

  it('an unreachable server retries with backoff, then keeps its cached tools marked stale and the query goes on without it', async () => {
    await withQueryWorker({}, async (start) => {
      const first = await start(queryInput({ query: "What's the weather in Paris?", servers: seedServers() }));
      await first.result();
      const cached = await first.query(catalogQuery);
      assert.equal(cached.servers.calendar?.status, 'ok');

      stack.demo.servers.calendar.setFaults({ unavailableForMs: 60_000 });
      try {
        const handle = await start(queryInput({ catalog: cached, force_refresh: true }));
        const result = await handle.result();
        const catalog = await handle.query(catalogQuery);
        assert.equal(catalog.servers.calendar?.status, 'error');
        assert.equal(catalog.servers.calendar?.stale, true);
        assert.equal(catalog.servers.calendar?.error?.type, 'connection');
        assert.deepEqual(
          catalog.servers.calendar?.tools.map((tool) => tool.name),
          cached.servers.calendar?.tools.map((tool) => tool.name),
        );
        assert.equal(result.success, true);
        assert.deepEqual(
          result.tool_calls.map((call) => call.server),
          ['weather'],
        );
        assert.ok(result.retries >= FAST_RETRY.max_retries, `retries ${result.retries}`);
        const stats = await handle.query(statsQuery);
        assert.equal(stats.errors_by_type.connection, 1);
        assert.equal(stats.error_summary.total_errors, 1);
        assert.equal(stats.error_summary.recoverable_count, 1);
        assert.deepEqual(
          stats.error_summary.last_errors.map((error) => error.type),
          ['connection'],
        );
        await saveHistoryFixture(handle, 'query-server-unreachable');
      } finally {
        stack.demo.servers.calendar.setFaults({ unavailableForMs: 0 });
      }
    });
  });

  it('when retries run out, a fallback_result (an earlier answer) is returned marked stale; without one the run fails', async () => {
    await withQueryWorker({}, async (start) => {
      const input = queryInput({ query: "What's the weather in Paris?", servers: [seedServers()[0]!] });
      const earlier = await (await start(input)).result();
      assert.equal(earlier.success, true);

      stack.emulator.setFaults({ failNext: { count: 1, status: 500, shouldRetry: false } });
      const handle = await start({ ...input, fallback_result: earlier });
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.equal(result.stale, true);
      assert.equal(result.text_response, earlier.text_response);
      assert.equal(result.error_type, 'connection');
      assert.match(String(result.error), /x-should-retry: false|500/);
      const stats = await handle.query(statsQuery);
      assert.equal(stats.error_summary.total_errors, 1);

      stack.emulator.setFaults({ failNext: { count: 1, status: 500, shouldRetry: false } });
      const failure = await (await start(input)).result().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof WorkflowFailedError);
      assert.ok(failure.cause instanceof ApplicationFailure);
      assert.equal(failure.cause.type, 'QueryFailed');
    });
  });

  it('a tool execution error is recorded on its call while the query completes', async () => {
    await withQueryWorker({}, async (start) => {
      stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'tool_error', tool: 'get_current_weather' } });
      const handle = await start(queryInput({ query: "What's the weather in Tokyo?", servers: [seedServers()[0]!] }));
      const result = await handle.result();
      assert.equal(result.success, true);
      const [call] = result.tool_calls;
      assert.equal(call?.status, 'failed');
      assert.equal(call?.error_type, 'execution_error');
      assert.ok(call?.error_message);
      const failed = await handle.query(historyQuery, { status: 'failed' });
      assert.equal(failed.length, 1);
      await saveHistoryFixture(handle, 'query-tool-error');
    });
  });
});

function eventTime(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  const seconds = Number(event.eventTime?.seconds ?? 0);
  return seconds * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}
