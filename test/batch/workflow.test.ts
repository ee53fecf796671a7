/**
 * runBatch on real components (dev server, worker with the real activities, emulator and demo
 * MCP servers over HTTP): lines fed in pages, bounded concurrency, continue-as-new with lines
 * still running, a line never started twice, pause/resume, cancel, retry-failed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { parseLineActivityId } from '../../src/core/batch-line';
import { lineWorkflowId, type BatchInput, type BatchLine } from '../../workflows/batch/messages';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { FAST_RETRY, scriptedLine, testClient, waitFor, weatherServer } from './helpers';

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

const calendarServer = () => ({ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' as const });

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
      // Hosted servers with and without approval: every line is a runQuery child, adopted across continue-as-new (lines as activities: the next test).
      const mixed = { servers: [weatherServer(stack.demo.servers.weather.url), calendarServer()] };
      const start = await client.batches.startOrAttach(
        batchId,
        batchInput(lines.length, { ...mixed, continue_as_new_after_events: 500, lines: lines.slice(0, 5) }),
      );
      assert.equal(start.started, true);
      const again = await client.batches.startOrAttach(batchId, batchInput(lines.length, mixed));
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
      // The last run of the chain: it adopted the lines still running from the run before.
      await saveHistoryFixture(client.handle(batchId), 'batch-continued');
    });
  });

  it('runs lines as activities through continue-as-new: each line once, no child, every result in order', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('batch-activities');
      // ~3.6 events a line: 200 lines pass the smallest threshold at least once.
      const lines: BatchLine[] = Array.from({ length: 200 }, (_, i) => scriptedLine(i + 1));
      await client.batches.startOrAttach(batchId, batchInput(lines.length, { continue_as_new_after_events: 500, concurrency: 10 }));
      await client.batches.feed(batchId, lines);
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, lines.length);
      assert.ok(result.progress.runs >= 1, `continued as new (${result.progress.runs} earlier runs)`);
      const keys: string[] = [];
      for await (const run of client.temporal.workflow.list({ query: `WorkflowId = '${batchId}'` })) {
        const events = (await client.temporal.workflow.getHandle(batchId, run.runId).fetchHistory()).events ?? [];
        for (const event of events) {
          const scheduled = event.activityTaskScheduledEventAttributes;
          if (scheduled?.activityType?.name === 'runBatchLine') keys.push(parseLineActivityId(scheduled.activityId!)!.key);
        }
      }
      assert.deepEqual(keys.sort(), lines.map((line) => line.key).sort(), 'each line scheduled once, in one run of the chain');
      for (const n of [1, 100, 200]) assert.equal(await runsOf(client, lineWorkflowId(batchId, `line-${n}`)), 0, 'no child');
      const answers: Array<string | null> = [];
      for await (const each of client.batches.resultsInOrder(batchId)) answers.push(each.answer);
      assert.deepEqual(
        answers,
        lines.map((line) => `answer ${line.n}`),
      );
    });
  });
});

describe('runBatch control', () => {
  const booking = (n: number) =>
    scriptedLine(n, { calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: `control ${n}`, date: 'today', start_time: '11:00' } }] });

  it('pause stops starting lines (running ones finish), resume goes on, cancel stops the running ones', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('control');
      const lines = Array.from({ length: 10 }, (_, i) => booking(i + 1));
      // max_waiting 2: at most two lines in flight, waiting for approval or not (waiting lines hold no concurrency slot).
      await client.batches.startOrAttach(batchId, batchInput(10, { servers: [calendarServer()], concurrency: 2, max_waiting: 2, lines }));
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === 2,
        'two lines waiting for approval',
      );
      assert.equal(await client.batches.pause(batchId), 'paused');
      await assert.rejects(client.batches.pause(batchId), /already paused/);
      for (const n of [1, 2]) await client.approve(lineWorkflowId(batchId, `line-${n}`), {});
      const paused = await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.done === 2,
        'the two running lines to finish',
      );
      assert.equal(paused.running, 0, 'no line started while paused');
      assert.equal(paused.status, 'paused');
      assert.equal(await client.batches.resume(batchId), 'running');
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === 2,
        'two more lines waiting',
      );
      assert.equal(await client.batches.cancel(batchId), 'cancelling');
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'cancelled');
      assert.equal(result.progress.succeeded, 2);
      assert.equal(result.progress.cancelled, 2);
      assert.equal(result.progress.done, 4, 'the other six never started');
      await assert.rejects(client.batches.resume(batchId));
      await saveHistoryFixture(client.handle(batchId), 'batch-pause-resume-cancel');
    });
  });

  it('--max-failures stops the batch after that many failed lines', async () => {
    await withBatchWorker(async (client) => {
      const batchId = uniqueWorkflowId('max-failures');
      const bad = (n: number) => scriptedLine(n, { calls: [{ server: 'weather', tool: 'no_such_tool', arguments: {} }] });
      const lines = Array.from({ length: 10 }, (_, i) => bad(i + 1));
      await client.batches.startOrAttach(batchId, batchInput(10, { concurrency: 1, max_failures: 3, lines }));
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'stopped');
      assert.equal(result.progress.failed, 3);
      assert.deepEqual(result.progress.failed_by_type, { invalid_arguments: 3 });
      assert.equal(result.state.failed_lines.length, 3);
    });
  });
});
