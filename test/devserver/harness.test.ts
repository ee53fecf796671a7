/** The workflow-test harness on the real dev server, with a workflow of its own (not mcpflow's). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const TRIVIAL_WORKFLOWS = path.join(__dirname, 'fixtures', 'trivial-workflow.ts');

void describe('test harness', () => {
  after(teardownTestEnv);

  void it('connects to one cached environment per process', async () => {
    const first = await getTestEnv();
    const second = await getTestEnv();
    assert.equal(first, second);
    const info = await first.client.workflowService.getSystemInfo({});
    assert.ok(info.capabilities, 'the server answers getSystemInfo');
  });

  void it('runs a workflow to completion on the real dev server', async () => {
    const taskQueue = uniqueTaskQueue('harness');
    const result = await withWorker({ taskQueue, workflowsPath: TRIVIAL_WORKFLOWS }, (env) =>
      env.client.workflow.execute('trivial', { taskQueue, workflowId: uniqueWorkflowId('trivial'), args: ['harness'] }),
    );
    assert.equal(result, 'hello harness');
  });

  void it('runs several workflows on one worker, each test on its own task queue', async () => {
    const taskQueue = uniqueTaskQueue('harness-many');
    const results = await withWorker({ taskQueue, workflowsPath: TRIVIAL_WORKFLOWS }, (env) =>
      Promise.all(['a', 'b', 'c'].map((name) => env.client.workflow.execute('trivial', { taskQueue, workflowId: uniqueWorkflowId('trivial'), args: [name] }))),
    );
    assert.deepEqual(results, ['hello a', 'hello b', 'hello c']);
  });

  void it('shuts the worker down and passes on the error when the test body throws', async () => {
    const taskQueue = uniqueTaskQueue('harness-throw');
    let seenWorkerState: string | undefined;
    let workerRef: { getState(): string } | undefined;
    await assert.rejects(
      withWorker({ taskQueue, workflowsPath: TRIVIAL_WORKFLOWS }, async (_env, worker) => {
        workerRef = worker;
        seenWorkerState = worker.getState();
        throw new Error('test body failed');
      }),
      /test body failed/,
    );
    assert.equal(seenWorkerState, 'RUNNING');
    assert.equal(workerRef?.getState(), 'STOPPED');
  });
});
