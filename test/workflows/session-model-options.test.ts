/**
 * A session's model options on real components (dev server, emulator, demo servers): every query
 * of the session sends them, and its queries share one prompt cache key (the session's) unless
 * the session names its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { sharedCacheKey } from '../../src/core/model-options';
import { executeQueryUpdate, isQueryStarted, type SessionInput } from '../../workflows/messages';
import { mcpSession } from '../../workflows/session';
import { childResult, waitUntilRecorded } from '../helpers/sessions';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

type Json = Record<string, unknown>;

const stack = useOfflineStack();

async function responsesCallInputs(handle: WorkflowHandle): Promise<Json[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'callResponsesApi') return [];
    const payload = scheduled.input?.payloads?.[0]?.data;
    return payload ? [JSON.parse(Buffer.from(payload).toString('utf8')) as Json] : [];
  });
}

/** Two queries in a session with these options; the Responses inputs of both. */
async function twoQueries(options: Partial<SessionInput>): Promise<{ sessionId: string; inputs: Json[] }> {
  const taskQueue = uniqueTaskQueue('session-options');
  return withWorker(
    { taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) },
    async (env) => {
      const input: SessionInput = {
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
        retry: { max_retries: 1, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 },
        ...options,
      };
      const session = await env.client.workflow.start(mcpSession, { taskQueue, workflowId: uniqueWorkflowId('session-options'), args: [input] });
      try {
        const inputs: Json[] = [];
        for (const query of ['Weather in London?', 'Weather in Paris?']) {
          const outcome = await session.executeUpdate(executeQueryUpdate, { args: [{ query }] });
          assert.ok(isQueryStarted(outcome));
          assert.equal((await childResult(env.client, outcome.workflow_id)).success, true);
          await waitUntilRecorded(session, outcome.workflow_id);
          inputs.push(...(await responsesCallInputs(env.client.workflow.getHandle(outcome.workflow_id))));
        }
        return { sessionId: session.workflowId, inputs };
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    },
  );
}

describe("a session's model options", () => {
  it("reach every query's requests, which share the session's cache key", async () => {
    const { sessionId, inputs } = await twoQueries({
      model: 'gpt-5-mini',
      reasoning: { effort: 'minimal' },
      service_tier: 'priority',
      max_output_tokens: 1_000,
    });
    assert.ok(inputs.length >= 2, `${inputs.length} calls`);
    for (const input of inputs) {
      assert.equal(input['prompt_cache_key'], sharedCacheKey('session', sessionId));
      assert.deepEqual(input['reasoning'], { effort: 'minimal' });
      assert.equal(input['service_tier'], 'priority');
      assert.equal(input['max_output_tokens'], 1_000);
    }
  });

  it('a key the session names wins', async () => {
    const { inputs } = await twoQueries({ prompt_cache_key: 'mine' });
    assert.ok(inputs.length >= 2);
    for (const input of inputs) {
      assert.equal(input['prompt_cache_key'], 'mine');
      for (const field of ['reasoning', 'service_tier', 'max_output_tokens']) assert.ok(!(field in input), `${field} left to the API`);
    }
  });
});
