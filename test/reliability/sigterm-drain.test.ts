/**
 * SIGTERM to `mcpflow worker --shutdown-grace-time 30s` with queries in flight in both modes:
 * the running activities (a Responses call with its hosted tool, a direct tool call) finish
 * before the process exits, and a second worker completes the runs without running any tool
 * again. A row of docs/reliability.md (test/worker-runtime/worker-cli.test.ts has the one-query case).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { startCliWorker } from '../cluster/cli-worker';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, taskFailures, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const stack = useOfflineStack();
const rows = reliabilityRows(50, 'sigterm-drain');
after(() => rows.flush());

const PER_MODE = 3;

/** The run's model turn (hosted) or tool call (direct) has started on a worker. */
async function activityRunning(handle: WorkflowHandle, type: string): Promise<boolean> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  return pending.some((activity) => activity.activityType?.name === type && activity.state === 2 /* STARTED */);
}

describe('reliability: SIGTERM drains', () => {
  it(`SIGTERM with ${2 * PER_MODE} queries in flight (hosted + direct): in-flight work finishes, no tool runs twice`, async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ latencyMs: 2_000 });
    const taskQueue = uniqueTaskQueue('sigterm');
    const worker = (name: string, args: string[] = []) =>
      startCliWorker({ name, address: stack.env.address, namespace: stack.env.namespace, taskQueue, openaiBaseURL: stack.emulator.url, args });
    const first = await worker('sigterm-1', ['--shutdown-grace-time', '30s']);
    let second: Awaited<ReturnType<typeof worker>> | undefined;
    try {
      const handles: WorkflowHandle<typeof runQuery>[] = [];
      for (const mode of ['hosted', 'direct'] as const) {
        for (let i = 0; i < PER_MODE; i++) {
          const input: QueryInput = {
            query: `What's the weather in city ${mode}-${i}?`,
            mode,
            servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
            retry: FAST_RETRY,
            call_timeout_ms: 30_000,
          };
          handles.push(await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`sigterm-${mode}`), args: [input] }));
        }
      }
      // Every run has its tool running: inside the Responses call (hosted) or as its own activity (direct).
      await until(async () => stack.emulator.stats().mcpToolCallsTotal >= PER_MODE, 'the hosted tool calls', 60_000);
      await until(
        async () => (await Promise.all(handles.slice(PER_MODE).map((handle) => activityRunning(handle, 'callToolDirect')))).every(Boolean),
        'the direct tool calls',
        60_000,
      );
      const exit = await first.stop();
      const ranBeforeExit = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      second = await worker('sigterm-2');
      const results = await Promise.all(handles.map((handle) => handle.result()));
      const executions = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      const completed = results.filter((result) => result.success).length;
      const retried = results.filter((result) => result.retries > 0).length;
      const failures = (await Promise.all(handles.map((handle) => taskFailures(handle)))).reduce((sum, count) => sum + count, 0);
      rows.push({
        scenario: `SIGTERM to \`mcpflow worker --shutdown-grace-time 30s\` with ${2 * PER_MODE} queries in flight (${PER_MODE} hosted inside a Responses call, ${PER_MODE} direct inside a tool call; tools take 2 s)`,
        runs: handles.length,
        completed,
        lost: handles.length - completed,
        duplicated: `${Math.max(0, executions - handles.length)} (weather tool ran ${executions}× for ${handles.length} runs, ${ranBeforeExit} before the worker exited)`,
        expected:
          exit.code === 0 &&
          completed === handles.length &&
          executions === handles.length &&
          ranBeforeExit === handles.length &&
          retried === 0 &&
          failures === 0
            ? 'yes: exit 0 after the in-flight work finished; a second worker completed the runs; 0 retries, 0 task failures'
            : `NO: exit ${exit.code}, ${retried} runs retried`,
      });
      assert.equal(exit.code, 0, first.output());
      assert.equal(ranBeforeExit, handles.length, 'every in-flight tool call finished before the worker exited');
      assert.equal(completed, handles.length);
      assert.equal(executions, handles.length, 'no tool ran twice');
      assert.equal(retried, 0, 'nothing was handed back and retried');
      assert.equal(failures, 0);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });
});
