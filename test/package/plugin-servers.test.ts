/**
 * McpflowPlugin's `servers` option on the real dev server: the registry a user's own worker
 * defines. A bare Temporal client (no mcpflow code, no plugin) starts runs that name the servers
 * by label alone; the worker supplies the stdio command and the `{ env }` secret from the plugin's
 * options. Without the option the same inputs are refused ("not registered on this worker").
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { McpflowPlugin } from '../../src/worker';
import type { DiscoveryResult, QueryResult } from '../../src/client';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const MEMORY_BIN = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');
const API_TOKEN = 'plugin-registered-token-4f2a9c';
const RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };
const stack = useOfflineStack();

let dir: string;
let receiver: Server;
let receiverUrl: string;
const authorizations: (string | undefined)[] = [];

describe('McpflowPlugin `servers`: a registry in the user’s own worker', { timeout: 120_000 }, () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-plugin-servers-'));
    // Records the Authorization header the worker sends; not an MCP server, so its listing fails.
    receiver = createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      req.resume();
      res.writeHead(500).end('receiver');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mcp`;
  });

  after(async () => {
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a run from a bare client uses the stdio server and the secret the plugin registered, named by label only', async () => {
    const taskQueue = uniqueTaskQueue('plugin-servers');
    const servers = [
      { label: 'memory', command: process.execPath, args: [MEMORY_BIN], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      { label: 'api', url: receiverUrl, authorization: { env: 'API_TOKEN' } },
    ];
    const common = { openaiBaseURL: stack.emulator.url, allowPrivateNetworks: 'loopback' as const, env: { API_TOKEN } };
    const client = new Client({ connection: stack.env.connection, namespace: stack.env.namespace });
    const start = (type: string, input: unknown) => client.workflow.execute(type, { taskQueue, workflowId: uniqueWorkflowId('plugin-servers'), args: [input] });
    const script = JSON.stringify({ calls: [{ server: 'memory', tool: 'read_graph', arguments: {} }], answer: 'the graph was read' });
    const memoryQuery = {
      query: 'read the graph',
      mode: 'direct',
      max_steps: 3,
      retry: RETRY,
      search_attributes: false,
      metadata: { mcpflow_script: script },
      servers: [{ label: 'memory', require_approval: 'never' }],
    };
    const apiDiscovery = { servers: [{ label: 'api', require_approval: 'never' }], mode: 'direct', retry: RETRY, search_attributes: false };

    // Without the option: nothing registered, so a label alone is refused, naming the rule.
    const bare = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      taskQueue,
      plugins: [new McpflowPlugin(common)],
    });
    const unregistered = await bare.runUntil(() => start('discoverTools', { ...apiDiscovery, servers: [{ label: 'memory', require_approval: 'never' }] }));
    assert.match(JSON.stringify(unregistered), /server \\"memory\\" is not registered on this worker/);

    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      taskQueue,
      plugins: [new McpflowPlugin({ ...common, servers })],
    });
    const [query, discovery] = await worker.runUntil(async () => [
      (await start('runQuery', memoryQuery)) as QueryResult,
      (await start('discoverTools', apiDiscovery)) as DiscoveryResult,
    ]);
    assert.equal(query.success, true, JSON.stringify(query));
    assert.deepEqual(
      query.tool_calls.map((call) => [call.server, call.tool, call.status]),
      [['memory', 'read_graph', 'completed']],
    );
    // The secret went to the URL the plugin registered, read from the plugin's `env`; history holds only the label.
    assert.equal(discovery.catalog.servers.api?.status, 'error');
    assert.ok(authorizations.length > 0, 'the registered URL was never called');
    assert.ok(
      authorizations.every((header) => header === `Bearer ${API_TOKEN}`),
      JSON.stringify(authorizations),
    );
    assert.doesNotMatch(JSON.stringify([query, discovery]), new RegExp(API_TOKEN));
  });
});
