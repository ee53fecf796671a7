/**
 * `mcpflow` against a task queue no worker polls: queries and updates must not hang, and say
 * what is missing (exit 5, src/cli/README.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, type TestEnv } from '../helpers/temporal';
import { ensureBuilt, runCli, startCli, type CliOptions } from './harness';

let env: TestEnv;
// Nobody ever polls this one.
const taskQueue = uniqueTaskQueue('cli-no-worker');
const started: string[] = [];

function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, { ...options, env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env } });
}

before(async () => {
  ensureBuilt();
  env = await getTestEnv();
});

after(async () => {
  for (const id of started)
    await env.client.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  await teardownTestEnv();
});

describe('mcpflow without a worker', () => {
  it('stats and approve of a query nobody runs exit 5 naming the task queue', async () => {
    const start = await cli(['query', 'hi', '--no-wait', '--server', 'weather=http://127.0.0.1:9/mcp,approval=never']);
    assert.equal(start.code, 0, start.stderr);
    const workflowId = start.stdout.trim();
    assert.match(workflowId, /^mcpflow-query-[0-9a-f]{8}$/);
    started.push(workflowId);

    const stats = await cli(['stats', workflowId], { via: 'built' });
    assert.equal(stats.code, 5, stats.stderr);
    assert.match(
      stats.stderr,
      new RegExp(`mcpflow: workflow ${workflowId} did not answer: no worker is polling task queue ${taskQueue}; start one with \`mcpflow worker\``),
    );
    assert.doesNotMatch(stats.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stats.stdout, '');

    const approve = await cli(['approve', workflowId]);
    assert.equal(approve.code, 5, approve.stderr);
    assert.match(approve.stderr, new RegExp(`no worker is polling task queue ${taskQueue}`));
  });

  it('discover says it waits for a worker on the task queue', async () => {
    const child = startCli(['discover', '--server', 'weather=http://127.0.0.1:9/mcp'], {
      env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end();
    try {
      const deadline = Date.now() + 20_000;
      while (!/waiting for a worker/.test(stderr)) {
        assert.ok(Date.now() < deadline, `no hint in:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(stderr, new RegExp(`waiting for a worker on task queue ${taskQueue}: start \`mcpflow worker\``));
    } finally {
      child.kill('SIGKILL');
    }
    // Its discoverTools run waits in Temporal: end it.
    const runs = env.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND WorkflowType = 'discoverTools' AND ExecutionStatus = 'Running'` });
    for await (const run of runs) started.push(run.workflowId);
  });
});
