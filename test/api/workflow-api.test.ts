/**
 * mcpflow/workflow on real components (dev server, emulator and demo servers from mcpflow/testing,
 * the example's worker): a user's workflow runs three queries as runQuery children at once, one
 * waiting for an approval that `approvals list` finds and McpflowClient answers, a child's MCP
 * task asks a question answered the same way;
 * cancelling the user's workflow cancels its children; a failed query arrives typed with its
 * partial result; discovery runs the same way; the user's bundle needs nothing the bundler refuses.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { McpflowClient } from '../../src/client/client';
import { answerInput } from '../../src/client/answers';
import { listWaiting } from '../../src/client/pending';
import { scriptedTurn, startDemoServer, startOfflineStack, type OfflineStack } from '../../src/testing';
import { pendingApprovalsOf, startTriage } from '../../examples/ticket-triage/client';
import { createTriageWorker } from '../../examples/ticket-triage/worker';
import type { TicketTriageInput } from '../../examples/ticket-triage/workflows';
import { waitFor } from '../batch/helpers';
import { runCli } from '../cli/harness';
import { getTestEnv, REPO_ROOT, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const FAST_RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

let stack: OfflineStack;
let worker: Worker;
let running: Promise<void>;
let client: Client;
let mcpflow: McpflowClient;
const taskQueue = uniqueTaskQueue('workflow-api');

before(async () => {
  const env = await getTestEnv();
  stack = await startOfflineStack();
  worker = await createTriageWorker({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, openaiBaseURL: stack.openaiBaseURL, env: {} });
  running = worker.run();
  client = env.client;
  mcpflow = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace }, taskQueue);
});

after(async () => {
  worker?.shutdown();
  await running;
  await stack?.close();
  await teardownTestEnv();
});

/** Three questions: the weather (no approval), today's meetings (no approval), booking a meeting (approval). */
function threeQuestions(ticket: string, calendarLabel = 'calendar'): TicketTriageInput {
  const weather = stack.server('weather', { require_approval: 'never' });
  const calendar = stack.server('calendar', { label: calendarLabel, require_approval: { never: { tool_names: ['list_events'] } } });
  return {
    ticket_id: ticket,
    questions: [
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
        metadata: scriptedTurn({
          calls: [{ server: 'calendar', tool: 'list_events', arguments: { date: 'today' } }].map((call) => ({ ...call, server: calendarLabel })),
          answer: 'two meetings',
        }),
      },
      {
        query: 'Book a triage call',
        servers: [calendar],
        retry: FAST_RETRY,
        metadata: scriptedTurn({
          calls: [{ server: calendarLabel, tool: 'create_event', arguments: { title: `triage ${ticket}`, date: 'today', start_time: '15:00' } }],
          answer: 'booked',
        }),
      },
    ],
  };
}

async function eventTypes(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType));
}

