/**
 * A reasoning model (gpt-5-mini) in both conversation modes, on real components (dev server,
 * emulator, demo MCP servers), with an approval between two turns. Stateless: every turn asks for
 * `reasoning.encrypted_content` and the turn after the approval carries the reasoning items the
 * model sent, encrypted content included. Stored: the turn after the approval names the previous
 * response and carries nothing else. The model options of the run reach every request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { ConversationMode } from '../../src/core/conversation';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { until } from '../helpers/wait';

type Json = Record<string, unknown>;

const stack = useOfflineStack();

function queryInput(conversation: ConversationMode): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
    ],
    model: 'gpt-5-mini',
    reasoning: { effort: 'low', summary: 'auto' },
    max_output_tokens: 4_000,
    prompt_cache_key: 'reasoning-test',
    retry: { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 },
    conversation,
  };
}

/** The request of every Responses activity the run scheduled (streamed or created in the background), decoded from its history. */
async function responsesCallInputs(handle: WorkflowHandle): Promise<Json[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    // A stored turn runs in background mode by default: its request is the create activity's input.
    if (scheduled?.activityType?.name !== 'callResponsesApi' && scheduled?.activityType?.name !== 'createBackgroundResponse') return [];
    const payload = scheduled.input?.payloads?.[0]?.data;
    return payload ? [JSON.parse(Buffer.from(payload).toString('utf8')) as Json] : [];
  });
}

/** The reasoning items each Responses activity returned. */
async function returnedReasoning(handle: WorkflowHandle): Promise<Json[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    if (!payload) return [];
    const result = JSON.parse(Buffer.from(payload).toString('utf8')) as { output?: Json[] };
    return (result.output ?? []).filter((item) => item['type'] === 'reasoning');
  });
}

async function approvedRun(mode: ConversationMode): Promise<WorkflowHandle<typeof runQuery>> {
  const taskQueue = uniqueTaskQueue(`reasoning-${mode}`);
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (testEnv) => {
    const handle = await testEnv.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`reasoning-${mode}`), args: [queryInput(mode)] });
    await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'an approval request');
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    const result = await handle.result();
    assert.equal(result.success, true, result.error ?? '');
    return handle;
  });
}

describe('a reasoning model across an approval', () => {
  let stateless: Promise<WorkflowHandle<typeof runQuery>> | undefined;
  /** One stateless run for the two tests that read it. */
  const statelessRun = () => (stateless ??= approvedRun('stateless'));

  it("stateless: every turn asks for the encrypted reasoning and sends the run's model options", async () => {
    const handle = await statelessRun();
    const inputs = await responsesCallInputs(handle);
    assert.ok(inputs.length >= 2, `two turns at least (${inputs.length})`);
    for (const input of inputs) {
      assert.deepEqual(input['include'], ['reasoning.encrypted_content']);
      assert.equal(input['store'], false);
      assert.deepEqual(input['reasoning'], { effort: 'low', summary: 'auto' });
      assert.equal(input['max_output_tokens'], 4_000);
      assert.equal(input['prompt_cache_key'], 'reasoning-test');
    }
    assert.ok(
      (inputs.at(-1)!['input'] as Json[]).some((item) => item['type'] === 'mcp_approval_response'),
      'the last turn answers the approval',
    );
    await saveHistoryFixture(handle, 'query-stateless-reasoning-approved');
  });

  it('stateless: the turn after the approval carries the reasoning items, encrypted content included', async () => {
    const handle = await statelessRun();
    const inputs = await responsesCallInputs(handle);
    const afterApproval = inputs.at(-1)!['input'] as Json[];
    const returned = await returnedReasoning(handle);
    assert.ok(returned.length > 0, 'the model reasoned (the emulator sends reasoning items for gpt-5-mini)');
    const carried = afterApproval.filter((item) => item['type'] === 'reasoning');
    assert.ok(carried.length > 0, 'the turn after the approval carries reasoning items');
    for (const item of carried) assert.equal(typeof item['encrypted_content'], 'string', 'with their encrypted content');
    const firstTurnReasoning = returned[0]!;
    assert.ok(
      carried.some((item) => item['id'] === firstTurnReasoning['id'] && item['encrypted_content'] === firstTurnReasoning['encrypted_content']),
      'the reasoning of the turn that asked for approval, as the API sent it',
    );
  });

  it('stored: the turn after the approval names the previous response and carries nothing else', async () => {
    const handle = await approvedRun('stored');
    const inputs = await responsesCallInputs(handle);
    assert.ok(inputs.length >= 2);
    for (const input of inputs) assert.equal(input['include'], undefined, 'no encrypted reasoning asked: the API keeps it');
    const last = inputs.at(-1)!;
    assert.match(String(last['previous_response_id']), /^resp_/);
    assert.deepEqual(
      (last['input'] as Json[]).map((item) => item['type']),
      ['mcp_approval_response'],
    );
  });
});
