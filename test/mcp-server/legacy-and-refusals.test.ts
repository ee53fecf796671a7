/**
 * `mcpflow mcp-server` for clients of the 2025-11-25 revision (the MCP SDK 1.x client): `ask`
 * returns the run id at once, `status` follows it, `decide_approval` / `answer_question` answer.
 * Over stdio (2025, and 2026 with the tasks extension), and a direct-mode mcpflow query calling `ask`.
 * Refusals, each a clear MCP error with nothing started: no token where one is required, an `ask`
 * naming a URL the config does not allow, a malformed `decide_approval`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as Client2026 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransport2026 } from '@modelcontextprotocol/client/stdio';
import { EmptyResultSchema, GetTaskResultSchema, PROTOCOL_2026, TASKS_EXTENSION } from '../../activities/mcp/2026/schema';
import { McpflowClient } from '../../src/client/client';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import { startMcpHttpServer, TokenRequiredError, TOOL_DESCRIPTIONS, type McpHttpServer, type McpServerOptions } from '../../src/mcp-server';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { useOfflineStack } from '../helpers/stack';
import { REPO_ROOT, uniqueTaskQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();
/** A calendar on 2026-07-28, whose book_meeting asks the user a question (elicitation). */
let modern: DemoServerHandle;
before(async () => {
  modern = await startDemoServer('calendar', { protocol: '2026-07-28' });
});
after(async () => {
  await modern?.close();
});
const SEED = "What's the weather in London and do I have any meetings today?";

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

