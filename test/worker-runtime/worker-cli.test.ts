/**
 * `mcpflow worker` as a process: the log line of a retried activity, and SIGTERM draining
 * (in-flight activities finish, or go back to the server when the grace time runs out).
 * Real dev server, real emulator and demo MCP servers, the real CLI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { startCliWorker } from '../cluster/cli-worker';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { findFreePort } from '../../src/devserver/ports';

const stack = useOfflineStack();
const SECRET = 'weather-token-MARKER-7f3a';

function weatherQuery(): QueryInput {
  return {
    query: "What's the weather in Paris?",
    mode: 'direct',
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never', headers: { 'x-api-key': { env: 'WEATHER_TOKEN' } }, inline: true },
    ],
    retry: { max_retries: 3, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 },
  };
}

/** A tool-call activity has started on a worker (the server's view, not the worker's). */
async function toolCallRunning(handle: WorkflowHandle): Promise<boolean> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'callToolDirect' && activity.state === 2 /* STARTED */);
}

function worker(name: string, taskQueue: string, args: string[] = []) {
  return startCliWorker({
    name,
    address: stack.env.address,
    namespace: stack.env.namespace,
    taskQueue,
    openaiBaseURL: stack.emulator.url,
    args: ['--allow-inline-servers', ...args],
    env: { WEATHER_TOKEN: SECRET },
  });
}

describe('mcpflow worker', () => {
  it('logs a retried activity as one line with workflow id, server, tool, attempt and error type, and no secret', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'http_500', tool: 'get_current_weather' } });
    const taskQueue = uniqueTaskQueue('log-line');
    const running = await worker('log', taskQueue);
    try {
      const workflowId = uniqueWorkflowId('log-line');
      const result = await stack.env.client.workflow.execute(runQuery, { taskQueue, workflowId, args: [weatherQuery()] });
      assert.equal(result.success, true);
      assert.equal(result.retries, 1);
      const failures = running
        .stderr()
        .split('\n')
        .filter((line) => line.includes('Activity failed'));
      assert.equal(failures.length, 1, running.stderr());
      const line = failures[0]!;
      assert.match(line, new RegExp(`workflowId=${workflowId} `));
      assert.match(line, / server=weather /);
      assert.match(line, / tool=get_current_weather /);
      assert.match(line, / attempt=1 /);
      assert.match(line, / errorType=\S+/);
      assert.doesNotMatch(running.output(), new RegExp(SECRET));
      assert.doesNotMatch(running.stderr(), /^\s+at /m, 'no stack trace');
    } finally {
      await running.stop();
    }
  });

  it('SIGTERM lets an in-flight tool call finish, then exits 0; the run completes on another worker without a second call', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ latencyMs: 2_000 });
    const taskQueue = uniqueTaskQueue('drain');
    const first = await worker('drain-1', taskQueue, ['--shutdown-grace-time', '30s']);
    const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('drain'), args: [weatherQuery()] });
    await until(() => toolCallRunning(handle), 'the tool call to start', 60_000);
    const exit = await first.stop();
    assert.equal(exit.code, 0, first.output());
    assert.match(first.output(), /Stopping the worker \(SIGTERM\)/);
    assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1, 'the call finished before the worker exited');
    stack.demo.servers.weather.setFaults({ latencyMs: 0 });
    const second = await worker('drain-2', taskQueue);
    try {
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.equal(result.retries, 0, 'the drained call was not retried');
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
    } finally {
      await second.stop();
    }
  });

  it('SIGTERM with a short grace time hands the running call back: another worker runs it and the run completes', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ latencyMs: 5_000 });
    const taskQueue = uniqueTaskQueue('handback');
    const first = await worker('handback-1', taskQueue, ['--shutdown-grace-time', '300ms']);
    const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('handback'), args: [weatherQuery()] });
    await until(() => toolCallRunning(handle), 'the tool call to start', 60_000);
    const exit = await first.stop();
    assert.equal(exit.code, 0, first.output());
    stack.demo.servers.weather.setFaults({ latencyMs: 0 });
    const second = await worker('handback-2', taskQueue);
    try {
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.deepEqual(
        result.tool_calls.map((call) => call.status),
        ['completed'],
      );
      assert.ok(result.retries >= 1, 'the cancelled attempt counts as a retry');
    } finally {
      await second.stop();
    }
  });

  it("--metrics-port serves the SDK's metrics and mcpflow's tool-call and failure counters", async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'http_500', tool: 'get_current_weather' } });
    const taskQueue = uniqueTaskQueue('metrics');
    const port = await findFreePort('127.0.0.1');
    const running = await worker('metrics', taskQueue, ['--metrics-port', String(port)]);
    try {
      await until(async () => running.output().includes(`Metrics: http://127.0.0.1:${port}/metrics`), 'the metrics line', 10_000);
      const result = await stack.env.client.workflow.execute(runQuery, { taskQueue, workflowId: uniqueWorkflowId('metrics'), args: [weatherQuery()] });
      assert.equal(result.success, true);
      let text = '';
      await until(
        async () => {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          // The SDK's counters reach the exporter on their own schedule, after the result has reached the client.
          return /mcpflow_tool_calls\S*\{[^}]*outcome="completed"/.test(text) && /^temporal_workflow_completed\S*\{[^}]*workflow_type="runQuery"/m.test(text);
        },
        'the tool-call counter and the SDK workflow counter to be exported',
        30_000,
      );
      const sample = (name: string, labels: string[]) =>
        text.split('\n').find((line) => line.startsWith(name) && labels.every((label) => line.includes(label)));
      assert.ok(sample('temporal_workflow_completed', ['workflow_type="runQuery"']), 'an SDK metric');
      assert.ok(
        sample('mcpflow_tool_calls', ['server="weather"', 'tool="get_current_weather"', 'outcome="completed"']),
        text
          .split('\n')
          .filter((line) => line.includes('mcpflow'))
          .join('\n'),
      );
      assert.ok(sample('mcpflow_tool_calls', ['outcome="failed"']));
      assert.ok(sample('mcpflow_activity_failures', ['error_type="connection"', 'activityType="callToolDirect"']));

      // A call that waits for a person: the wait is measured when the answer arrives.
      const waiting = await stack.env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('metrics-approval'),
        args: [{ ...weatherQuery(), servers: [{ ...weatherQuery().servers![0]!, require_approval: 'always' }] }],
      });
      await until(async () => (await waiting.query(progressQuery)).state === 'waiting_approval', 'the approval request', 60_000);
      await waiting.executeUpdate(approveUpdate, { args: [{}] });
      assert.equal((await waiting.result()).success, true);
      await until(
        async () => {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return text.includes('mcpflow_approval_wait');
        },
        'the approval wait histogram to be exported',
        30_000,
      );
      assert.ok(
        sample('mcpflow_approval_wait', ['server="weather"', 'tool="get_current_weather"', 'outcome="approved"']),
        text
          .split('\n')
          .filter((line) => line.includes('approval'))
          .join('\n'),
      );
      assert.doesNotMatch(text, new RegExp(SECRET));
    } finally {
      await running.stop();
    }
  });
});
