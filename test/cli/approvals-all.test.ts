/**
 * `approve --all` with no filter answers every pending request of the namespace: without a
 * terminal it needs --yes (exit 2 naming it). `approvals list` reports runs it cannot read,
 * including runs that never set McpState (started without mcpflow's search attributes), instead
 * of skipping them without a word.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, type TestEnv } from '../helpers/temporal';
import { ensureBuilt, runCli } from './harness';

let env: TestEnv;
const started: string[] = [];

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

function cli(args: string[]) {
  return runCli(args, { env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace } });
}

describe('approvals across runs', () => {
  for (const verb of ['approve', 'deny']) {
    it(`${verb} --all with no filter and no terminal exits 2 naming --yes, and answers nothing`, async () => {
      const run = await cli([verb, '--all']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--all with no --batch, --server or --tool answers every pending request in namespace \S+: add --yes to confirm/);
      assert.equal(run.stdout, '');
    });
  }

  it('--all with a filter needs no --yes', async () => {
    const run = await cli(['approve', '--all', '--server', `nobody_${Date.now()}`, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { approve: true, answered: [], refused: [], unreadable: [] });
  });

  it('approvals list reports a run it cannot read (no McpState, no worker) and exits 1', async () => {
    const workflowId = uniqueWorkflowId('approvals-unreadable');
    // Started as a client does on a namespace without mcpflow's search attributes; nobody polls its queue.
    await env.client.workflow.start('runQuery', {
      taskQueue: uniqueTaskQueue('approvals-unreadable'),
      workflowId,
      args: [{ query: 'Book the planning meeting', servers: [{ label: 'calendar', url: 'http://127.0.0.1:9/mcp' }], search_attributes: false }],
    });
    started.push(workflowId);
    let listed = await cli(['approvals', 'list', '--json']);
    // Visibility is eventually consistent: the new run reaches the list a moment after it starts.
    for (let tries = 0; !listed.stderr.includes(workflowId) && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = await cli(['approvals', 'list', '--json']);
    }
    assert.match(listed.stderr, new RegExp(`cannot read ${workflowId} \\(it may be waiting too\\): .*no worker is polling`));
    assert.equal(listed.code, 1, listed.stderr);
    assert.ok(Array.isArray(JSON.parse(listed.stdout)), 'stdout keeps its shape: the approval rows');
  });
});
