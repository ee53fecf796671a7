/** BatchState (pure): pages in order and within the buffer, counts, the finished log, retry-failed, the carry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchInputSchema, MAX_BUFFER_BYTES, type BatchLine } from '../../workflows/batch/messages';
import { BatchState } from '../../workflows/batch/state';
import { summaryLines } from '../../src/cli/batch-follow';

const line = (n: number, query = `q${n}`): BatchLine => ({ n, key: `line-${n}`, query });
const input = (extra: Record<string, unknown> = {}) => BatchInputSchema.parse({ total: 5, servers: [{ label: 'w', url: 'http://127.0.0.1:1/mcp' }], ...extra });
const ok = { end: 'completed' as const, success: true, error_type: null, calls: 1, denied: false, duration_ms: 5 };
const failed = { end: 'failed' as const, success: false, error_type: 'timeout', calls: 0, denied: false, duration_ms: 5 };
const ref = (n: number) => ({ n, key: `line-${n}`, workflow_id: `b/line-${n}` });

describe('BatchState', () => {
  it('takes pages in order, skips lines it has, refuses gaps, overflow and lines past the total', () => {
    const batch = new BatchState('b', input({ lines: [line(1)] }), 0);
    assert.equal(batch.refusePage(2, [line(2), line(3)]), null);
    assert.equal(batch.appendPage([line(2), line(3)]).received, 3);
    assert.equal(batch.refusePage(1, [line(1), line(2), line(3), line(4)]), null, 'a resent page is fine');
    assert.equal(batch.appendPage([line(1), line(2), line(3), line(4)]).received, 4);
    assert.deepEqual(
      batch.state.buffer.map((l) => l.n),
      [1, 2, 3, 4],
    );
    assert.match(batch.refusePage(6, [line(6)])!, /expected lines from 5/);
    assert.match(batch.refusePage(5, [line(5), line(6)])!, /the batch has 5 lines/);
    assert.match(batch.refusePage(5, [line(7)])!, /must follow each other/);
    assert.match(batch.refusePage(5, [line(5, 'x'.repeat(MAX_BUFFER_BYTES))])!, /would pass/);
  });

  it('counts succeeded lines whose query answered although a tool call failed, and keeps the counts on the line', () => {
    const batch = new BatchState('b', input({ lines: [line(1), line(2)] }), 0);
    batch.started(ref(1));
    batch.started(ref(2));
    batch.finish(ref(1), { ...ok, failed_calls: 1, unknown_outcome_calls: 0 });
    batch.finish(ref(2), ok);
    const progress = batch.progress(1_000);
    assert.equal(progress.succeeded, 2);
    assert.equal(progress.succeeded_with_failed_calls, 1);
    assert.equal(batch.finishedPage(0, 10).lines.find((l) => l.n === 1)?.failed_calls, 1);
    assert.match(summaryLines(progress)[1]!, /succeeded 2 \(1 with a failed tool call\)/);
  });

  it('retry-failed leaves a line whose side effect may have run (outcome_unknown) failed', () => {
    const batch = new BatchState('b', input({ lines: [line(1), line(2)] }), 0);
    batch.started(ref(1));
    batch.started(ref(2));
    batch.finish(ref(1), failed);
    batch.finish(ref(2), { ...failed, error_type: 'outcome_unknown' });
    assert.equal(batch.retryFailed(), 1);
    assert.deepEqual(
      batch.state.retry_queue.map((l) => l.n),
      [1],
    );
    assert.deepEqual(batch.state.failed_by_type, { outcome_unknown: 1 });
    assert.equal(batch.state.failed, 1);
  });

  it('counts ends, stops after max_failures, queues failed lines again and carries everything', () => {
    const batch = new BatchState('b', input({ max_failures: 2, lines: [1, 2, 3, 4, 5].map((n) => line(n)) }), 0);
    for (const n of [1, 2, 3]) batch.started(ref(n));
    batch.finish(ref(1), ok);
    batch.finish(ref(2), failed);
    batch.finish(ref(2), failed); // a second report of the same line counts once
    assert.equal(batch.state.failed, 1);
    batch.finish(ref(3), failed);
    assert.equal(batch.state.stop, 'max_failures');
    assert.equal(batch.status, 'stopped');
    assert.deepEqual(
      batch.finishedPage(1, 10).lines.map((l) => l.seq),
      [2, 3],
    );
    assert.equal(batch.retryFailed(), 2);
    assert.equal(batch.state.stop, null);
    assert.deepEqual(batch.state.failed_by_type, {});
    assert.deepEqual(
      batch.state.retry_queue.map((r) => r.n),
      [2, 3],
    );
    batch.started(ref(4));
    const next = new BatchState('b', input({ carried: batch.carry() }), 0);
    assert.deepEqual([...next.adopted], ['b/line-4'], 'a running line is adopted by the next run');
    assert.equal(next.state.runs, 1);
    assert.equal(next.progress(10).succeeded, 1);
  });
});
