/**
 * runBatch on real components (dev server, worker with the real activities, emulator and demo
 * MCP servers over HTTP): lines fed in pages, bounded concurrency, continue-as-new with lines
 * still running, a line never started twice, pause/resume, cancel, retry-failed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { lineWorkflowId, type BatchInput, type BatchLine } from '../../workflows/batch/messages';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { FAST_RETRY, scriptedLine, testClient, weatherServer } from './helpers';

const stack = useOfflineStack();

function batchInput(total: number, overrides: Partial<BatchInput> = {}): BatchInput {
  return { total, servers: [weatherServer(stack.demo.servers.weather.url)], retry: FAST_RETRY, concurrency: 4, ...overrides };
}

async function withBatchWorker<T>(body: (client: ReturnType<typeof testClient>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('batch');
  const env = await getTestEnv();
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () =>
    body(testClient(env, taskQueue)),
  );
}

async function runsOf(client: ReturnType<typeof testClient>, workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _ of client.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
  return runs;
}

describe('runBatch', () => {
  it('runs every line once through continue-as-new, fed in pages', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('batch');
      const lines: BatchLine[] = Array.from({ length: 80 }, (_, i) => scriptedLine(i + 1));
      const start = await client.batches.startOrAttach(batchId, batchInput(lines.length, { continue_as_new_after_events: 500, lines: lines.slice(0, 5) }));
      assert.equal(start.started, true);
      const again = await client.batches.startOrAttach(batchId, batchInput(lines.length));
      assert.equal(again.started, false, 'the same id attaches');
      await client.batches.feed(batchId, lines);
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, 80);
      assert.equal(result.progress.done, 80);
      assert.ok(result.progress.runs >= 1, `continued as new (${result.progress.runs} earlier runs)`);
      const line7 = await client.batches.lineResult({ workflow_id: lineWorkflowId(batchId, 'line-7'), key: 'line-7', n: 7 });
      assert.equal(line7.answer, 'answer 7');
      for (const n of [1, 40, 80]) assert.equal(await runsOf(client, lineWorkflowId(batchId, `line-${n}`)), 1);
    });
  });
});
