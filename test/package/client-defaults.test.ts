/**
 * McpflowClient's `defaults` (src/client/run-defaults.ts) on the real dev server and emulator: a
 * query, a discovery, a batch and a session started without a model get the client's model and model
 * options in their input, so every Responses call sends them; what the input names wins. A bad
 * default is refused before anything connects, naming the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { ConfigError, McpflowClient, type RunDefaults } from '../../src/client';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

type Json = Record<string, unknown>;
const NOWHERE = { address: '127.0.0.1:1', namespace: 'default', tls: false, apiKey: undefined, metadata: undefined, profile: undefined };
const stack = useOfflineStack();
const RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

/** The inputs of the run's activities of this type ('*': all), as history holds them. */
async function activityInputs(handle: WorkflowHandle, type: string): Promise<Json[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled || (type !== '*' && scheduled.activityType?.name !== type)) return [];
    const payload = scheduled.input?.payloads?.[0]?.data;
    return payload ? [JSON.parse(Buffer.from(payload).toString('utf8')) as Json] : [];
  });
}

describe('McpflowClient defaults', { timeout: 120_000 }, () => {
  it("fill the model and model options of runs that name none; the input's own win", async () => {
    const taskQueue = uniqueTaskQueue('client-defaults');
    const defaults: RunDefaults = { model: 'gpt-5-mini', reasoning: { effort: 'minimal' }, service_tier: 'priority', max_output_tokens: 2_000 };
    await withWorker(
      { taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) },
      async (env) => {
        const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue, defaults);
        const servers = [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' as const }];
        const base = { query: "What's the weather in London?", servers, retry: RETRY, mode: 'hosted' as const };

        const plain = await client.startQuery(base);
        const own = await client.startQuery({ ...base, model: 'o4-mini', reasoning: { summary: 'auto' }, service_tier: 'flex' });
        for (const id of [plain, own]) {
          const outcome = await client.waitForQuery(id);
          assert.equal(outcome.succeeded, true, outcome.error ?? '');
        }
        const plainCalls = await activityInputs(env.client.workflow.getHandle(plain), 'callResponsesApi');
        const ownCalls = await activityInputs(env.client.workflow.getHandle(own), 'callResponsesApi');
        assert.ok(plainCalls.length > 0 && ownCalls.length > 0);
        for (const call of plainCalls) {
          assert.equal(call['model'], 'gpt-5-mini');
          assert.deepEqual(call['reasoning'], { effort: 'minimal' });
          assert.equal(call['service_tier'], 'priority');
          assert.equal(call['max_output_tokens'], 2_000);
        }
        for (const call of ownCalls) {
          assert.equal(call['model'], 'o4-mini');
          assert.deepEqual(call['reasoning'], { effort: 'minimal', summary: 'auto' }, 'effort and summary each on their own, as the CLI');
          assert.equal(call['service_tier'], 'flex');
        }

        const discovery = await client.discover({ servers, retry: RETRY, mode: 'hosted' }, { workflowId: uniqueWorkflowId('client-defaults-discover') });
        // Whichever activity lists (one for all servers, or one per server): each carries the model.
        const hostedListings = (await activityInputs(env.client.workflow.getHandle(discovery.workflow_id), '*')).filter((input) => 'model' in input);
        assert.ok(hostedListings.length > 0);
        for (const listing of hostedListings) assert.equal(listing['model'], 'gpt-5-mini');

        // A batch: its lines (runBatchLine activities of the batch) carry the defaults too.
        const batchId = uniqueWorkflowId('client-defaults-batch');
        await client.batches.startOrAttach(batchId, {
          total: 2,
          servers,
          retry: RETRY,
          lines: [1, 2].map((n) => ({ n, key: `l-${n}`, query: `weather ${n}` })),
        });
        assert.equal((await client.batches.result(batchId)).progress.succeeded, 2);
        const lineInputs = await activityInputs(env.client.workflow.getHandle(batchId), 'runBatchLine');
        assert.equal(lineInputs.length, 2);
        for (const line of lineInputs) assert.deepEqual([line['model'], line['service_tier']], ['gpt-5-mini', 'priority']);

        const sessionId = uniqueWorkflowId('client-defaults-session');
        await client.sessions.startOrGet(sessionId, { servers, retry: RETRY });
        try {
          const started = await client.sessions.startQuery(sessionId, { query: "What's the weather in Paris?" });
          assert.equal((await started.result).success, true);
          const sessionCalls = await activityInputs(env.client.workflow.getHandle(started.query_workflow_id), 'callResponsesApi');
          assert.ok(sessionCalls.length > 0);
          for (const call of sessionCalls) assert.equal(call['model'], 'gpt-5-mini');
        } finally {
          await client
            .handle(sessionId)
            .terminate('test finished')
            .catch(() => undefined);
        }
      },
    );
  });

  it('refuses a bad default before connecting, naming the field', async () => {
    await assert.rejects(
      McpflowClient.connect(NOWHERE, { defaults: { model: '' } }),
      (error: Error) => error instanceof ConfigError && /McpflowClient defaults: model: the model is empty/.test(error.message),
    );
    await assert.rejects(
      McpflowClient.connect(NOWHERE, { defaults: { service_tier: 'fast' } as unknown as RunDefaults }),
      /service_tier: service_tier must be one of/,
    );
  });
});
