/**
 * What a real `mcpflow worker` writes to its log (stderr, a pipe here as in a log file) when a
 * workflow fails and when a workflow task keeps failing: one line for the failed workflow, no
 * stack; one line per distinct task failure, not one block per retry; no ANSI colour codes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, startCli, waitForOutput } from '../cli/harness';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const stack = useOfflineStack();

describe('the worker log', () => {
  it('a failed workflow: one line; a failing workflow task: one line per distinct failure; no colour codes', async () => {
    const taskQueue = uniqueTaskQueue('log-lines');
    const worker = startCli(['worker'], {
      via: 'source',
      env: { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: stack.env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, OPENAI_BASE_URL: stack.emulator.url },
    });
    const stopped = collect(worker, 180_000);
    try {
      await waitForOutput(worker, /Press Ctrl-C to stop/, 120_000);
      // A workflow that fails: its input is refused.
      const failing = await stack.env.client.workflow.start('runQuery', {
        taskQueue,
        workflowId: uniqueWorkflowId('log-failed'),
        args: [{ query: '', servers: [] }],
      });
      await failing.result().catch(() => undefined);
      // A workflow task that fails on every attempt: a type no worker registers.
      const broken = await stack.env.client.workflow.start('noSuchWorkflowType', { taskQueue, workflowId: uniqueWorkflowId('log-task-failure'), args: [] });
      for (let waited = 0; waited < 60_000; waited += 200) {
        const attempt = (await broken.describe()).raw.pendingWorkflowTask?.attempt ?? 0;
        if (attempt >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(((await broken.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 'the task failed at least twice');
      await broken.terminate('test finished');
    } finally {
      worker.kill('SIGTERM');
    }
    const { stderr } = await stopped;
    assert.ok(!stderr.includes('\u001b['), 'no ANSI colour codes');
    const failedLines = stderr.split('\n').filter((line) => /Workflow failed/.test(line));
    assert.equal(failedLines.length, 1, failedLines.join('\n'));
    assert.match(failedLines[0]!, /workflowType=runQuery .*errorType=ApplicationFailure message="invalid runQuery input: /);
    assert.doesNotMatch(stderr, /^\s+at /m, 'no stack');
    const taskLines = stderr.split('\n').filter((line) => /noSuchWorkflowType|workflow task/i.test(line));
    assert.equal(taskLines.length, 1, taskLines.join('\n'));
  });
});