describe('mcpflow/workflow', () => {
  it('runs three queries from a user workflow at once; the approval of one is listed by `mcpflow approvals list` and answered through McpflowClient', async () => {
    const ticket = uniqueWorkflowId('ticket');
    const label = `cal-${ticket.slice(-8)}`;
    const triage = await startTriage(client, taskQueue, threeQuestions(ticket, label));
    const [waiting] = await waitFor(
      () => pendingApprovalsOf(mcpflow, triage.workflowId),
      (rows) => rows.length === 1,
      'the booking to wait for approval',
    );
    assert.equal(waiting!.approval.tool, 'create_event');
    assert.match(waiting!.workflow_id, new RegExp(`^${triage.workflowId}/mcp-query-[0-9a-f]{8}$`));
    // `mcpflow approvals list` (the real command) lists the child's approval.
    const env = await getTestEnv();
    const listed = await runCli(['approvals', 'list', '--server', label, '--json', '--task-queue', taskQueue], {
      via: 'source',
      env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace },
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ workflow_id: string }>).map((row) => row.workflow_id),
      [waiting!.workflow_id],
    );
    await mcpflow.approve(waiting!.workflow_id, { reason: 'fine' });

    const { results } = await triage.result();
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
    assert.ok(results[2]!.tool_calls[0]!.approval_request_id, 'the booking ran after its approval');
  });

  it("a child's MCP task asks a question (2026-07-28, direct mode): listed as waiting and answered through McpflowClient", async () => {
    const modern = await startDemoServer('calendar', { protocol: '2026-07-28', taskPollIntervalMs: 200 });
    try {
      const ticket = uniqueWorkflowId('task');
      const triage = await startTriage(client, taskQueue, {
        ticket_id: ticket,
        questions: [
          {
            query: 'Export today',
            mode: 'direct',
            retry: FAST_RETRY,
            call_timeout_ms: 60_000,
            servers: [{ label: 'calendar', url: modern.url, require_approval: 'never' }],
            metadata: scriptedTurn({ calls: [{ tool: 'calendar__export_calendar', arguments: { date: 'today', work_ms: 500, ask_format: true } }] }),
          },
        ],
      });
      const mine = async () => (await listWaiting(mcpflow, {})).inputs.filter((row) => row.workflow_id.startsWith(`${triage.workflowId}/`));
      const [waiting] = await waitFor(mine, (rows) => rows.length === 1, "the task's question");
      assert.match(waiting!.input.message, /Which format/);
      await answerInput(mcpflow, waiting!.workflow_id, { request_id: waiting!.input.id, action: 'accept', content: { format: 'ics' } });
      const { results } = await triage.result();
      assert.equal(results[0]!.success, true, results[0]!.error ?? '');
      assert.match(results[0]!.tool_calls[0]!.output ?? '', /as ics\./);
      assert.equal(modern.counters().executed.export_calendar, 1);
    } finally {
      await modern.close();
    }
  });

  it('cancelling the user workflow cancels its mcpflow children (their histories say so)', async () => {
    const ticket = uniqueWorkflowId('cancel');
    const input = threeQuestions(ticket);
    const triage = await startTriage(client, taskQueue, { ...input, questions: [input.questions[2]!] });
    const [waiting] = await waitFor(
      () => pendingApprovalsOf(mcpflow, triage.workflowId),
      (rows) => rows.length === 1,
      'the booking to wait for approval',
    );
    await client.workflow.getHandle(triage.workflowId).cancel();
    await assert.rejects(triage.result(), (error: unknown) => error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure);
    const child = await eventTypes(waiting!.workflow_id);
    assert.ok(child.includes('EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED'), child.join(', '));
    assert.equal(child.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
    assert.equal((await client.workflow.getHandle(waiting!.workflow_id).describe()).status.name, 'CANCELLED');
  });

  it('a query that fails reaches the user workflow as McpQueryFailed with its partial result', async () => {
    const ticket = uniqueWorkflowId('failed');
    const weather = stack.server('weather', { require_approval: 'never' });
    // The emulator answers a model named missing-* with 404 model_not_found: not retried.
    const triage = await startTriage(client, taskQueue, {
      ticket_id: ticket,
      questions: [{ query: 'Weather?', servers: [weather], model: 'missing-model', retry: FAST_RETRY }],
    });
    const { results } = await triage.result();
    assert.equal(results[0]!.success, false);
    assert.equal(results[0]!.query, 'Weather?');
    assert.ok(results[0]!.error_type, 'the partial result names the error type');
  });

  it('a bad input fails the user workflow at once, naming the field, without starting a child', async () => {
    const triage = await startTriage(client, taskQueue, { ticket_id: uniqueWorkflowId('bad'), questions: [{ query: '', servers: [] }] });
    await assert.rejects(
      triage.result(),
      (error: unknown) => error instanceof WorkflowFailedError && /invalid mcpQuery input: .*query/.test(error.cause?.message ?? ''),
    );
    assert.ok(!(await eventTypes(triage.workflowId)).includes('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED'));
  });

  it('mcpDiscover runs discoverTools as a child and returns the catalog', async () => {
    const tools = await client.workflow.execute('triageTools', {
      taskQueue,
      workflowId: uniqueWorkflowId('tools'),
      args: [{ servers: [stack.server('weather'), stack.server('calendar')], mode: 'direct', retry: FAST_RETRY }],
    });
    assert.ok(Array.isArray(tools));
    assert.ok((tools as string[]).includes('weather.get_current_weather'));
    assert.ok((tools as string[]).includes('calendar.create_event'));
  });

  it("a user's workflow that imports mcpflow/workflow bundles with the SDK's bundler, with no Node built-in", async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(REPO_ROOT, 'examples', 'ticket-triage', 'workflows.ts'), logger: quietLogger() });
    assert.ok(code.includes('ticketTriage'));
    assert.doesNotMatch(code, /require\(["'](node:)?(fs|net|http|https|child_process|crypto|path|os)["']\)/);
    // The child workflows are started by name: runQuery's loop is not in the user's bundle.
    assert.doesNotMatch(code, /callResponsesApi|async function runQuery\b/);
  });
});

function quietLogger() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultLogger } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  return new DefaultLogger('WARN');
}
