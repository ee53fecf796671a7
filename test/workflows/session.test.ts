/**
 * mcpSession on real components: many queries as child workflows, the TTL cache, standing
 * approvals that a changed tool definition invalidates, statistics that match the export, and
 * continue-as-new that carries it all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { totalsOf, statisticsFromTotals } from '../../src/core/records';
import {
  addServerUpdate,
  approveUpdate,
  executeQueryUpdate,
  isQueryStarted,
  progressQuery,
  exportQuery,
  refreshToolsUpdate,
  rememberApprovalUpdate,
  sessionProgressQuery,
  statsQuery,
  type SessionInput,
} from '../../workflows/messages';
import { mcpSession } from '../../workflows/session';
import { historyText, saveHistoryFixture } from '../helpers/histories';
import { askSession, childResult, waitUntilRecorded } from '../helpers/sessions';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const FAST_RETRY = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

const stack = useOfflineStack();

function withSession<T>(input: SessionInput, body: (session: WorkflowHandle<typeof mcpSession>, env: TestEnv) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('session');
  return withWorker(
    { taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) },
    async (env) => {
      const session = await env.client.workflow.start(mcpSession, { taskQueue, workflowId: uniqueWorkflowId('session'), args: [input] });
      try {
        return await body(session, env);
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    },
  );
}

describe('mcpSession', () => {
  it('five queries: statistics equal those computed from the exported history', async () => {
    await withSession({ retry: FAST_RETRY }, async (session, env) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'database', url: stack.demo.servers.database.url, require_approval: 'never' }] });
      stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'tool_error', tool: 'get_forecast' } });
      const queries = [
        "What's the weather in London?",
        "What's the weather in Paris?",
        'What is the forecast for Tokyo?',
        'How many customers are in the database?',
        "What's the weather in London?",
      ];
      for (const query of queries) {
        const result = await askSession(env.client, session, { query });
        assert.equal(result.query, query);
        assert.equal(result.success, true, `${query}: ${result.error}`);
      }
      const stats = await session.query(statsQuery);
      const exported = await session.query(exportQuery);
      assert.equal(stats.total_queries, 5);
      assert.equal(exported.results.length, 5);
      assert.deepEqual(exported.servers, ['weather', 'database']);
      const recomputed = statisticsFromTotals(
        totalsOf(exported.results, exported.call_history, exported.errors),
        exported.servers.length,
        stats.tools_cached,
        exported.errors,
      );
      assert.deepEqual(stats, recomputed);
      assert.deepEqual(exported.statistics, stats);
      assert.ok(stats.tool_calls >= 5, `tool calls ${stats.tool_calls}`);
      assert.equal(stats.errors_by_type.execution_error, 1, 'the forecast tool error is counted');
      assert.equal(
        exported.errors.find((error) => error.type === 'execution_error')?.retryable,
        true,
        'a tool error keeps its retryability (read-only tools are retried)',
      );
      const progress = await session.query(sessionProgressQuery);
      assert.equal(progress.queries_run, 5);
      assert.equal(progress.state, 'idle');
      await saveHistoryFixture(session, 'session-five-queries-started-at-once');
    });
  });

  it('refreshes through the TTL cache and reports a tool added to a server', async () => {
    await withSession({ retry: FAST_RETRY, cache_ttl_ms: 60 * 60_000 }, async (session) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url }] });
      const first = await session.executeUpdate(refreshToolsUpdate, { args: [{}] });
      assert.equal(first.from_cache, false);
      assert.ok(first.diff.added.some((tool) => tool.name === 'list_events'));
      const cached = await session.executeUpdate(refreshToolsUpdate, { args: [{}] });
      assert.equal(cached.from_cache, true);

      stack.demo.servers.calendar.addTool({ name: 'find_free_slot', description: 'Find a free slot in the calendar' });
      try {
        const forced = await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
        assert.equal(forced.from_cache, false);
        assert.deepEqual(forced.diff.added, [{ server_label: 'calendar', name: 'find_free_slot' }]);
        assert.deepEqual(forced.diff.removed, []);
      } finally {
        stack.demo.servers.calendar.removeTool('find_free_slot');
      }
    });
  });

  it('a standing approval skips the wait until the tool definition changes', async () => {
    await withSession({ retry: FAST_RETRY }, async (session, env) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
      await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
      const standing = await session.executeUpdate(rememberApprovalUpdate, { args: [{ server: 'calendar', tool: 'list_events' }] });
      assert.equal(standing.length, 1);

      const result = await askSession(env.client, session, { query: 'Do I have any meetings today?' });
      assert.equal(result.success, true);
      assert.deepEqual(
        result.tool_calls.map((call) => `${call.tool}:${call.status}`),
        ['list_events:completed'],
      );

      stack.demo.servers.calendar.removeTool('list_events');
      stack.demo.servers.calendar.addTool({ name: 'list_events', description: 'A different tool under the same name' });
      try {
        const refreshed = await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
        assert.deepEqual(
          refreshed.diff.changed.map((tool) => tool.name),
          ['list_events'],
        );
        assert.deepEqual(
          refreshed.invalidated_approvals.map((approval) => approval.tool),
          ['list_events'],
        );
        assert.deepEqual((await session.query(sessionProgressQuery)).standing_approvals, []);
        await saveHistoryFixture(session, 'session-standing-approval-started-at-once');
      } finally {
        stack.demo.servers.calendar.reset();
      }
    });
  });

  it('a malformed queryState signal is ignored: the session keeps answering', async () => {
    await withSession({}, async (session) => {
      await session.signal('queryState');
      await session.signal('queryState', { workflow_id: 42 } as never);
      const servers = await session.executeUpdate(addServerUpdate, {
        args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
      });
      assert.deepEqual(servers, ['weather']);
      const events = (await session.fetchHistory()).events ?? [];
      assert.equal(events.filter((event) => event.workflowTaskFailedEventAttributes).length, 0);
    });
  });

  it('rejects a server with a plain-text secret, naming the field, without touching history', async () => {
    await withSession({}, async (session) => {
      await assert.rejects(
        session.executeUpdate(addServerUpdate, {
          args: [{ label: 'weather', url: stack.demo.servers.weather.url, headers: { Authorization: 'Bearer sk-live-secret-value' } } as never],
        }),
        (error: unknown) => {
          assert.ok(error instanceof WorkflowUpdateFailedError);
          const message = String((error.cause as Error).message);
          assert.match(message, /headers\.Authorization/);
          assert.doesNotMatch(message, /sk-live-secret-value/);
          return true;
        },
      );
      const history = await historyText(session);
      assert.doesNotMatch(history, /sk-live-secret-value/);
      assert.deepEqual((await session.query(sessionProgressQuery)).servers, []);
    });
  });

  it('continues as new when history grows, carrying statistics and the catalog', async () => {
    await withSession({ retry: FAST_RETRY, continue_as_new_after_events: 50 }, async (session, env) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
      const firstRunId = (await session.describe()).runId;
      for (const city of ['London', 'Paris', 'Tokyo']) {
        await askSession(env.client, env.client.workflow.getHandle(session.workflowId), { query: `What's the weather in ${city}?` });
      }
      const latest = env.client.workflow.getHandle(session.workflowId);
      const deadline = Date.now() + 15_000;
      while ((await latest.describe()).runId === firstRunId && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.notEqual((await latest.describe()).runId, firstRunId, 'the session continued as new');
      const stats = await latest.query(statsQuery);
      assert.equal(stats.total_queries, 3);
      assert.ok(stats.tools_cached >= 2);
      assert.deepEqual((await latest.query(sessionProgressQuery)).servers, ['weather']);
    });
  });

  it('twelve queries waiting for approval do not block refreshTools, addServer or another query', async () => {
    await withSession({ retry: FAST_RETRY }, async (session, env) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
      const started: string[] = [];
      for (let i = 0; i < 12; i++) {
        const outcome = await session.executeUpdate(executeQueryUpdate, { args: [{ query: 'Do I have any meetings today?' }] });
        assert.ok(isQueryStarted(outcome), 'executeQuery returns the child id at once');
        started.push(outcome.workflow_id);
      }
      for (const id of started)
        await waitFor(
          () => env.client.workflow.getHandle(id).query(progressQuery),
          (p) => p.pending_approvals.length > 0,
          `${id} waiting`,
        );
      assert.equal((await session.query(sessionProgressQuery)).state, 'waiting');
      // Temporal allows 10 in-flight updates per workflow: none of these may be held back.
      const refreshed = await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
      assert.equal(refreshed.from_cache, false);
      const servers = await session.executeUpdate(addServerUpdate, {
        args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
      });
      assert.deepEqual(servers, ['calendar', 'weather']);
      const weather = await askSession(env.client, session, { query: "What's the weather in Paris?" });
      assert.equal(weather.success, true, weather.error ?? '');

      for (const id of started) await env.client.workflow.getHandle(id).executeUpdate(approveUpdate, { args: [{}] });
      for (const id of started) {
        assert.equal((await childResult(env.client, id)).success, true);
        await waitUntilRecorded(session, id);
      }
      const stats = await session.query(statsQuery);
      assert.equal(stats.total_queries, 13);
      assert.equal(stats.successful, 13);
      assert.equal((await session.query(sessionProgressQuery)).state, 'idle');
    });
  });

  it('a query waiting for approval across continue-as-new is recorded by the next run', async () => {
    await withSession({ retry: FAST_RETRY, continue_as_new_after_events: 50 }, async (session, env) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
      const firstRunId = (await session.describe()).runId;
      const waiting = await session.executeUpdate(executeQueryUpdate, { args: [{ query: 'Do I have any meetings today?', query_id: 'waits' }] });
      assert.ok(isQueryStarted(waiting));
      await waitFor(
        () => env.client.workflow.getHandle(waiting.workflow_id).query(progressQuery),
        (p) => p.pending_approvals.length > 0,
        'the approval request',
      );
      const latest = env.client.workflow.getHandle(session.workflowId);
      for (let i = 0; i < 10 && (await latest.describe()).runId === firstRunId; i++) {
        await askSession(env.client, latest, { query: `What's the weather in city ${i}?` }).catch(() => undefined);
      }
      await waitFor(
        () => latest.describe(),
        (d) => d.runId !== firstRunId,
        'continue-as-new',
      );
      assert.deepEqual(
        (await latest.query(sessionProgressQuery)).active_queries.map((query) => query.workflow_id),
        [waiting.workflow_id],
        'carried as running',
      );

      await env.client.workflow.getHandle(waiting.workflow_id).executeUpdate(approveUpdate, { args: [{}] });
      assert.equal((await childResult(env.client, waiting.workflow_id)).success, true);
      await waitUntilRecorded(latest, waiting.workflow_id);
      const exported = await latest.query(exportQuery);
      assert.ok(
        exported.results.some((result) => result.query === 'Do I have any meetings today?' && result.success),
        `the carried query is in the history: ${JSON.stringify(exported.results.map((r) => [r.query, r.success, r.error]))}`,
      );
      assert.equal((await latest.query(sessionProgressQuery)).active_queries.length, 0);
      await saveHistoryFixture(latest, 'session-carried-approval-after-continue-as-new');
    });
  });
});
