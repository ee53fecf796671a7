/**
 * A worker killed with SIGKILL loses nothing: a new worker picks the query up where history says
 * it was. No mocks: a worker in a child process, the dev server, the emulator, the demo servers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { startWorkerProcess } from '../helpers/worker-process';
import { until } from '../helpers/wait';

const stack = useOfflineStack();

function seedQuery(overrides: Partial<QueryInput> = {}): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
    ],
    retry: { max_retries: 3, base_delay_ms: 200, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 },
    ...overrides,
  };
}

describe('SIGKILL of the worker', () => {
  it('while a query waits for approval: a new worker finishes it, no call lost or doubled', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.calendar.reset();
    const taskQueue = uniqueTaskQueue('crash-approval');
    const first = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('crash-approval'), args: [seedQuery()] });
    await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
    await first.kill();

    const second = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    try {
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.deepEqual(result.tool_calls.map((call) => call.tool).sort(), ['get_current_weather', 'list_events']);
      assert.equal(new Set(result.tool_calls.map((call) => call.id)).size, result.tool_calls.length, 'no record doubled');
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
      assert.equal(stack.demo.servers.calendar.counters().executed.list_events, 1);
    } finally {
      await second.stop();
    }
  });

  it("inside a Responses call: the call is retried on a new worker; hosted mode runs that turn's tool again, the records stay single", async () => {
    stack.demo.servers.weather.reset();
    const taskQueue = uniqueTaskQueue('crash-call');
    const first = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    // A slow tool keeps the Responses call open long enough to kill the worker inside it.
    stack.demo.servers.weather.setFaults({ latencyMs: 1_500 });
    const toolCallsBefore = stack.emulator.stats().mcpToolCallsTotal;
    const handle = await stack.env.client.workflow.start(runQuery, {
      taskQueue,
      workflowId: uniqueWorkflowId('crash-call'),
      args: [seedQuery({ query: "What's the weather in Paris?", servers: [seedQuery().servers[0]!], call_timeout_ms: 6_000 })],
    });
    await until(async () => stack.emulator.stats().mcpToolCallsTotal > toolCallsBefore, 'the tool call to start inside the Responses call');
    await first.kill();
    stack.demo.servers.weather.setFaults({ latencyMs: 0 });

    const second = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    try {
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.equal(result.tool_calls.length, 1, 'one call record');
      assert.ok(result.retries >= 1, `the cut-off call was retried (${result.retries})`);
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 2, 'hosted mode: the retried turn ran the tool again');
    } finally {
      await second.stop();
    }
  });
});
