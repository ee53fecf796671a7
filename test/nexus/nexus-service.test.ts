/**
 * The mcpflow Nexus service on real components: a workflow in a second namespace asks mcpflow
 * three questions through the `query` operation (one waits for an approval, listed and answered in
 * mcpflow's namespace through McpflowClient) and lists tools through `discover`; the caller's
 * worker has no mcpflow activity, converter or secret. mcpflow's worker is `mcpflow worker`'s
 * (createWorker), which registers the service; the endpoint is created as `mcpflow dev` does.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { Worker } from '@temporalio/worker';
import { McpflowClient } from '../../src/client/client';
import { listPendingApprovals } from '../../src/client/pending';
import { ensureNexusEndpoint } from '../../src/nexus/endpoint';
import { createWorker } from '../../src/worker/worker';
import { scriptedTurn, startOfflineStack, type OfflineStack } from '../../src/testing';
import { waitFor } from '../batch/helpers';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, type TestEnv } from '../helpers/temporal';

const FAST_RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };
const suffix = randomBytes(4).toString('hex');
const endpoint = `mcpflow-test-${suffix}`;
const callerNamespace = `nexus-caller-${suffix}`;
const mcpflowQueue = uniqueTaskQueue('nexus-mcpflow');
const callerQueue = uniqueTaskQueue('nexus-caller');

let env: TestEnv;
let stack: OfflineStack;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
let caller: Client;
let mcpflow: McpflowClient;

before(async () => {
  env = await getTestEnv();
  stack = await startOfflineStack();
  await env.connection.workflowService.registerNamespace({ namespace: callerNamespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  assert.equal(await ensureNexusEndpoint(env.connection, { name: endpoint, namespace: env.namespace, taskQueue: mcpflowQueue }), 'created');
  assert.equal(await ensureNexusEndpoint(env.connection, { name: endpoint, namespace: env.namespace, taskQueue: mcpflowQueue }), 'unchanged');
  // mcpflow's own worker, as `mcpflow worker` builds it: it registers the Nexus service itself.
  const mcpflowWorker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: mcpflowQueue,
    openaiBaseURL: stack.openaiBaseURL,
    env: {},
    ...(process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE ? { workflowBundlePath: process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE } : {}),
  });
  // The other team's worker: its own namespace and queue, Temporal's default converter, no activities.
  const callerWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: callerNamespace,
    taskQueue: callerQueue,
    workflowsPath: path.join(__dirname, 'caller-workflows.ts'),
  });
  workers = [mcpflowWorker, callerWorker];
  running = workers.map((worker) => worker.run());
  caller = new Client({ connection: env.connection, namespace: callerNamespace });
  mcpflow = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, mcpflowQueue);
});

after(async () => {
  for (const worker of workers) worker.shutdown();
  await Promise.all(running);
  await stack?.close();
  const { endpoints } = await env.connection.operatorService.listNexusEndpoints({ name: endpoint });
  for (const found of endpoints ?? []) await env.connection.operatorService.deleteNexusEndpoint({ id: found.id, version: found.version });
  await teardownTestEnv();
});

describe('mcpflow Nexus service', () => {
  it("a workflow in another namespace runs three queries through `query`; the approval is answered in mcpflow's namespace", async () => {
    const ticket = uniqueWorkflowId('nexus-ticket');
    const weather = stack.server('weather', { require_approval: 'never' });
    const calendar = stack.server('calendar', { require_approval: { never: { tool_names: ['list_events'] } } });
    const questions = [
      {
        query: 'Weather in London?',
        servers: [weather],
        retry: FAST_RETRY,
        metadata: scriptedTurn({ calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'London' } }], answer: 'light rain' }),
      },
      {
        query: 'Meetings today?',
        servers: [calendar],
        retry: FAST_RETRY,
        metadata: scriptedTurn({ calls: [{ server: 'calendar', tool: 'list_events', arguments: { date: 'today' } }], answer: 'two meetings' }),
      },
      {
        query: 'Book a triage call',
        servers: [calendar],
        retry: FAST_RETRY,
        metadata: scriptedTurn({
          calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: ticket, date: 'today', start_time: '16:00' } }],
          answer: 'booked',
        }),
      },
    ];
    const handle = await caller.workflow.start('askMcpflowOverNexus', { taskQueue: callerQueue, workflowId: ticket, args: [{ endpoint, questions }] });

    const mine = async () => (await listPendingApprovals(mcpflow, { tool: 'create_event' })).filter((row) => row.approval.arguments.title === ticket);
    const [waiting] = await waitFor(mine, (rows) => rows.length === 1, "the booking to wait for approval in mcpflow's namespace");
    assert.match(waiting!.workflow_id, /^mcpflow-nexus-query-/);
    await mcpflow.approve(waiting!.workflow_id, {});

    const results = (await handle.result()) as Array<{ success: boolean; text_response: string; tool_calls: Array<{ tool: string; status: string }> }>;
    assert.deepEqual(
      results.map((result) => [result.success, result.text_response]),
      [
        [true, 'light rain'],
        [true, 'two meetings'],
        [true, 'booked'],
      ],
    );
    assert.deepEqual(
      results.map((result) => result.tool_calls.map((call) => `${call.tool}:${call.status}`)),
      [['get_current_weather:completed'], ['list_events:completed'], ['create_event:completed']],
    );
    // The runs live in mcpflow's namespace only.
    assert.equal((await env.client.workflow.getHandle(waiting!.workflow_id).describe()).status.name, 'COMPLETED');
  });

  it('a query that fails reaches the caller with its partial result (queryFailureResult)', async () => {
    const outcome = (await caller.workflow.execute('askOnceOverNexus', {
      taskQueue: callerQueue,
      workflowId: uniqueWorkflowId('nexus-failed'),
      // The emulator answers a model named missing-* with 404 model_not_found: not retried.
      args: [
        {
          endpoint,
          question: { query: 'Weather?', servers: [stack.server('weather', { require_approval: 'never' })], model: 'missing-model', retry: FAST_RETRY },
        },
      ],
    })) as { failed: boolean; result: { success: boolean; query: string } };
    assert.equal(outcome.failed, true);
    assert.equal(outcome.result.success, false);
    assert.equal(outcome.result.query, 'Weather?');
  });

  it('a bad input is refused by the handler (BAD_REQUEST naming the field), before any run starts', async () => {
    const handle = await caller.workflow.start('askOnceOverNexus', {
      taskQueue: callerQueue,
      workflowId: uniqueWorkflowId('nexus-bad'),
      args: [{ endpoint, question: { query: 'Weather?', servers: [] } }],
    });
    await assert.rejects(handle.result(), (error: unknown) => {
      const messages: string[] = [];
      for (let cause = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) messages.push(cause.message);
      return messages.some((message) => /invalid mcpflow query input: servers: give at least one MCP server/.test(message));
    });
  });

  it("cancelling the caller cancels the query run in mcpflow's namespace", async () => {
    const ticket = uniqueWorkflowId('nexus-cancel');
    const calendar = stack.server('calendar', { require_approval: 'always' });
    const question = {
      query: 'Book it',
      servers: [calendar],
      retry: FAST_RETRY,
      metadata: scriptedTurn({
        calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: ticket, date: 'today', start_time: '17:00' } }],
        answer: 'booked',
      }),
    };
    const handle = await caller.workflow.start('askOnceOverNexus', { taskQueue: callerQueue, workflowId: ticket, args: [{ endpoint, question }] });
    const mine = async () => (await listPendingApprovals(mcpflow, { tool: 'create_event' })).filter((row) => row.approval.arguments.title === ticket);
    const [waiting] = await waitFor(mine, (rows) => rows.length === 1, 'the booking to wait for approval');
    await handle.cancel();
    await assert.rejects(handle.result());
    const run = env.client.workflow.getHandle(waiting!.workflow_id);
    await waitFor(
      () => run.describe(),
      (description) => description.status.name !== 'RUNNING',
      'the query run to end',
    );
    assert.equal((await run.describe()).status.name, 'CANCELLED');
    const events = ((await run.fetchHistory()).events ?? []).map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0]);
    assert.ok(events.includes('EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED'), events.join(', '));
  });

  it('`discover` lists the tools for a workflow in another namespace', async () => {
    const tools = (await caller.workflow.execute('discoverOverNexus', {
      taskQueue: callerQueue,
      workflowId: uniqueWorkflowId('nexus-discover'),
      args: [{ endpoint, discovery: { servers: [stack.server('weather')], mode: 'direct', retry: FAST_RETRY } }],
    })) as string[];
    assert.ok(tools.includes('weather.get_current_weather'), tools.join(', '));
  });
});
