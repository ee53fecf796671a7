/**
 * Connection reuse for 2025 servers (Streamable HTTP with an Mcp-Session-Id), on real
 * components: the Temporal dev server, the emulator, a worker, and a stateful MCP server that
 * counts its `initialize` requests (./fixtures/counting-server.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { catalogQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { startCountingServer, type CountingServer } from './fixtures/counting-server';

const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

describe('connection reuse per worker and server', () => {
  const stack = useOfflineStack();
  let counting: CountingServer;
  let pool: McpConnectionPool;

  before(async () => {
    counting = await startCountingServer();
    pool = new McpConnectionPool();
  });
  after(async () => {
    await pool.close();
    await counting.close();
  });

  const input = (calls: number, catalog?: unknown): QueryInput => ({
    query: 'Bump the counter',
    mode: 'direct',
    servers: [{ label: 'counter', url: counting.url, require_approval: 'never' }],
    retry,
    ...(catalog ? { catalog: catalog as QueryInput['catalog'] } : {}),
    metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: Array.from({ length: calls }, () => ({ tool: 'counter__bump' })), answer: 'bumped' }) },
  });

  it('N direct calls in several queries: one initialize; a forgotten session is renewed once and the call succeeds, run once', async () => {
    const taskQueue = uniqueTaskQueue('reuse');
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, mcpConnections: pool }) }, async (env) => {
      const run = async (query: QueryInput) => {
        const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('reuse'), args: [query] });
        return { handle, result: await handle.result() };
      };
      const first = await run(input(3));
      assert.equal(first.result.success, true, first.result.error ?? '');
      const second = await run(input(2));
      assert.equal(second.result.success, true, second.result.error ?? '');
      const calls = [...first.result.tool_calls, ...second.result.tool_calls];
      assert.equal(calls.length, 5);
      assert.ok(calls.every((call) => call.status === 'completed'));
      assert.equal(counting.counts.bumps, 5);
      // Two listings and five calls in seven activities, over one session.
      assert.equal(counting.counts.initializations, 1, 'one initialize for every listing and call');

      // The server restarts and forgets its sessions. With a fresh catalog the query lists
      // nothing, so the first request on the old session is the tool call itself.
      await counting.forgetSessions();
      const catalog = await second.handle.query(catalogQuery);
      const third = await run(input(1, catalog));
      assert.equal(third.result.success, true, third.result.error ?? '');
      const [call] = third.result.tool_calls;
      assert.equal(call?.status, 'completed');
      // Not Temporal's retry (a tool that is not read-only gets one attempt): the pool renewed the session.
      assert.ok(!JSON.stringify(await third.handle.fetchHistory()).includes('activityTaskFailedEventAttributes'), 'no failed attempt');
      assert.equal(counting.counts.notFound, 1, 'the old session id was refused once (a tools/call)');
      assert.equal(counting.counts.initializations, 2, 'one new initialize');
      assert.equal(counting.counts.bumps, 6, 'the call ran exactly once');
      assert.equal(call?.output, 'bump 6');
    });
  });
});
