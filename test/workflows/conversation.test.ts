/**
 * runQuery in both conversation modes, on real components: `stored` chains turns with
 * `previous_response_id`; `stateless` carries every item in the workflow and sends them back with
 * `store: false`. The seed scenario, a denial, a worker SIGKILL during the approval wait, and a
 * wait "longer than the API's retention" (the emulator told to forget its stored responses).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { ConversationMode } from '../../src/core/conversation';
import type { ServerConfigInput } from '../../src/core/servers';
import { approveUpdate, denyUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';
import { until } from '../helpers/wait';

const SEED_QUERY = "What's the weather in London and do I have any meetings today?";
const FAST_RETRY = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

const stack = useOfflineStack();

function seedServers(): ServerConfigInput[] {
  return [
    { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
    { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
  ];
}

function queryInput(conversation: ConversationMode, overrides: Partial<QueryInput> = {}): QueryInput {
  return { query: SEED_QUERY, servers: seedServers(), retry: FAST_RETRY, conversation, ...overrides };
}

const waitForApproval = (handle: WorkflowHandle) => until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'an approval request');

function withQueryWorker<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('conversation');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (testEnv) =>
    body((input) => testEnv.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('conversation'), args: [input] })),
  );
}

type Json = Record<string, unknown>;

/** The input of every Responses activity the run scheduled, decoded. */
async function responsesCallInputs(handle: WorkflowHandle): Promise<Json[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    // A stored turn runs in background mode (workflows/query/background.ts): its create activity takes the same input.
    if (scheduled?.activityType?.name !== 'callResponsesApi' && scheduled?.activityType?.name !== 'createBackgroundResponse') return [];
    const payload = scheduled.input?.payloads?.[0]?.data;
    return payload ? [JSON.parse(Buffer.from(payload).toString('utf8')) as Json] : [];
  });
}

/** What each mode must send: stateless carries the items (no previous id, store false), stored chains ids. */
async function assertConversationCarried(handle: WorkflowHandle, mode: ConversationMode): Promise<void> {
  const inputs = await responsesCallInputs(handle);
  assert.ok(inputs.length >= 2, `two turns at least (${inputs.length})`);
  const last = inputs.at(-1) as Json;
  if (mode === 'stateless') {
    for (const input of inputs) {
      assert.equal(input['store'], false);
      assert.ok(!input['previous_response_id'], 'no previous_response_id');
    }
    const types = (last['input'] as Json[]).map((item) => item['type']);
    assert.deepEqual(types.slice(0, 1), ['message'], 'the question first');
    for (const type of ['mcp_list_tools', 'mcp_call', 'mcp_approval_request', 'mcp_approval_response'])
      assert.ok(types.includes(type), `${type} carried: ${types.join(', ')}`);
  } else {
    assert.equal(inputs[0]?.['store'], undefined);
    assert.match(String(last['previous_response_id']), /^resp_/);
    assert.deepEqual(
      (last['input'] as Json[]).map((item) => item['type']),
      ['mcp_approval_response'],
    );
  }
}

for (const mode of ['stored', 'stateless'] as const) {
  describe(`runQuery with conversation "${mode}"`, () => {
    it('the seed scenario: weather, approval of the calendar, the answer', async () => {
      await withQueryWorker(async (start) => {
        const storedBefore = stack.emulator.stats().conversationsStored;
        const handle = await start(queryInput(mode));
        await waitForApproval(handle);
        await handle.executeUpdate(approveUpdate, { args: [{}] });
        const result = await handle.result();
        assert.equal(result.success, true);
        assert.match(result.text_response, /London/);
        assert.match(result.text_response, /Standup|meeting|event/i);
        assert.deepEqual(result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`).sort(), [
          'calendar.list_events:completed',
          'weather.get_current_weather:completed',
        ]);
        await assertConversationCarried(handle, mode);
        // What carrying the conversation costs in history: bytes of each Responses activity input.
        const sizes = (await responsesCallInputs(handle)).map((input) => Buffer.byteLength(JSON.stringify(input)));
        console.log(`conversation ${mode}: Responses activity inputs ${sizes.join(' + ')} bytes`);
        const stored = stack.emulator.stats().conversationsStored - storedBefore;
        if (mode === 'stateless') assert.equal(stored, 0, 'store: false: the API keeps nothing');
        else assert.ok(stored >= 2, `stored responses ${stored}`);
        if (mode === 'stateless') await saveHistoryFixture(handle, 'query-stateless-seed-scenario');
      });
    });

    it('a denial with its reason reaches the answer', async () => {
      await withQueryWorker(async (start) => {
        const handle = await start(queryInput(mode));
        await waitForApproval(handle);
        await handle.executeUpdate(denyUpdate, { args: [{ reason: 'calendar is private today' }] });
        const result = await handle.result();
        assert.equal(result.success, true);
        assert.match(result.text_response, /calendar is private today/);
        assert.deepEqual(
          result.tool_calls.filter((call) => call.status === 'denied').map((call) => call.tool),
          ['list_events'],
        );
        if (mode === 'stateless') await saveHistoryFixture(handle, 'query-stateless-denied');
      });
    });

    it('a worker killed with SIGKILL during the approval wait: a new worker finishes the run', async () => {
      stack.demo.servers.weather.reset();
      stack.demo.servers.calendar.reset();
      const taskQueue = uniqueTaskQueue(`conversation-crash-${mode}`);
      const first = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
      const handle = await stack.env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('conversation-crash'),
        args: [queryInput(mode)],
      });
      await waitForApproval(handle);
      await first.kill();
      const second = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
      try {
        await handle.executeUpdate(approveUpdate, { args: [{}] });
        const result = await handle.result();
        assert.equal(result.success, true);
        assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
        assert.equal(stack.demo.servers.calendar.counters().executed.list_events, 1);
        await assertConversationCarried(handle, mode);
      } finally {
        await second.stop();
      }
    });

    it('an approval answered after the API forgot its responses (longer than the retention)', async () => {
      await withQueryWorker(async (start) => {
        const handle = await start(queryInput(mode));
        await waitForApproval(handle);
        stack.emulator.forgetResponses();
        await handle.executeUpdate(approveUpdate, { args: [{}] });
        if (mode === 'stateless') {
          const result = await handle.result();
          assert.equal(result.success, true);
          assert.match(result.text_response, /London/);
          return;
        }
        const failure = await handle.result().then(
          () => undefined,
          (error: unknown) => error,
        );
        assert.ok(failure instanceof WorkflowFailedError, String(failure));
        const message = String(failure.cause?.message);
        assert.match(message, /previous_response_not_found/);
        assert.match(message, /conversation "stateless"/, 'the note says what to do');
      });
    });
  });
}

describe('runQuery: the default conversation mode', () => {
  it('stateless without an approval timeout, stored with one of 30 days or less', async () => {
    await withQueryWorker(async (start) => {
      const stateless = await start({ query: "What's the weather in Paris?", servers: [seedServers()[0]!], retry: FAST_RETRY });
      const stored = await start({ query: "What's the weather in Paris?", servers: [seedServers()[0]!], retry: FAST_RETRY, approval_timeout_ms: 60_000 });
      await Promise.all([stateless.result(), stored.result()]);
      assert.equal((await responsesCallInputs(stateless))[0]?.['store'], false);
      assert.equal((await responsesCallInputs(stored))[0]?.['store'], undefined);
    });
  });
});