function options(taskQueue: string): McpServerOptions {
  const servers = [
    { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
    { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
    { label: 'calendar26', url: modern.url, require_approval: 'never' },
  ] as ServerConfig[];
  return {
    client: new McpflowClient(stack.env.client, stack.env.connection, { address: stack.env.address, namespace: stack.env.namespace }, taskQueue),
    definitions: servers,
    inputs: servers,
    allowedUrls: ['http://127.0.0.1:1/allowed/'],
    defaults: { mode: 'hosted', model: 'gpt-4o-mini', retry: { ...DEFAULT_RETRY_SETTINGS, base_delay_ms: 200, max_delay_ms: 1_000 } },
    pollIntervalMs: 200,
    version: 'test',
  };
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'sdk1-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
  return client;
}

const call = (client: Client, name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<ToolResult>;

async function runsOn(taskQueue: string): Promise<number> {
  let count = 0;
  for await (const _ of stack.env.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) count += 1;
  return count;
}

describe('mcp-server: SDK 1.x clients on 2025-11-25, stdio (both revisions), mcpflow calling mcpflow', () => {
  let taskQueue: string;
  let worker: WorkerProcess;
  let server: McpHttpServer;

  before(async () => {
    taskQueue = uniqueTaskQueue('mcp-server-2025');
    worker = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url });
    server = await startMcpHttpServer(options(taskQueue), { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.close();
    await worker?.stop();
  });

  it('lists six tools with annotations and their descriptions', async () => {
    const client = await connect(server.url);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), Object.keys(TOOL_DESCRIPTIONS).sort());
    for (const tool of tools) {
      assert.equal(tool.description, TOOL_DESCRIPTIONS[tool.name as keyof typeof TOOL_DESCRIPTIONS]);
      assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean', `${tool.name} says whether it is read-only`);
    }
    assert.ok(tools.find((tool) => tool.name === 'ask')?.outputSchema, 'ask declares its outputSchema');
    await client.close();
  });

  it('ask returns the run id at once; status follows it; decide_approval answers the approval', async () => {
    stack.demo.servers.calendar.reset();
    const client = await connect(server.url);
    const started = await call(client, 'ask', { query: SEED, servers: ['weather', 'calendar'] });
    assert.notEqual(started.isError, true, started.content[0]?.text);
    const workflowId = started.structuredContent?.workflow_id as string;
    assert.match(workflowId, /^mcpflow-mcp-/);
    assert.equal(started.structuredContent?.state, 'started');

    const waiting = await waitFor(
      () => call(client, 'status', { workflow_id: workflowId }),
      (result) => result.structuredContent?.state === 'waiting_approval',
      (result) => `the run to wait for approval (is ${String(result?.structuredContent?.state)})`,
    );
    const [approval] = waiting.structuredContent?.pending_approvals as { id: string; tool: string }[];
    assert.equal(approval!.tool, 'list_events');
    const listed = await call(client, 'list_pending_approvals', { server: 'calendar' });
    assert.ok(
      (listed.structuredContent?.approvals as { workflow_id: string }[]).some((row) => row.workflow_id === workflowId),
      'list_pending_approvals shows it',
    );

    const decided = await call(client, 'decide_approval', { workflow_id: workflowId, approval_request_id: approval!.id, decision: 'approve', reason: 'fine' });
    assert.notEqual(decided.isError, true, decided.content[0]?.text);
    const done = await waitFor(
      () => call(client, 'status', { workflow_id: workflowId }),
      (result) => ['completed', 'failed'].includes(result.structuredContent?.state as string),
      'the run to finish',
    );
    assert.equal(done.structuredContent?.state, 'completed', done.content[0]?.text);
    const calls = done.structuredContent?.tool_calls as { tool: string; status: string }[];
    assert.deepEqual(calls.map((record) => `${record.tool}:${record.status}`).sort(), ['get_current_weather:completed', 'list_events:completed']);
    assert.equal(stack.demo.servers.calendar.counters().executed.list_events, 1);
    await client.close();
  });

  it("answer_question answers an MCP server's question that a run waits on", async () => {
    const client = await connect(server.url);
    const started = await call(client, 'ask', { query: 'Book a meeting called Roadmap tomorrow at 3pm', servers: ['calendar26'], mode: 'direct' });
    const workflowId = started.structuredContent?.workflow_id as string;
    const waiting = await waitFor(
      () => call(client, 'status', { workflow_id: workflowId }),
      (result) => result.structuredContent?.state === 'waiting_input',
      (result) => `the run to wait for an answer (is ${String(result?.structuredContent?.state)})`,
    );
    const [question] = waiting.structuredContent?.pending_input as { id: string }[];
    const wrong = await call(client, 'answer_question', { workflow_id: workflowId, request_id: question!.id, action: 'accept', content: { confirm: true } });
    assert.equal(wrong.isError, true, 'an answer that misses a required field is refused');
    assert.match(wrong.content[0]!.text, /attendee: required/);
    const answered = await call(client, 'answer_question', {
      workflow_id: workflowId,
      request_id: question!.id,
      action: 'accept',
      content: { confirm: true, attendee: 'dana@example.com' },
    });
    assert.notEqual(answered.isError, true, answered.content[0]?.text);
    const done = await waitFor(
      () => call(client, 'status', { workflow_id: workflowId }),
      (result) => ['completed', 'failed'].includes(result.structuredContent?.state as string),
      'the run to finish',
    );
    assert.equal(done.structuredContent?.state, 'completed', done.content[0]?.text);
    assert.equal(modern.counters().executed.book_meeting, 1);
    const batch = await call(client, 'batch_status', { batch_id: 'mcpflow-batch-none' });
    assert.equal(batch.isError, true);
    assert.match(batch.content[0]!.text, /mcpflow-batch-none/);
    await client.close();
  });

  it("mcpflow calls mcpflow: a direct-mode query whose tool is this server's ask (a task on 2026-07-28) completes", async () => {
    stack.demo.servers.weather.reset();
    const script = { calls: [{ server: 'inner', tool: 'ask', arguments: { query: "What's the weather in London?", servers: ['weather'] } }], answer: 'asked' };
    const handle = await stack.env.client.workflow.start('runQuery', {
      taskQueue,
      workflowId: `mcpflow-outer-${Date.now()}`,
      args: [
        {
          query: 'Ask the other mcpflow about the weather in London',
          servers: [{ label: 'inner', url: server.url, require_approval: 'never' }],
          mode: 'direct',
          metadata: { mcpflow_script: JSON.stringify(script) },
          retry: { max_retries: 2, base_delay_ms: 200, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 },
        },
      ],
    });
    const result = (await handle.result()) as {
      success: boolean;
      tool_calls: { tool: string; status: string; structured_content?: Record<string, unknown> }[];
    };
    assert.equal(result.success, true);
    const [asked] = result.tool_calls;
    assert.equal(asked!.tool, 'ask');
    assert.equal(asked!.status, 'completed');
    const inner = asked!.structured_content as { workflow_id: string; state: string; tool_calls: { tool: string }[] };
    assert.equal(inner.state, 'completed', 'the inner run finished before the outer call returned');
    assert.match(inner.workflow_id, /^mcpflow-mcp-/);
    assert.deepEqual(
      inner.tool_calls.map((record) => record.tool),
      ['get_current_weather'],
    );
    assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
    const { events } = await handle.fetchHistory();
    const activities = (events ?? []).map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    assert.ok(activities.includes('getTaskDirect'), `the outer run followed a task with tasks/get (${activities.join(', ')})`);
  });

  it('over stdio on 2026-07-28, tasks/get answers for a run another instance started', async () => {
    const http = await connect(server.url);
    const started = await call(http, 'ask', { query: SEED, servers: ['weather', 'calendar'] });
    const runId = started.structuredContent?.workflow_id as string;
    await http.close();
    const client = new Client2026(
      { name: 'sdk2-stdio-client', version: '2.0.0' },
      { capabilities: { extensions: { [TASKS_EXTENSION]: {} } }, versionNegotiation: { mode: { pin: PROTOCOL_2026 } } },
    );
    await client.connect(
      new StdioClientTransport2026({
        command: process.execPath,
        args: ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'mcp-server', '--stdio'],
        cwd: REPO_ROOT,
        env: { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: stack.env.address, MCPFLOW_TASK_QUEUE: taskQueue },
        stderr: 'pipe',
      }),
    );
    const task = await waitFor(
      () => client.request({ method: 'tasks/get', params: { taskId: runId } }, GetTaskResultSchema),
      (result) => result.status === 'input_required',
      (result) => `the task to wait for approval (is ${result?.status})`,
    );
    assert.equal(task.taskId, runId);
    const [key] = Object.keys(task.inputRequests ?? {});
    await client.request({ method: 'tasks/update', params: { taskId: runId, inputResponses: { [key!]: { action: 'decline' } } } }, EmptyResultSchema);
    const done = await waitFor(
      () => client.request({ method: 'tasks/get', params: { taskId: runId } }, GetTaskResultSchema),
      (result) => result.status === 'completed',
      (result) => `the task to complete (is ${result?.status})`,
    );
    const calls = (done.result as { structuredContent: { tool_calls: { tool: string; status: string }[] } }).structuredContent.tool_calls;
    assert.ok(
      calls.some((record) => record.tool === 'list_events' && record.status === 'denied'),
      'declining the form denied the call',
    );
    await client.close();
  });

  it('serves stdio too (`mcp-server --stdio`)', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'mcp-server', '--stdio'],
      cwd: REPO_ROOT,
      env: { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: stack.env.address, MCPFLOW_TASK_QUEUE: taskQueue },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'sdk1-stdio-client', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), Object.keys(TOOL_DESCRIPTIONS).sort());
    const status = await call(client, 'status', { workflow_id: 'mcpflow-mcp-does-not-exist' });
    assert.equal(status.isError, true);
    assert.match(status.content[0]!.text, /no query run mcpflow-mcp-does-not-exist/);
    await client.close();
  });
});

