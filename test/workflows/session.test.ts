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
  executeQueryUpdate,
  exportQuery,
  refreshToolsUpdate,
  rememberApprovalUpdate,
  sessionProgressQuery,
  statsQuery,
  type SessionInput,
} from '../../workflows/messages';
import { mcpSession } from '../../workflows/session';
import { historyText, saveHistoryFixture } from '../helpers/histories';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';

const FAST_RETRY = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

const stack = useOfflineStack();


function withSession<T>(input: SessionInput, body: (session: WorkflowHandle<typeof mcpSession>, env: TestEnv) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('session');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
    const session = await env.client.workflow.start(mcpSession, { taskQueue, workflowId: uniqueWorkflowId('session'), args: [input] });
    try {
      return await body(session, env);
    } finally {
      await session.terminate('test finished').catch(() => undefined);
    }
  });
}

describe('mcpSession', () => {
  it('five queries: statistics equal those computed from the exported history', async () => {
    await withSession({ retry: FAST_RETRY }, async (session) => {
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
        const result = await session.executeUpdate(executeQueryUpdate, { args: [{ query }] });
        assert.equal(result.query, query);
        assert.equal(result.success, true, `${query}: ${result.error}`);
      }
      const stats = await session.query(statsQuery);
      const exported = await session.query(exportQuery);
      assert.equal(stats.total_queries, 5);
      assert.equal(exported.results.length, 5);
      assert.deepEqual(exported.servers, ['weather', 'database']);
      const recomputed = statisticsFromTotals(totalsOf(exported.results, exported.call_history, exported.errors), exported.servers.length, stats.tools_cached);
      assert.deepEqual(stats, recomputed);
      assert.deepEqual(exported.statistics, stats);
      assert.ok(stats.tool_calls >= 5, `tool calls ${stats.tool_calls}`);
      assert.equal(stats.errors_by_type.execution_error, 1, 'the forecast tool error is counted');
      const progress = await session.query(sessionProgressQuery);
      assert.equal(progress.queries_run, 5);
      assert.equal(progress.state, 'idle');
      await saveHistoryFixture(session, 'session-five-queries');
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
    await withSession({ retry: FAST_RETRY }, async (session) => {
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
      await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
      const standing = await session.executeUpdate(rememberApprovalUpdate, { args: [{ server: 'calendar', tool: 'list_events' }] });
      assert.equal(standing.length, 1);

      const result = await session.executeUpdate(executeQueryUpdate, { args: [{ query: 'Do I have any meetings today?' }] });
      assert.equal(result.success, true);
      assert.deepEqual(result.tool_calls.map((call) => `${call.tool}:${call.status}`), ['list_events:completed']);

      stack.demo.servers.calendar.removeTool('list_events');
      stack.demo.servers.calendar.addTool({ name: 'list_events', description: 'A different tool under the same name' });
      try {
        const refreshed = await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
        assert.deepEqual(refreshed.diff.changed.map((tool) => tool.name), ['list_events']);
        assert.deepEqual(refreshed.invalidated_approvals.map((approval) => approval.tool), ['list_events']);
        assert.deepEqual((await session.query(sessionProgressQuery)).standing_approvals, []);
        await saveHistoryFixture(session, 'session-standing-approval');
      } finally {
        stack.demo.servers.calendar.reset();
      }
    });
  });

  it('a malformed queryState signal is ignored: the session keeps answering', async () => {
    await withSession({}, async (session) => {
      await session.signal('queryState');
      await session.signal('queryState', { workflow_id: 42 } as never);
      const servers = await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
      assert.deepEqual(servers, ['weather']);
      const events = (await session.fetchHistory()).events ?? [];
      assert.equal(events.filter((event) => event.workflowTaskFailedEventAttributes).length, 0);
    });
  });

  it('rejects a server with a plain-text secret, naming the field, without touching history', async () => {
    await withSession({}, async (session) => {
      await assert.rejects(
        session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, headers: { Authorization: 'Bearer sk-live-secret-value' } } as never] }),
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
        await env.client.workflow.getHandle(session.workflowId).executeUpdate(executeQueryUpdate, { args: [{ query: `What's the weather in ${city}?` }] });
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
});
