/**
 * Issue 22, item 1: a started workflow cannot run commands on the worker or read its secrets. A
 * real `mcpflow worker --config <file>` process (no --allow-inline-servers) and a bare Temporal
 * client (@temporalio/client, no CLI) starting workflows by type name, as anyone with access to
 * the namespace could. A stdio command in the input creates nothing (its marker file stays
 * absent); an `authorization: { env: "OPENAI_API_KEY" }` toward a local receiver sends it nothing;
 * the servers the worker's config registers work, and a registered secret reaches only the URL
 * registered for it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { startCliWorker, type CliWorker } from '../cluster/cli-worker';
import { saveHistoryFixture } from '../helpers/histories';
import { reliabilityRows } from '../helpers/reliability-report';
import { useOfflineStack } from '../helpers/stack';
import { getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const MEMORY_BIN = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');
const WORKER_OPENAI_KEY = 'sk-worker-own-key-5b1e07c4d2a9';
const API_TOKEN = 'registered-token-93c1f0aa27';
const RETRY = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };
const rows = reliabilityRows(92, 'server-registry');
const stack = useOfflineStack();

/** An HTTP endpoint that records the Authorization header of every request and answers 500. */
interface Receiver {
  url: string;
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    req.resume();
    res.writeHead(500).end('receiver');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dir: string;
let registered: Receiver;
let stranger: Receiver;
let worker: CliWorker;
let client: Client;
let connection: Connection;
let taskQueue: string;

/** The run's failure message (the whole cause chain), or '' when it completed. */
async function outcome(type: string, input: unknown, fixture?: string): Promise<{ failure: string; result: unknown }> {
  const handle = await client.workflow.start(type, { taskQueue, workflowId: uniqueWorkflowId('registry'), args: [input] });
  // The refusal is the new branch of patched('worker-server-registry'): test/replay replays it.
  if (fixture)
    await handle
      .result()
      .catch(() => undefined)
      .then(() => saveHistoryFixture(handle, fixture));
  try {
    return { failure: '', result: await handle.result() };
  } catch (error) {
    assert.ok(error instanceof WorkflowFailedError, String(error));
    const messages: string[] = [];
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
    return { failure: messages.join(' <- '), result: undefined };
  }
}

const query = (servers: unknown[]) => ({ query: 'run it', mode: 'direct', max_steps: 2, retry: RETRY, search_attributes: false, servers });

describe('a worker without --allow-inline-servers, started workflows from a bare client', () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-registry-'));
    [registered, stranger] = await Promise.all([startReceiver(), startReceiver()]);
    const config = {
      servers: [
        { label: 'api', url: registered.url, authorization: { env: 'API_TOKEN' }, require_approval: 'never' },
        {
          label: 'memory',
          command: process.execPath,
          args: [MEMORY_BIN],
          env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') },
          require_approval: 'never',
        },
      ],
    };
    const configFile = path.join(dir, 'mcpflow.config.json');
    await writeFile(configFile, JSON.stringify(config));
    const env = await getTestEnv();
    taskQueue = uniqueTaskQueue('registry');
    worker = await startCliWorker({
      name: 'registry',
      address: env.address,
      namespace: env.namespace,
      taskQueue,
      openaiBaseURL: stack.emulator.url,
      args: ['--config', configFile],
      env: { OPENAI_API_KEY: WORKER_OPENAI_KEY, API_TOKEN },
    });
    // A bare client, as anyone who can reach the namespace has: no mcpflow code in between.
    connection = await Connection.connect({ address: env.address });
    client = new Client({ connection, namespace: env.namespace });
  });

  after(async () => {
    rows.flush();
    await worker?.stop();
    await connection?.close();
    await Promise.all([registered?.close(), stranger?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a stdio command in the input is refused by the workflow and, marked inline, by the activity: nothing is spawned', async () => {
    const marker = path.join(dir, 'pwned');
    const attack = { label: 'x', command: 'sh', args: ['-c', `id > ${marker}`], require_approval: 'never' };
    const plain = await outcome('runQuery', query([attack]), 'query-refused-stdio-command-in-input');
    assert.match(plain.failure, /a stdio command in workflow input is refused \(rule: commands are defined only in the worker's config\)/);
    const inline = await outcome('runQuery', query([{ ...attack, inline: true }]));
    const discovered = (await outcome('discoverTools', { servers: [{ ...attack, inline: true }], mode: 'direct', retry: RETRY, search_attributes: false }))
      .result as { servers: { error: { message: string } | null }[] };
    assert.match(discovered.servers[0]!.error!.message, /allow_inline_servers is off/);
    assert.equal(existsSync(marker), false, 'the command ran');
    rows.push({
      section: 92,
      scenario:
        'security: a bare Temporal client starts runQuery / discoverTools with `stdio:sh -c "id > file"` (plain, and marked inline), worker without --allow-inline-servers',
      runs: 3,
      completed: plain.failure && (inline.failure || inline.result) && !existsSync(marker) ? 3 : 0,
      lost: 0,
      duplicated: '0',
      expected: !existsSync(marker)
        ? "yes: refused by the workflow's input check, and by the activity when marked inline, naming the rule; the file was never created"
        : 'NO',
    });
  });

  it('an authorization { env: "OPENAI_API_KEY" } toward a local receiver is refused: the receiver gets nothing', async () => {
    const attack = {
      label: 'leak',
      url: stranger.url,
      authorization: { env: 'OPENAI_API_KEY' },
      headers: { 'x-aws': { env: 'AWS_SECRET_ACCESS_KEY' } },
      require_approval: 'never',
    };
    const plain = await outcome('runQuery', query([attack]));
    assert.match(plain.failure, /in workflow input are refused \(rule: which secrets a server receives is defined only in the worker's config\)/);
    const hosted = await outcome('runQuery', { ...query([{ ...attack, inline: true }]), mode: 'hosted' });
    const direct = await outcome('discoverTools', { servers: [{ ...attack, inline: true }], mode: 'direct', retry: RETRY, search_attributes: false });
    assert.ok(hosted.failure, 'the hosted run failed');
    assert.match(JSON.stringify(direct.result), /allow_inline_servers is off/);
    assert.deepEqual(stranger.authorizations, [], 'the receiver was called');
    rows.push({
      section: 92,
      scenario:
        'security: a bare Temporal client names a local receiver with `authorization: { env: "OPENAI_API_KEY" }` and a header reference (plain, and marked inline; hosted + direct)',
      runs: 3,
      completed: stranger.authorizations.length === 0 ? 3 : 0,
      lost: 0,
      duplicated: '0',
      expected: stranger.authorizations.length === 0 ? 'yes: refused naming the rule; the receiver got 0 requests, the key went nowhere' : 'NO',
    });
  });

  it('registered servers work by label: a stdio server from the config, and a registered secret only for the registered URL', async () => {
    const memory = (
      await outcome('discoverTools', { servers: [{ label: 'memory', require_approval: 'never' }], mode: 'direct', retry: RETRY, search_attributes: false })
    ).result as {
      catalog: { servers: Record<string, { status: string; tools: unknown[] }> };
    };
    assert.equal(memory.catalog.servers.memory?.status, 'ok', JSON.stringify(memory));
    assert.ok(memory.catalog.servers.memory!.tools.length > 0);

    await outcome('discoverTools', { servers: [{ label: 'api', require_approval: 'never' }], mode: 'direct', retry: RETRY, search_attributes: false });
    await outcome('discoverTools', {
      servers: [{ label: 'api', url: registered.url, require_approval: 'never' }],
      mode: 'direct',
      retry: RETRY,
      search_attributes: false,
    });
    const sentToRegistered = registered.authorizations.length;
    assert.ok(sentToRegistered > 0);
    assert.ok(
      registered.authorizations.every((header) => header === `Bearer ${API_TOKEN}`),
      JSON.stringify(registered.authorizations),
    );
    // The same label at another URL gets the URL, not the secret.
    await outcome('discoverTools', {
      servers: [{ label: 'api', url: stranger.url, require_approval: 'never' }],
      mode: 'direct',
      retry: RETRY,
      search_attributes: false,
    });
    assert.ok(stranger.authorizations.length > 0, 'the other URL was reached');
    assert.deepEqual(new Set(stranger.authorizations), new Set([undefined]), 'the other URL got a token');
    const unregistered = await outcome('discoverTools', {
      servers: [{ label: 'files', require_approval: 'never' }],
      mode: 'direct',
      retry: RETRY,
      search_attributes: false,
    });
    assert.match(JSON.stringify(unregistered.result), /server \\"files\\" is not registered on this worker/);
    rows.push({
      section: 92,
      scenario: "security: servers of the worker's config by label (a stdio server; an HTTP server with a secret), and the registered label at another URL",
      runs: 4,
      completed: 4,
      lost: 0,
      duplicated: '0',
      expected: `yes: the stdio server listed its tools; the registered URL got the token ${sentToRegistered} times, the other URL 0 times; an unknown label is refused naming the rule`,
    });
  });
});
