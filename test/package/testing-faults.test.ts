/**
 * `mcpflow/testing` as a user tests a pipeline offline (issue 23, item 5): the stack of
 * startOfflineStack, a scripted turn, and faults injected through it (the emulator's
 * `setFaults`, a demo server's `setFaults`), on the real dev server with a worker that runs
 * McpflowPlugin. Each fault is met by Temporal's retries and the query still answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { McpflowClient } from '../../src/client';
import { scriptedTurn, startOfflineStack, type OfflineStack } from '../../src/testing';
import { McpflowPlugin } from '../../src/worker';
import { getTestEnv, uniqueTaskQueue, type TestEnv } from '../helpers/temporal';

const RETRY = { max_retries: 3, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

describe('mcpflow/testing: faults for a pipeline tested offline', { timeout: 120_000 }, () => {
  let stack: OfflineStack;
  let env: TestEnv;
  before(async () => {
    [stack, env] = await Promise.all([startOfflineStack(), getTestEnv()]);
  });
  after(() => stack?.close());

  it("an API failure from the emulator's setFaults and a tool failure from a demo server's are retried; the queries answer", async () => {
    const taskQueue = uniqueTaskQueue('testing-faults');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      plugins: [new McpflowPlugin({ openaiBaseURL: stack.openaiBaseURL, allowPrivateNetworks: 'loopback', env: {} })],
    });
    const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
    const weather = stack.server('weather', { require_approval: 'never' });
    const script = scriptedTurn({ calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'London' } }], answer: 'Mild.' });
    const [api, tool] = await worker.runUntil(async () => {
      stack.emulator.setFaults({ failNext: { count: 1, status: 500 } });
      const api = await client.waitForQuery(await client.startQuery({ query: 'Weather in London?', servers: [weather], retry: RETRY, metadata: script }));
      stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'http_500', tool: 'get_current_weather' } });
      const tool = await client.waitForQuery(
        await client.startQuery({ query: 'Weather in London?', mode: 'direct', servers: [weather], retry: RETRY, metadata: script }),
      );
      return [api, tool];
    });
    for (const outcome of [api, tool]) {
      assert.equal(outcome.succeeded, true, outcome.error ?? '');
      assert.equal(outcome.result?.text_response, 'Mild.');
      assert.ok((outcome.result?.retries ?? 0) >= 1, `a retry met the fault: ${outcome.result?.retries ?? 'no result'}`);
    }
    assert.deepEqual(
      tool.result?.tool_calls.map((call) => [call.tool, call.status]),
      [['get_current_weather', 'completed']],
    );
    assert.equal(stack.demo.servers.weather.faults().failNext, null, "the demo server's fault was used up");
  });
});
