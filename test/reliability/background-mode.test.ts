/**
 * Background mode (workflows/query/background.ts): a long model call holds no activity slot, a
 * worker SIGKILLed during it is replaced by one that follows the same response id (the hosted
 * tool of that turn runs once, counted at the demo server), and cancelling the query cancels the
 * response at the API. The call is long by the emulator's script (`delayMs`, `answerDelayMs`).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { createActivities } from '../../activities';
import type { QueryResult } from '../../src/core/records';
import { progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { FULL_RELIABILITY, reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, taskFailures, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();
const rows = reliabilityRows(26, 'background-mode');
after(() => rows.flush());

/** The model call of the acceptance criteria; the kill scenario waits for its end, so `npm test` runs a shorter one. */
const LONG_CALL_MS = 60_000;
const KILLED_CALL_MS = FULL_RELIABILITY ? LONG_CALL_MS : 6_000;

const BOOKING = {
  calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: 'Background probe', date: 'today', start_time: '16:00' } }],
  answer: 'Booked.',
};

/** `delay`: the model thinks this long before its calls (`delayMs`) or after them, before the answer (`answerDelayMs`). */
function bookingInput(delay: { delayMs: number } | { answerDelayMs: number }): QueryInput {
  return {
    query: 'Book a meeting today at 16:00',
    servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'never' }],
    conversation: 'stored',
    background: 'on',
    call_timeout_ms: 300_000,
    retry: FAST_RETRY,
    metadata: { mcpflow_script: JSON.stringify({ ...BOOKING, ...delay }) },
  };
}

/** The response id the run announced when it sent its turn in the background. */
async function backgroundResponseId(handle: WorkflowHandle): Promise<string> {
  let id: string | undefined;
  await until(async () => {
    const { events } = await handle.query(progressQuery);
    id = events.map((event) => /runs in the background as response (\S+)/.exec(event.message)?.[1]).find(Boolean);
    return id !== undefined;
  }, 'the turn to start in the background');
  return id!;
}

function apiClient(): OpenAI {
  return new OpenAI({ baseURL: stack.emulator.url, apiKey: 'test', maxRetries: 0 });
}

describe('reliability: background mode', () => {
  it('a 60-second model call holds no activity slot (one slot, a second query completes meanwhile); cancelling the query cancels the response', async () => {
    const calendar = stack.demo.servers.calendar;
    calendar.reset();
    const taskQueue = uniqueTaskQueue('background-slot');
    const activities = createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url });
    await withWorker({ taskQueue, activities, workerOptions: { maxConcurrentActivityTaskExecutions: 1 } }, async (env) => {
      const long = await env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('background-long'),
        args: [bookingInput({ delayMs: LONG_CALL_MS })],
      });
      const responseId = await backgroundResponseId(long);
      const second = await env.client.workflow.execute(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('background-second'),
        args: [
          {
            query: "What's the weather in Paris?",
            servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
            background: 'off',
            retry: FAST_RETRY,
          },
        ],
      });
      const stillRunning = (await apiClient().responses.retrieve(responseId)).status;
      const longStatus = (await long.describe()).status.name;
      await long.cancel();
      await assert.rejects(long.result(), (error: unknown) => error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure);
      let finalStatus: string | null | undefined;
      await until(async () => {
        finalStatus = (await apiClient().responses.retrieve(responseId)).status;
        return finalStatus !== 'in_progress' && finalStatus !== 'queued';
      }, 'the response to end at the API');
      const executions = calendar.counters().executed.create_event ?? 0;
      rows.push({
        scenario: `hosted query, background mode: a ${LONG_CALL_MS / 1000}-second model call (emulator script) on a worker with one activity slot (maxConcurrentActivityTaskExecutions: 1); a second query meanwhile; then the first query cancelled`,
        runs: 2,
        completed: (second.success ? 1 : 0) + (finalStatus === 'cancelled' ? 1 : 0),
        lost: 0,
        duplicated: `0 (create_event ran ${executions}×)`,
        expected:
          second.success && stillRunning === 'in_progress' && longStatus === 'RUNNING' && finalStatus === 'cancelled' && executions === 0
            ? 'yes: the second query completed while the call ran; cancelling the query cancelled its response, no tool ran'
            : 'NO',
      });
      assert.equal(second.success, true, second.error ?? '');
      assert.equal(longStatus, 'RUNNING', 'the long query still runs');
      assert.equal(stillRunning, 'in_progress', 'the long response still runs at the API');
      assert.equal(finalStatus, 'cancelled', 'cancelling the query cancelled the response');
      assert.equal(executions, 0, 'the cancelled response ran no tool');
    });
  });

  it('a worker SIGKILLed during the call: the next worker follows the same response id; the hosted tool ran once', async () => {
    const calendar = stack.demo.servers.calendar;
    calendar.reset();
    const taskQueue = uniqueTaskQueue('background-kill');
    const env = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
    const first = await startWorkerProcess(env);
    let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    try {
      const before = stack.emulator.stats();
      const handle = await stack.env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('background-kill'),
        args: [bookingInput({ answerDelayMs: KILLED_CALL_MS })],
      });
      const responseId = await backgroundResponseId(handle);
      // The kill: the hosted tool has run and the model still "thinks"; sending the turn again would run it again.
      await until(async () => (calendar.counters().executed.create_event ?? 0) >= 1, 'the hosted tool to run at the calendar server');
      await first.kill();
      second = await startWorkerProcess(env);
      const result: QueryResult = await handle.result();
      const executions = calendar.counters().executed.create_event ?? 0;
      const after = stack.emulator.stats();
      const created = after.responsesCreated - before.responsesCreated;
      const apiCalls = after.mcpToolCallsTotal - before.mcpToolCallsTotal;
      await saveHistoryFixture(handle, 'query-background-stored');
      rows.push({
        scenario: `hosted query, background mode (stored): worker SIGKILL during a ${KILLED_CALL_MS / 1000}-second model call (emulator script), after its create_event ran; a new worker follows the same response id`,
        runs: 1,
        completed: result.success ? 1 : 0,
        lost: 0,
        duplicated: `${Math.max(0, executions - 1)} (create_event ran ${executions}×; ${created} response(s) created)`,
        expected:
          result.success && executions === 1 && apiCalls === 1 && created === 1 && result.response_id === responseId
            ? 'yes: completed by the same response, the tool ran once'
            : 'NO',
      });
      assert.equal(result.success, true, result.error ?? '');
      assert.equal(executions, 1, 'the hosted tool ran once');
      assert.equal(apiCalls, 1, 'the API ran the call once');
      assert.equal(created, 1, 'the turn was sent once');
      assert.equal(result.response_id, responseId, 'the query ended with the response it started');
      assert.equal(await taskFailures(handle), 0);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });
});
