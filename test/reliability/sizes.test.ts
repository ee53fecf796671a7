/**
 * Payloads stay under Temporal's limits by bytes: six 64,000-control-character outputs in one
 * turn (384,000 bytes each as JSON) in both modes, and a 1.1 MB query asked twice in a session.
 * Each run completes or fails with a clear error: never terminated, never a workflow-task loop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { jsonBytes, PAYLOAD_LIMIT_BYTES } from '../../src/core/payload-size';
import { addServerUpdate, executeQueryUpdate, historyQuery, progressQuery, sessionProgressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { mcpSession } from '../../workflows/session';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();
let hostile: HostileServer;
before(async () => {
  hostile = await startHostileServer();
});
after(() => hostile?.close());

const FAST_RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };
/** Hosted mode names MCP tools by server; direct mode offers them as function tools. */
const sixFloods = (mode: 'hosted' | 'direct') =>
  JSON.stringify({
    calls: Array.from({ length: 6 }, () =>
      mode === 'hosted' ? { server: 'hostile', tool: 'flood', arguments: { n: 64_000 } } : { tool: 'hostile__flood', arguments: { n: 64_000 } },
    ),
    answer: 'flooded',
  });

async function assertNoTaskFailures(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  assert.equal(events.filter((event) => event.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failures');
  assert.equal(events.filter((event) => event.workflowExecutionTerminatedEventAttributes).length, 0, 'not terminated');
}

describe('byte budgets', () => {
  for (const mode of ['hosted', 'direct'] as const) {
    it(`${mode}: six outputs of 64,000 control characters in one turn complete under the limit`, async () => {
      const taskQueue = uniqueTaskQueue('sizes');
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        const input: QueryInput = {
          query: 'Flood me',
          mode,
          stream: false,
          max_steps: 3,
          servers: [{ label: 'hostile', url: hostile.url, require_approval: 'never' }],
          retry: FAST_RETRY,
          metadata: { mcpflow_script: sixFloods(mode) },
        };
        const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`sizes-${mode}`), args: [input] });
        const result = await handle.result();
        assert.equal(result.success, true, result.error ?? '');
        const floods = result.tool_calls.filter((call) => call.tool === 'flood');
        assert.ok(floods.length >= 6, `six flood calls, got ${floods.length}`);
        for (const call of floods) assert.match(call.output ?? '', /\[mcpflow: cut to \d+ of 384000 bytes\]$/);
        assert.ok(jsonBytes(result) < PAYLOAD_LIMIT_BYTES / 2, `result is ${jsonBytes(result)} bytes`);
        // progress and history answer on such runs (they carry call records too).
        const progress = await handle.query(progressQuery);
        assert.ok(jsonBytes(progress) < 200_000, `progress is ${jsonBytes(progress)} bytes`);
        assert.ok((await handle.query(historyQuery)).length >= 6);
        await assertNoTaskFailures(handle);
      });
    });
  }

  it('a 1.1 MB query asked twice in a session is refused with a clear error; the session goes on', async () => {
    const taskQueue = uniqueTaskQueue('sizes-session');
    await withWorker(
      { taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) },
      async (env) => {
        const session = await env.client.workflow.start(mcpSession, {
          taskQueue,
          workflowId: uniqueWorkflowId('sizes-session'),
          args: [{ retry: FAST_RETRY }],
        });
        try {
          await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
          const query = `What's the weather in London? ${'x'.repeat(1_100_000)}`;
          for (let i = 0; i < 2; i++) {
            await assert.rejects(session.executeUpdate(executeQueryUpdate, { args: [{ query }] }), (error: unknown) => {
              assert.ok(error instanceof WorkflowUpdateFailedError, String(error));
              assert.match(String((error.cause as Error).message), /query: the query is \d{7} bytes as JSON, at most 262144: shorten it/);
              return true;
            });
          }
          assert.deepEqual((await session.query(sessionProgressQuery)).servers, ['weather']);
          assert.equal((await session.describe()).status.name, 'RUNNING');
          await assertNoTaskFailures(session);
        } finally {
          await session.terminate('test finished').catch(() => undefined);
        }
      },
    );
  });
});
