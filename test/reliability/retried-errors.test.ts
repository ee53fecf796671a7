/**
 * Errors a retry fixed reach errors_by_type (issue 12: they never did): a demo MCP server whose
 * first tools/call fails (direct mode) and an emulator whose first Responses call fails (hosted
 * mode) each make a run that succeeds on its second attempt, and the run's statistics count the
 * first attempt's error by its type. A session records a child's errors with the retryability
 * of their type (it recorded every one as non-retryable).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { addServerUpdate, exportQuery, statsQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { mcpSession } from '../../workflows/session';
import { saveHistoryFixture } from '../helpers/histories';
import { FAST_RETRY } from '../helpers/scenario';
import { askSession } from '../helpers/sessions';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();

function weatherQuery(mode: 'hosted' | 'direct'): QueryInput {
  return {
    query: "What's the weather in Paris?",
    mode,
    servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
    retry: FAST_RETRY,
  };
}

describe('errors fixed by a retry', () => {
  it('direct mode: a tool call that failed once (HTTP 500) and then worked counts one connection error', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'http_500', tool: 'get_current_weather' } });
    const taskQueue = uniqueTaskQueue('retried-direct');
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('retried-direct'), args: [weatherQuery('direct')] });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.equal(result.retries, 1, 'the call took two attempts');
      const stats = await handle.query(statsQuery);
      assert.deepEqual(stats.errors_by_type, { connection: 1 }, 'the fixed error is counted');
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
      await saveHistoryFixture(handle, 'query-direct-retried-error-counted');
    });
  });

  it('hosted mode: a Responses call that failed once (HTTP 500) and then worked counts one connection error', async () => {
    stack.demo.servers.weather.reset();
    stack.emulator.setFaults({ failNext: { count: 1, status: 500 } });
    const taskQueue = uniqueTaskQueue('retried-hosted');
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('retried-hosted'), args: [weatherQuery('hosted')] });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.equal(result.retries, 1);
      const stats = await handle.query(statsQuery);
      assert.deepEqual(stats.errors_by_type, { connection: 1 }, 'the fixed error is counted');
    });
  });

  it("a session records a child's errors with the retryability of their type", async () => {
    stack.demo.servers.weather.reset();
    // More failures than retries: the call fails for good, as a connection error (retryable by type).
    stack.demo.servers.weather.setFaults({ failNext: { count: FAST_RETRY.max_retries + 1, kind: 'http_500', tool: 'get_current_weather' } });
    const taskQueue = uniqueTaskQueue('retried-session');
    try {
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        const session = await env.client.workflow.start(mcpSession, {
          taskQueue,
          workflowId: uniqueWorkflowId('retried-session'),
          args: [{ retry: FAST_RETRY, mode: 'direct' }],
        });
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
        await askSession(env.client, session, { query: "What's the weather in Paris?" });
        const exported = await session.query(exportQuery);
        const connection = exported.errors.filter((error) => error.type === 'connection');
        assert.ok(connection.length >= 1, JSON.stringify(exported.errors));
        assert.ok(
          connection.every((error) => error.retryable),
          'a connection error is retryable',
        );
        await session.terminate('test finished');
      });
    } finally {
      stack.demo.servers.weather.reset();
    }
  });
});
