/**
 * runBatch on real components (dev server, worker, emulator, demo MCP servers): lines waiting for
 * a person hold no concurrency slot and are bounded by max_waiting; lines held in Temporal by
 * batchLines workflows reach the batch with no feeder, and a missing holder is named with the fix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { heldPages, startHolders } from '../../src/client/batch-held';
import { lineWorkflowId, type BatchInput, type BatchLine } from '../../workflows/batch/messages';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { FAST_RETRY, scriptedLine, testClient, waitFor, weatherServer } from './helpers';

const stack = useOfflineStack();

async function withBatchWorker<T>(body: (client: ReturnType<typeof testClient>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('batch-waiting');
  const env = await getTestEnv();
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () =>
    body(testClient(env, taskQueue)),
  );
}

const calendarServer = () => ({ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' as const });
const booking = (n: number) =>
  scriptedLine(
    n,
    { calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: `waiting ${n}`, date: 'today', start_time: '09:00' } }] },
    { servers: ['calendar'] },
  );
const plain = (n: number) => scriptedLine(n, { calls: [] }, { servers: ['weather'] });

function input(lines: BatchLine[], overrides: Partial<BatchInput> = {}): BatchInput {
  return { total: lines.length, servers: [weatherServer(stack.demo.servers.weather.url), calendarServer()], retry: FAST_RETRY, lines, ...overrides };
}

describe('runBatch: lines waiting for a person', () => {
  it('20 lines waiting for approval at concurrency 20 hold no slot: the other lines start and complete', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('waiting');
      const lines = [...Array.from({ length: 20 }, (_, i) => booking(i + 1)), ...Array.from({ length: 20 }, (_, i) => plain(i + 21))];
      await client.batches.startOrAttach(batchId, input(lines, { concurrency: 20 }));
      // Before: the 20 waiting lines held all 20 slots and nothing else started.
      const progress = await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.succeeded === 20,
        'the 20 other lines to complete while 20 wait',
        120_000,
      );
      assert.equal(progress.waiting_approval, 20);
      assert.equal(progress.max_waiting, 1_000);
      for (let n = 1; n <= 20; n++) await client.approve(lineWorkflowId(batchId, `line-${n}`), {});
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, 40);
      await saveHistoryFixture(client.handle(batchId), 'batch-waiting-lines-free-slots');
    });
  });

  it('max_waiting bounds the lines waiting: beyond it no new line starts', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('max-waiting');
      const lines = Array.from({ length: 8 }, (_, i) => booking(i + 1));
      await client.batches.startOrAttach(batchId, input(lines, { concurrency: 2, max_waiting: 3 }));
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === 3,
        'three lines waiting',
      );
      assert.equal(await client.batches.cancel(batchId), 'cancelling');
      const result = await client.batches.result(batchId);
      assert.equal(result.progress.cancelled, 3, 'only the three waiting lines had started');
      assert.equal(result.progress.done, 3);
    });
  });
});

describe('runBatch: lines held in Temporal', () => {
  it('reads its lines from holder workflows with no feeder; a missing holder is named with the command, then started', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('held');
      // Lines naming a server the batch lacks end at once without a child: 45,000 of them (~3 MiB, 7 holders) run in seconds.
      const lines: BatchLine[] = Array.from({ length: 45_000 }, (_, i) => ({
        n: i + 1,
        key: `line-${i + 1}`,
        query: `held question ${i + 1}`,
        servers: ['absent'],
      }));
      const first = lines.slice(0, 100);
      const pages = heldPages(lines.slice(100));
      assert.ok(pages.length >= 3, `${pages.length} holders`);
      await client.batches.startOrAttach(
        batchId,
        input(first, { total: lines.length, concurrency: 50, held: { pages: pages.map((page) => page[0]!.n) }, source: 'held.jsonl' }),
      );
      // As if the CLI was killed after starting the first holder only.
      await startHolders(client, batchId, pages.slice(0, 1));
      const stuck = await waitFor(
        () => client.batches.progress(batchId),
        (p) => Boolean(p.lines_problem),
        'the batch to name its missing holder',
        120_000,
      );
      assert.match(
        stuck.lines_problem!,
        new RegExp(`holder ${batchId}/~lines-1 is not running; run \`mcpflow batch run held.jsonl --batch-id ${batchId}\` again`),
      );
      assert.equal(stuck.status, 'running');
      await startHolders(client, batchId, pages);
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.received, 45_000);
      assert.equal(result.progress.done, 45_000);
      assert.equal(result.progress.lines_problem, null);
    });
  });
});
