/**
 * runBatch on real components: a batch line tells its batch only what the batch needs (it starts
 * or stops waiting for a person, and its end), not every state change; each signal cost the line
 * a command and a workflow task and the batch a workflow task. The batch still frees and takes
 * slots for waiting lines and completes every line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { lineWorkflowId, type BatchInput, type BatchLine } from '../../workflows/batch/messages';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { FAST_RETRY, scriptedLine, testClient, waitFor, weatherServer } from './helpers';

const stack = useOfflineStack();

/** The signals a workflow sent (SignalExternalWorkflowExecutionInitiated events). */
async function signalsSent(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.signalExternalWorkflowExecutionInitiatedEventAttributes).length;
}

describe('runBatch: what a line tells its batch', () => {
  it('a line that needs no person signals once (its end); a line that waits for approval signals its wait, its resumption and its end', async () => {
    const taskQueue = uniqueTaskQueue('batch-signals');
    const env = await getTestEnv();
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () => {
      const client = testClient(env, taskQueue);
      const batchId = uniqueWorkflowId('signals');
      const weatherCall = { calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'Oslo' } }] };
      const booking = { calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: 'signals', date: 'today', start_time: '09:00' } }] };
      const lines: BatchLine[] = [
        // Servers with and without approval in hosted mode: a line that needs no person would run as an activity of the batch, with no child (test/batch/line-activities*.test.ts).
        scriptedLine(1, weatherCall, { servers: ['weather', 'calendar'] }),
        scriptedLine(2, booking, { servers: ['calendar'], mode: 'direct' }),
      ];
      const input: BatchInput = {
        total: lines.length,
        servers: [weatherServer(stack.demo.servers.weather.url), { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }],
        retry: FAST_RETRY,
        concurrency: 1,
        lines,
      };
      await client.batches.startOrAttach(batchId, input);
      // Concurrency 1: line 1 ran first, then line 2 took the slot and gave it back while it waits.
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === 1 && p.succeeded === 1,
        'line 1 done and line 2 waiting',
      );
      await client.approve(lineWorkflowId(batchId, 'line-2'), {});
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, 2);
      const plain = client.handle(lineWorkflowId(batchId, 'line-1'));
      const waited = client.handle(lineWorkflowId(batchId, 'line-2'));
      // Before: one signal per state change (executing for each model turn and tool run, then completed).
      assert.equal(await signalsSent(plain), 1, 'a line needing no person signals only its end');
      assert.equal(await signalsSent(waited), 3, 'waiting, running again, end');
      await saveHistoryFixture(plain, 'batch-line-signals-waits-and-end');
    });
  });
});
