/**
 * `mcpflow mcp-server` with the MCP SDK 2.x client on 2026-07-28 (mcpflow's own direct-mode
 * client, activities/mcp/2026): `ask` answers with a task, the calendar's approval arrives as an
 * elicitation and is answered through `tasks/update`, the task completes with the answer and the
 * structured records. The worker and the mcp-server are each SIGKILLed while the task waits;
 * the restarted mcp-server answers for the task it did not create. `tasks/cancel` cancels the run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Mcp2026Client } from '../../activities/mcp/2026/client';
import { callTool2026, cancelTask, getTask, updateTask, type CallAnswer } from '../../activities/mcp/2026/operations';
import type { GetTaskResult } from '../../activities/mcp/2026/schema';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { startMcpServerProcess, type McpServerProcess } from './mcp-server-process';

const stack = useOfflineStack();
const SEED = "What's the weather in London and do I have any meetings today?";
const ASK = { name: 'ask', input_schema: { type: 'object' } };

let taskQueue: string;
let configPath: string;
let worker: WorkerProcess | undefined;
let server: McpServerProcess | undefined;
let modern: DemoServerHandle | undefined;

async function connect(url: string): Promise<Mcp2026Client> {
  const client = new Mcp2026Client(url);
  await client.probe();
  return client;
}

function taskIdOf(answer: CallAnswer): string {
  assert.equal(answer.kind, 'task', `ask answered with a task (got ${JSON.stringify(answer).slice(0, 500)})`);
  return (answer as { task_id: string }).task_id;
}

function untilStatus(client: () => Mcp2026Client, taskId: string, statuses: string[]): Promise<GetTaskResult> {
  return waitFor(
    () => getTask(client(), taskId, {}).catch((error: unknown) => ({ status: `error: ${(error as Error).message}` }) as unknown as GetTaskResult),
    (task) => statuses.includes(task.status),
    (task) => `task ${taskId} to be ${statuses.join(' or ')} (is ${task?.status})`,
    { timeoutMs: 60_000 },
  );
}

describe('mcp-server on 2026-07-28 (SDK 2.x client, tasks extension)', () => {
  before(async () => {
    taskQueue = uniqueTaskQueue('mcp-server');
    modern = await startDemoServer('calendar', { protocol: '2026-07-28' });
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-mcp-server-'));
    configPath = path.join(dir, 'mcpflow.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        servers: [
          { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
          { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
          { label: 'calendar26', url: modern.url, require_approval: 'never' },
        ],
        defaults: { retry: { max_retries: 3, base_delay_ms: 200, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 } },
      }),
    );
    worker = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    server = await startMcpServerProcess({ address: stack.env.address, taskQueue, configPath });
  });

  after(async () => {
    await Promise.all([worker?.stop(), server?.stop(), modern?.close()]);
  });

  it('ask runs the seed scenario as a task; the approval is an elicitation; kills of the worker and the mcp-server lose nothing', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.calendar.reset();
    let client = await connect(server!.url);
    const taskId = taskIdOf(await callTool2026(client, ASK, { query: SEED, servers: ['weather', 'calendar'] }, {}, {}));
    assert.match(taskId, /^mcpflow-mcp-/);

    const waiting = await untilStatus(() => client, taskId, ['input_required']);
    const [key, request] = Object.entries(waiting.inputRequests ?? {})[0]!;
    assert.equal(request.method, 'elicitation/create');
    const params = (request as unknown as { params: { message: string; requestedSchema: { properties: Record<string, unknown> } } }).params;
    assert.match(params.message, /calendar\.list_events/);
    assert.deepEqual(Object.keys(params.requestedSchema.properties).sort(), ['decision', 'reason']);

    // The worker dies while the run waits; a new one takes over.
    await worker!.kill();
    worker = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    // The mcp-server dies too; a new process (nothing shared but Temporal) answers for the task.
    const port = server!.port;
    await server!.kill();
    server = await startMcpServerProcess({ address: stack.env.address, taskQueue, configPath, port });
    await client.close();
    client = await connect(server.url);
    const again = await untilStatus(() => client, taskId, ['input_required']);
    assert.deepEqual(Object.keys(again.inputRequests ?? {}), [key], 'the restarted server asks the same question');

    await updateTask(client, taskId, { [key]: { action: 'accept', content: { decision: 'approve', reason: 'fine' } } }, {});
    // Sent again (a client retrying): the approval is no longer open, so the answer is ignored, not an error.
    await updateTask(client, taskId, { [key]: { action: 'accept', content: { decision: 'approve', reason: 'fine' } } }, {});
    const done = await untilStatus(() => client, taskId, ['completed', 'failed', 'cancelled']);
    assert.equal(done.status, 'completed');
    const result = done.result as { content: { text: string }[]; structuredContent: Record<string, unknown>; isError?: boolean };
    assert.notEqual(result.isError, true);
    assert.ok(result.content[0]!.text.length > 0, 'the answer as text');
    const structured = result.structuredContent as unknown as {
      workflow_id: string;
      state: string;
      tool_calls: { tool: string; status: string }[];
      statistics: { tool_calls: number };
    };
    assert.equal(structured.workflow_id, taskId);
    assert.equal(structured.state, 'completed');
    assert.deepEqual(structured.tool_calls.map((call) => `${call.tool}:${call.status}`).sort(), ['get_current_weather:completed', 'list_events:completed']);
    assert.equal(structured.statistics.tool_calls, 2);
    assert.equal(stack.demo.servers.calendar.counters().executed.list_events, 1, 'the calendar call ran once');
    assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
    // The decision carries the MCP client's identity and the call_hash it was shown.
    const { events } = await stack.env.client.workflow.getHandle(taskId).fetchHistory();
    const answers = (events ?? [])
      .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
      .filter((request) => request?.input?.name === 'approve')
      .map((request) => JSON.parse(Buffer.from(request!.input!.args!.payloads![0]!.data!).toString('utf8')) as Record<string, unknown>);
    assert.equal(answers.length, 1);
    assert.match(String(answers[0]!.approver), /^mcp-client:mcpflow/);
    assert.equal(answers[0]!.reason, 'fine');
    await client.close();
  });

  it("an MCP server's question reaches the client as the task's input request, with the server's own schema", async () => {
    const client = await connect(server!.url);
    const taskId = taskIdOf(
      await callTool2026(client, ASK, { query: 'Book a meeting called Roadmap tomorrow at 3pm', servers: ['calendar26'], mode: 'direct' }, {}, {}),
    );
    const waiting = await untilStatus(() => client, taskId, ['input_required']);
    const [key, request] = Object.entries(waiting.inputRequests ?? {})[0]!;
    assert.match(key, /^input\./);
    const schema = (request as unknown as { params: { requestedSchema: { properties: Record<string, unknown> } } }).params.requestedSchema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ['attendee', 'confirm']);
    await updateTask(client, taskId, { [key]: { action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } } }, {});
    const done = await untilStatus(() => client, taskId, ['completed', 'failed', 'cancelled']);
    const structured = (done.result as { structuredContent: { state: string; tool_calls: { tool: string; status: string }[] } }).structuredContent;
    assert.equal(structured.state, 'completed');
    assert.deepEqual(
      structured.tool_calls.map((call) => `${call.tool}:${call.status}`),
      ['book_meeting:completed'],
    );
    assert.equal(modern!.counters().executed.book_meeting, 1, 'booked once');
    await client.close();
  });

  it('tasks/cancel cancels the run', async () => {
    const client = await connect(server!.url);
    const taskId = taskIdOf(await callTool2026(client, ASK, { query: SEED, servers: ['weather', 'calendar'] }, {}, {}));
    await untilStatus(() => client, taskId, ['input_required']);
    await cancelTask(client, taskId, {});
    await untilStatus(() => client, taskId, ['cancelled']);
    const description = await stack.env.client.workflow.getHandle(taskId).describe();
    assert.equal(description.status.name, 'CANCELLED');
    await client.close();
  });
});
