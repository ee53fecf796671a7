/**
 * runBatch on real components (dev server, worker, emulator, demo MCP servers), issue 26: a direct
 * line that needs no person and has no side effect runs as a `runBatchLine` activity of the batch
 * (no child workflow); a line whose model asks for a call needing approval is handed back before
 * anything is sent and runs as its runQuery child, which waits for the approval as before. Every
 * line ends once, every approved side effect runs once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { ResultsFile } from '../../src/cli/batch-out';
import { followBatch } from '../../src/cli/batch-follow';
import type { LineResult } from '../../src/client/batch';
import { lineWorkflowId, type BatchInput, type BatchLine } from '../../workflows/batch/messages';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { allLineResults, FAST_RETRY, hasChild, scriptedLine, testClient, waitFor, weatherServer } from './helpers';

const stack = useOfflineStack();

const LINES = 20;
/** Every 5th line books a meeting: approval "always", a side effect. */
const isBooking = (n: number) => n % 5 === 0;

function line(n: number): BatchLine {
  if (isBooking(n)) {
    const call = { server: 'calendar', tool: 'create_event', arguments: { title: `activities ${n}`, date: 'today', start_time: '10:00' } };
    return scriptedLine(n, { calls: [call] }, { servers: ['calendar'], mode: 'direct' });
  }
  const call = { server: 'weather', tool: 'get_current_weather', arguments: { location: `City ${n}` } };
  return scriptedLine(n, { calls: [call] }, { servers: ['weather'], mode: 'direct' });
}

describe('runBatch: lines as activities (issue 26, work in progress)', () => {
  it('read-only direct lines run as activities; lines needing approval become children, wait, and run their side effect once', async () => {
    const taskQueue = uniqueTaskQueue('batch-line-activities');
    const env = await getTestEnv();
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () => {
      const client = testClient(env, taskQueue);
      const batchId = uniqueWorkflowId('line-activities');
      const lines = Array.from({ length: LINES }, (_, i) => line(i + 1));
      const bookings = lines.filter((each) => isBooking(each.n));
      const input: BatchInput = {
        total: lines.length,
        servers: [weatherServer(stack.demo.servers.weather.url), { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }],
        retry: FAST_RETRY,
        concurrency: 5,
        lines,
      };
      const createdBefore = stack.demo.servers.calendar.counters().executed.create_event ?? 0;
      await client.batches.startOrAttach(batchId, input);
      // What `batch run --out` does while the batch runs: each finished line's result written once, read from its child or the batch's history.
      const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-line-activities-'));
      const outPath = path.join(dir, 'results.jsonl');
      const out = new ResultsFile(outPath, { append: false });
      const following = followBatch(client, batchId, { out, bar: false, print: () => undefined, pollMs: 200 });
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === bookings.length && p.succeeded === LINES - bookings.length,
        'the read-only lines done and the bookings waiting',
      );
      assert.equal(stack.demo.servers.calendar.counters().executed.create_event ?? 0, createdBefore, 'nothing was booked before the approvals');
      for (const booking of bookings) await client.approve(lineWorkflowId(batchId, booking.key), {});
      const result = await client.batches.result(batchId);
      await following;
      out.close();
      const written = readFileSync(outPath, 'utf8')
        .trim()
        .split('\n')
        .map((row) => JSON.parse(row) as LineResult)
        .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(
        written.map((each) => [each.id, each.success, each.answer]),
        lines.map((each) => [each.key, true, `answer ${each.n}`]),
        '--out: one result per line',
      );
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, LINES);
      assert.equal(result.progress.failed, 0);
      assert.equal((stack.demo.servers.calendar.counters().executed.create_event ?? 0) - createdBefore, bookings.length, 'each approved booking ran once');
      for (const each of lines) {
        const exists = await hasChild(client, lineWorkflowId(batchId, each.key));
        assert.equal(exists, isBooking(each.n), `line ${each.n}: a child only for a line that needed a person`);
      }
      // What `batch results` and `batch run --out` write: one result per line, in order, the same shape whether the line ran as an activity or a child.
      const results = await allLineResults(client, batchId, LINES);
      assert.deepEqual(
        results.map((each) => [each.line, each.id, each.workflow_id, each.success, each.answer, each.calls, each.error_type]),
        lines.map((each) => [each.n, each.key, lineWorkflowId(batchId, each.key), true, `answer ${each.n}`, 1, null]),
      );
      for (const each of results)
        assert.deepEqual(Object.keys(each).sort(), Object.keys(results[4]!).sort(), `line ${String(each.line)}: the shape of a child's result`);
      const history = await client.handle(batchId).fetchHistory();
      const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runBatchLine');
      assert.equal(scheduled.length, LINES, 'every direct line was tried as an activity first');
      await saveHistoryFixture(client.handle(batchId), 'batch-lines-as-activities');
    });
  });

  it('pause lets running activity lines finish and starts none; cancel stops the running ones (each counted once)', async () => {
    const taskQueue = uniqueTaskQueue('batch-line-activities-control');
    const env = await getTestEnv();
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () => {
      const client = testClient(env, taskQueue);
      const batchId = uniqueWorkflowId('line-activities-control');
      const call = { server: 'weather', tool: 'get_current_weather', arguments: { location: 'Tromsø' } };
      const lines = Array.from({ length: 10 }, (_, i) => scriptedLine(i + 1, { calls: [call] }, { servers: ['weather'], mode: 'direct' }));
      stack.demo.servers.weather.setFaults({ latencyMs: 1_500 });
      try {
        await client.batches.startOrAttach(batchId, {
          total: lines.length,
          servers: [weatherServer(stack.demo.servers.weather.url)],
          retry: FAST_RETRY,
          concurrency: 2,
          lines,
        });
        await waitFor(
          () => client.batches.progress(batchId),
          (p) => p.running === 2,
          'two lines running',
        );
        assert.equal(await client.batches.pause(batchId), 'paused');
        const paused = await waitFor(
          () => client.batches.progress(batchId),
          (p) => p.running === 0,
          'the running lines to finish',
        );
        assert.equal(paused.succeeded, paused.done, 'the lines running at the pause finished');
        assert.equal(await client.batches.resume(batchId), 'running');
        await waitFor(
          () => client.batches.progress(batchId),
          (p) => p.running === 2 && p.done >= paused.done,
          'two more lines running',
        );
        assert.equal(await client.batches.cancel(batchId), 'cancelling');
        const result = await client.batches.result(batchId);
        assert.equal(result.status, 'cancelled');
        assert.equal(result.progress.cancelled, 2, 'the two running lines were cancelled');
        assert.equal(result.progress.done, result.progress.succeeded + 2);
        assert.ok(result.progress.done < lines.length, 'the other lines never started');
      } finally {
        stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      }
    });
  });
});
