/**
 * McpflowPlugin's own-queue mode on the real dev server: the user's worker keeps its queue for
 * its own workflows and activities, and the plugin runs mcpflow's in a second worker on the
 * queue of the `taskQueue` option, started and stopped with the user's. A user workflow reaches
 * runQuery there as a child; McpflowClient on that queue runs a query.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { listPendingApprovals, McpflowClient } from '../../src/client';
import { McpflowPlugin } from '../../src/worker';
import { useOfflineStack } from '../helpers/stack';
import { until } from '../helpers/wait';
import { REPO_ROOT, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const stack = useOfflineStack();
const USER_WORKFLOWS = path.join(REPO_ROOT, 'test', 'fixtures', 'package-consumer', 'workflows.ts');

describe('McpflowPlugin with a task queue of its own', { timeout: 180_000 }, () => {
  it("runs mcpflow beside the user's worker, on its own queue, and stops with it", async () => {
    const userQueue = uniqueTaskQueue('user');
    const mcpflowQueue = uniqueTaskQueue('mcpflow-own');
    const plugin = new McpflowPlugin({ openaiBaseURL: stack.emulator.url, allowPrivateNetworks: 'loopback', env: {}, taskQueue: mcpflowQueue });
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      taskQueue: userQueue,
      workflowsPath: USER_WORKFLOWS,
      activities: { loadTicket: async (id: string) => `ticket ${id}` },
      plugins: [plugin],
    });
    const client = new McpflowClient(stack.env.client, stack.env.connection, stack.env, mcpflowQueue);
    const weatherUrl = stack.demo.servers.weather.url;
    const { triage, query, userQueuePollers } = await worker.runUntil(async () => {
      const queryId = await client.startQuery({
        query: "What's the weather in London?",
        servers: [{ label: 'weather', url: weatherUrl, require_approval: 'never' }],
      });
      const query = await client.waitForQuery(queryId);
      const triageId = uniqueWorkflowId('own-queue');
      const run = await stack.env.client.workflow.start('triageTicket', {
        taskQueue: userQueue,
        workflowId: triageId,
        args: [{ ticketId: 'T-2', weatherUrl, calendarUrl: stack.demo.servers.calendar.url, mcpflowTaskQueue: mcpflowQueue }],
      });
      // The calendar question (a child on mcpflow's queue) waits for a person: answered through the client.
      await until(async () => {
        const waiting = (await listPendingApprovals(client, { server: 'calendar' })).filter((row) => row.workflow_id.startsWith(`${triageId}/`));
        for (const row of waiting) await client.approve(row.workflow_id, { reason: 'own-queue test' });
        return waiting.length > 0;
      }, "the child's calendar approval");
      const triage = (await run.result()) as { ticket: string; results: Array<{ success: boolean }> };
      return { query, triage, userQueuePollers: await client.workerPolling(userQueue) };
    });
    assert.equal(query.succeeded, true, query.error ?? '');
    assert.equal(triage.ticket, 'ticket T-2');
    assert.deepEqual(
      triage.results.map((result) => result.success),
      [true, true, true],
      "the child runQuery runs ran on mcpflow's queue",
    );
    assert.equal(userQueuePollers, true);
    // The user's worker stopped: so did mcpflow's (its queue has no poller left once the server notices).
    assert.equal(worker.getState(), 'STOPPED');
  });
});
