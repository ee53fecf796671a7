/**
 * Hosted batch lines as activities (issue 26, src/core/batch-line.ts hostedChildReason), on real
 * components: a hosted line whose servers never ask for approval is one `runBatchLine` activity
 * (its turn, with the tools the API runs, sent once); a line on a server that asks for every tool
 * runs no tool in the activity and is handed to its child at the approval request; a line mixing
 * the two starts as its child. Each tool runs once per line, each approved booking once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { lineWorkflowId, type BatchLine } from '../../workflows/batch/messages';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { allLineResults, FAST_RETRY, hasChild, scriptedLine, testClient, waitFor, weatherServer } from './helpers';

const stack = useOfflineStack();

type Kind = 'weather' | 'booking' | 'mixed';
const KINDS: Kind[] = ['weather', 'weather', 'booking', 'weather', 'mixed', 'weather', 'booking', 'weather'];

function line(n: number, kind: Kind): BatchLine {
  const weather = { server: 'weather', tool: 'get_current_weather', arguments: { location: `City ${n}` } };
  const booking = { server: 'calendar', tool: 'create_event', arguments: { title: `hosted ${n}`, date: 'today', start_time: '10:00' } };
  if (kind === 'booking') return scriptedLine(n, { calls: [booking] }, { servers: ['calendar'] });
  return scriptedLine(n, { calls: [weather] }, { servers: kind === 'mixed' ? ['weather', 'calendar'] : ['weather'] });
}

describe('runBatch: hosted lines as activities (issue 26)', () => {
  it('lines on servers that never ask run in the activity; approval lines escalate to a child; mixed servers start as a child', async () => {
    const taskQueue = uniqueTaskQueue('batch-hosted-line-activities');
    const env = await getTestEnv();
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: env.client }) }, async () => {
      const client = testClient(env, taskQueue);
      const batchId = uniqueWorkflowId('hosted-line-activities');
      const lines = KINDS.map((kind, i) => line(i + 1, kind));
      const kindOf = (each: BatchLine) => KINDS[each.n - 1]!;
      const bookings = lines.filter((each) => kindOf(each) === 'booking');
      const weatherBefore = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      const bookedBefore = stack.demo.servers.calendar.counters().executed.create_event ?? 0;
      await client.batches.startOrAttach(batchId, {
        total: lines.length,
        servers: [weatherServer(stack.demo.servers.weather.url), { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }],
        retry: FAST_RETRY,
        concurrency: 4,
        lines,
      });
      await waitFor(
        () => client.batches.progress(batchId),
        (p) => p.waiting_approval === bookings.length && p.succeeded === lines.length - bookings.length,
        'the weather lines done and the bookings waiting',
      );
      assert.equal(stack.demo.servers.calendar.counters().executed.create_event ?? 0, bookedBefore, 'nothing was booked before the approvals');
      for (const booking of bookings) await client.approve(lineWorkflowId(batchId, booking.key), {});
      const result = await client.batches.result(batchId);
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.succeeded, lines.length);
      const weatherLines = lines.length - bookings.length;
      assert.equal((stack.demo.servers.weather.counters().executed.get_current_weather ?? 0) - weatherBefore, weatherLines, 'each weather call ran once');
      assert.equal((stack.demo.servers.calendar.counters().executed.create_event ?? 0) - bookedBefore, bookings.length, 'each approved booking ran once');

      const history = await client.handle(batchId).fetchHistory();
      const tried = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runBatchLine');
      assert.equal(tried.length, lines.length - 1, 'every line but the mixed one was tried as an activity');
      for (const each of lines) {
        const child = await hasChild(client, lineWorkflowId(batchId, each.key));
        assert.equal(child, kindOf(each) !== 'weather', `line ${each.n} (${kindOf(each)}): a child only when a person or a mix of servers is involved`);
      }
      const results = await allLineResults(client, batchId, lines.length);
      assert.deepEqual(
        results.map((each) => [each.line, each.success, each.answer, each.calls]),
        lines.map((each) => [each.n, true, `answer ${each.n}`, 1]),
      );
    });
  });
});
