// The progress watcher's printing rules, against a fake client (pure logic: which lines a
// sequence of progress snapshots prints).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { McpflowClient } from '../../src/client/client';
import { watchQuery } from '../../src/cli/watch';
import type { PendingApproval, ProgressEvent, QueryProgress } from '../../workflows/messages';

const approval: PendingApproval = { id: 'mcpr_1', server: 'calendar', tool: 'list_events', arguments: { date: 'today' }, requested_at: '2026-12-06T00:00:00Z' };
const requested: ProgressEvent = { seq: 1, at: '2026-12-06T00:00:00Z', kind: 'approval_request', message: 'calendar · list_events needs approval (mcpr_1)' };
const answered: ProgressEvent = { seq: 2, at: '2026-12-06T00:00:01Z', kind: 'approval_answer', message: 'calendar · list_events approved: fine' };

function snapshot(events: ProgressEvent[], pending: PendingApproval[]): QueryProgress {
  return { state: 'waiting_approval', step: 1, max_steps: 10, detail: '', pending_approvals: pending, calls_so_far: 0, retries: 0, events };
}

/** A client whose `progress` returns the given snapshots in turn; the run ends after the last. */
async function watch(snapshots: QueryProgress[]): Promise<string[]> {
  const printed: string[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let polls = 0;
  const client = {
    progress: async () => {
      const next = snapshots[Math.min(polls, snapshots.length - 1)]!;
      polls += 1;
      if (polls >= snapshots.length) finish();
      return next;
    },
    pendingRetries: async () => [],
  } as unknown as McpflowClient;
  await watchQuery(client, 'wf-1', done, { print: (line) => printed.push(line), pollMs: 1 });
  return printed;
}

describe('watchQuery', () => {
  it('a pending approval gets the fuller lines with the commands, once', async () => {
    const printed = await watch([snapshot([requested], [approval]), snapshot([requested], [approval]), snapshot([requested, answered], [])]);
    assert.equal(printed.filter((line) => /waits for approval/.test(line)).length, 1);
    assert.ok(printed.includes('    mcpflow approve wf-1 mcpr_1'));
    assert.ok(!printed.some((line) => /needs approval/.test(line)), 'the short event line is replaced by the fuller one');
  });

  it('an approval answered between two polls still shows that it waited', async () => {
    const printed = await watch([snapshot([requested, answered], [])]);
    assert.deepEqual(printed, ['? calendar · list_events needs approval (mcpr_1)', '✓ calendar · list_events approved: fine']);
  });
});
