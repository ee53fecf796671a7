/** The batch progress line and its clock (pure): waiting lines name the commands to run; elapsed time and ETA move on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asOfNow } from '../../src/client/batch';
import { progressLine } from '../../src/cli/batch-follow';
import type { BatchProgress } from '../../workflows/batch/messages';

const progress = (extra: Partial<BatchProgress> = {}): BatchProgress => ({
  batch_id: 'b1',
  status: 'running',
  total: 100,
  received: 100,
  buffer_bytes: 0,
  buffer_limit_bytes: 1,
  done: 10,
  succeeded: 10,
  failed: 0,
  cancelled: 0,
  denied: 0,
  succeeded_with_failed_calls: 0,
  failed_by_type: {},
  running: 20,
  waiting_approval: 0,
  queued_retries: 0,
  started_at: new Date(0).toISOString(),
  elapsed_ms: 10_000,
  rate: 1,
  eta_ms: 90_000,
  last_seq: 10,
  runs: 0,
  concurrency: 20,
  max_waiting: 1_000,
  held: true,
  lines_problem: null,
  ...extra,
});

describe('batch progress line', () => {
  it('names the commands while lines wait for a person, and says when no line starts for it', () => {
    assert.doesNotMatch(progressLine(progress()), /approve/);
    const line = progressLine(progress({ waiting_approval: 20 }));
    assert.match(line, /20 waiting for approval/);
    assert.match(line, /mcpflow approvals list --batch b1 \/ mcpflow approve --all --batch b1/);
    assert.match(progressLine(progress({ waiting_approval: 1_000 })), /at --max-waiting 1000: no new line starts/);
    assert.match(progressLine(progress({ lines_problem: 'lines from 5 on do not arrive' })), /lines from 5 on do not arrive/);
  });

  it('elapsed time, rate and ETA of a running batch are as of now, not of its last task; a finished one keeps its own', () => {
    const later = asOfNow(progress(), 20_000);
    assert.equal(later.elapsed_ms, 20_000);
    assert.equal(later.rate, 0.5);
    assert.equal(later.eta_ms, 180_000);
    const over = progress({ status: 'completed' });
    assert.deepEqual(asOfNow(over, 50_000), over);
  });
});