describe('mcp-server refusals: a clear MCP error, nothing started', () => {
  let taskQueue: string;
  let server: McpHttpServer;
  const token = 'test-token-0123456789';

  before(async () => {
    taskQueue = uniqueTaskQueue('mcp-server-refusals');
    server = await startMcpHttpServer(options(taskQueue), { host: '127.0.0.1', port: 0, token });
  });
  after(async () => {
    await server?.close();
  });

  it('off loopback without a token the server does not start; with a token, a request without it gets 401', async () => {
    await assert.rejects(startMcpHttpServer(options(taskQueue), { host: '0.0.0.0', port: 0 }), TokenRequiredError);
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'mcp-server', '--host', '0.0.0.0', '--port', '0'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, MCPFLOW_MCP_SERVER_TOKEN: '', TEMPORAL_ADDRESS: stack.env.address },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(cli.status, 2, cli.stderr);
    assert.match(cli.stderr, /--host 0\.0\.0\.0 is not loopback: set MCPFLOW_MCP_SERVER_TOKEN/);
    await assert.rejects(connect(server.url), /401|Unauthorized|invalid_token/i);
    await assert.rejects(connect(server.url, 'wrong-token'), /401|Unauthorized|invalid_token/i);
    const client = await connect(server.url, token);
    assert.equal((await client.listTools()).tools.length, 6);
    await client.close();
  });

  it('an ask naming a server URL the config does not allow', async () => {
    const client = await connect(server.url, token);
    const refused = await call(client, 'ask', { query: SEED, servers: ['http://127.0.0.1:9/mcp'] });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0]!.text, /servers\[0\]: http:\/\/127\.0\.0\.1:9\/mcp is not allowed by this mcp-server's config/);
    assert.match(refused.content[0]!.text, /mcp_server\.allowed_urls/);
    const unknown = await call(client, 'ask', { query: SEED, servers: ['files'] });
    assert.equal(unknown.isError, true);
    assert.match(unknown.content[0]!.text, /no server "files".*weather, calendar/);
    assert.equal(await runsOn(taskQueue), 0, 'nothing started');
    await client.close();
  });

  it('a malformed decide_approval', async () => {
    const client = await connect(server.url, token);
    const refused = await call(client, 'decide_approval', { workflow_id: 'mcpflow-mcp-x', decision: 'maybe' });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0]!.text, /decision/);
    assert.match(refused.content[0]!.text, /approval_request_id/);
    assert.equal(await runsOn(taskQueue), 0, 'nothing started');
    await client.close();
  });
});
