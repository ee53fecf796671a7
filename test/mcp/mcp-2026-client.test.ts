/**
 * The 2026-07-28 client (the SDK's, pinned to the revision, with mcpflow's tasks extension) on
 * the wire, against a plain HTTP server on loopback that records what it gets: the standard
 * headers, `Mcp-Param-*` from `x-mcp-header`, the `_meta` envelope, SSE answers, error bodies,
 * a task-shaped result and the tasks requests.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Mcp2026Client } from '../../activities/mcp/2026/client';
import { NoCommonProtocolError, probe, ProtocolMemory } from '../../activities/mcp/2026/negotiate';
import { callTool2026, cancelTask, getTask, listTools2026, ProtocolViolationError, readCallAnswer, updateTask } from '../../activities/mcp/2026/operations';

const SQL_TOOL = {
  name: 'execute_sql',
  inputSchema: {
    type: 'object',
    properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } },
    required: ['region', 'query'],
  },
};
const BAD_TOOL = { name: 'bad', inputSchema: { type: 'object', properties: { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } } } };
const DISCOVER = {
  resultType: 'complete',
  supportedVersions: ['2026-07-28'],
  capabilities: { tools: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } },
  ttlMs: 0,
  cacheScope: 'private',
};

describe('the 2026-07-28 client on the wire', () => {
  let server: Server;
  let url: string;
  const seen: { headers: IncomingHttpHeaders; body: { id: number | string; method: string; params: Record<string, unknown> } }[] = [];
  let mode: 'sse' | 'huge' | 'bare400' | 'rpcError' | 'modernOnly' | 'unauthorized' | 'serverError' = 'sse';

  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as { id: string; method: string; params: Record<string, unknown> };
        seen.push({ headers: req.headers, body });
        if (mode === 'bare400') return void res.writeHead(400).end('Bad Request');
        if (mode === 'unauthorized') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        if (mode === 'serverError') return void res.writeHead(503).end('busy');
        if (mode === 'huge' && body.method === 'tools/call') {
          const message = JSON.stringify({
            jsonrpc: '2.0',
            id: body.id,
            result: { resultType: 'complete', content: [{ type: 'text', text: 'x'.repeat(9 * 1024 * 1024) }] },
          });
          if (body.params.name === 'as_json')
            return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(message) }).end(message);
          // No declared length: counted as it arrives.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let at = 0; at < message.length; at += 1024 * 1024)
            res.write(at === 0 ? `data: ${message.slice(at, at + 1024 * 1024)}` : message.slice(at, at + 1024 * 1024));
          return void res.end('\n\n');
        }
        if (mode === 'rpcError' || mode === 'modernOnly') {
          const supported = mode === 'rpcError' ? ['2025-11-25'] : ['2027-01-01'];
          res.writeHead(400, { 'content-type': 'application/json' });
          return void res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: body.id,
              error: { code: -32022, message: 'Unsupported protocol version', data: { supported, requested: '2026-07-28' } },
            }),
          );
        }
        const results: Record<string, unknown> = {
          'server/discover': DISCOVER,
          'tools/list': { resultType: 'complete', tools: [SQL_TOOL, BAD_TOOL], ttlMs: 1000, cacheScope: 'private' },
          'tools/call':
            body.params.name === 'slow_export'
              ? { resultType: 'task', taskId: 'task-1', status: 'working', pollIntervalMs: 250 }
              : { resultType: 'complete', content: [{ type: 'text', text: 'done' }] },
          'tasks/get': { resultType: 'complete', taskId: 'task-1', status: 'completed', result: { content: [{ type: 'text', text: 'exported' }] } },
          'tasks/update': { resultType: 'complete' },
          'tasks/cancel': { resultType: 'complete' },
        };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } })}\n\n`);
        res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: body.id, result: results[body.method] })}\n\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the standard headers and _meta, reads SSE answers, drops a tool with a misplaced x-mcp-header, mirrors Region', async () => {
    mode = 'sse';
    seen.length = 0;
    const client = new Mcp2026Client(url, { headers: { authorization: 'Bearer t' } });
    assert.equal((await probe(client, {})).era, 'modern');
    const listing = await listTools2026(client, {});
    assert.deepEqual(
      listing.tools.map((tool) => tool.name),
      ['execute_sql'],
    );
    assert.equal(listing.ttl_ms, 1000);
    assert.equal(listing.cache_scope, 'private');
    const answer = await callTool2026(
      client,
      { name: 'execute_sql', input_schema: SQL_TOOL.inputSchema },
      { region: 'Hello, 世界', query: 'select 1' },
      {},
      {},
    );
    assert.equal(answer.kind, 'complete');
    const [discover, list, call] = seen;
    assert.equal(discover!.body.method, 'server/discover');
    assert.equal(list!.headers['mcp-method'], 'tools/list');
    assert.equal(list!.headers['mcp-name'], undefined);
    assert.equal(call!.headers['mcp-protocol-version'], '2026-07-28');
    assert.equal(call!.headers['mcp-method'], 'tools/call');
    assert.equal(call!.headers['mcp-name'], 'execute_sql');
    assert.equal(call!.headers['mcp-param-region'], '=?base64?SGVsbG8sIOS4lueVjA==?=', 'not plain ASCII: the Base64 sentinel');
    assert.equal(call!.headers.authorization, 'Bearer t');
    const meta = call!.body.params._meta as Record<string, unknown>;
    assert.equal(meta['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
    assert.deepEqual(meta['io.modelcontextprotocol/clientInfo'], { name: 'mcpflow', version: '0.1.0' });
    assert.deepEqual(meta['io.modelcontextprotocol/clientCapabilities'], {
      elicitation: { form: {}, url: {} },
      extensions: { 'io.modelcontextprotocol/tasks': {} },
    });
    assert.notEqual(list!.body.id, call!.body.id);
  });

  it('retries carry inputResponses and requestState; a task-shaped result and the tasks requests go through', async () => {
    mode = 'sse';
    const client = new Mcp2026Client(url);
    await probe(client, {});
    seen.length = 0;
    await callTool2026(
      client,
      { name: 'execute_sql', input_schema: SQL_TOOL.inputSchema },
      { region: 'eu', query: 'q' },
      { input_responses: { ok: { action: 'decline' } }, request_state: 'opaque-state' },
      {},
    );
    assert.deepEqual(seen[0]!.body.params.inputResponses, { ok: { action: 'decline' } });
    assert.equal(seen[0]!.body.params.requestState, 'opaque-state');
    const task = await callTool2026(client, { name: 'slow_export', input_schema: { type: 'object' } }, {}, {}, {});
    assert.deepEqual(task, { kind: 'task', task_id: 'task-1', status: 'working', poll_interval_ms: 250 });
    const got = await getTask(client, 'task-1', {});
    assert.equal(got.status, 'completed');
    assert.deepEqual(got.result, { content: [{ type: 'text', text: 'exported' }] });
    await updateTask(client, 'task-1', { confirm: { action: 'accept', content: { ok: true } } }, {});
    await cancelTask(client, 'task-1', {});
    const tasks = seen.slice(2);
    assert.deepEqual(
      tasks.map((each) => [each.body.method, each.headers['mcp-method'], each.headers['mcp-name']]),
      [
        ['tasks/get', 'tasks/get', 'task-1'],
        ['tasks/update', 'tasks/update', 'task-1'],
        ['tasks/cancel', 'tasks/cancel', 'task-1'],
      ],
    );
    assert.deepEqual(tasks[1]!.body.params.inputResponses, { confirm: { action: 'accept', content: { ok: true } } });
    assert.equal((tasks[0]!.body.params._meta as Record<string, unknown>)['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
  });

  it('a bare 400 or a -32022 listing a 2025 revision means a legacy server; one listing neither era is refused', async () => {
    mode = 'bare400';
    assert.deepEqual(await probe(new Mcp2026Client(url), {}), { era: 'legacy' });
    mode = 'rpcError';
    assert.deepEqual(await probe(new Mcp2026Client(url), {}), { era: 'legacy' }, 'a modern server that lists only 2025-11-25 is spoken to on the 2025 path');
    mode = 'modernOnly';
    await assert.rejects(probe(new Mcp2026Client(url), {}), NoCommonProtocolError);
  });

  it('an answer larger than 8 MiB is cut off: an error at once when declared, the request timeout when streamed', async () => {
    mode = 'huge';
    const client = new Mcp2026Client(url);
    await probe(client, {});
    await assert.rejects(callTool2026(client, { name: 'as_json', input_schema: { type: 'object' } }, {}, {}, {}), /is \d+ bytes, more than 8388608/);
    // A stream cut short carries no response: the SDK gives up on the request at its timeout.
    await assert.rejects(callTool2026(client, { name: 'as_sse', input_schema: { type: 'object' } }, {}, {}, { timeout: 1_000 }), /timed out/);
  });

  it('a server that cannot be reached, or a probe given up, is an error, not a revision, and not remembered', async () => {
    const memory = new ProtocolMemory();
    const closed = 'http://127.0.0.1:9/mcp';
    await assert.rejects(memory.negotiate(closed, new Mcp2026Client(closed), {}), (error: unknown) => error instanceof TypeError);
    assert.equal(memory.get(closed), undefined);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`;
    try {
      const reason = new DOMException('given up', 'TimeoutError');
      await assert.rejects(
        memory.negotiate(silentUrl, new Mcp2026Client(silentUrl), { signal: abortAfter(200, reason) }),
        (error: unknown) => error === reason,
      );
      assert.equal(memory.get(silentUrl), undefined);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a 5xx on the probe is an error, not a revision', async () => {
    mode = 'serverError';
    await assert.rejects(probe(new Mcp2026Client(url), {}), (error: unknown) => (error as { status?: number }).status === 503);
  });

  it('a probe refused for its credentials hands the call to the 2025 path and is not remembered', async () => {
    mode = 'unauthorized';
    const memory = new ProtocolMemory();
    assert.deepEqual(await memory.negotiate(url, new Mcp2026Client(url), {}), { era: 'legacy', provisional: true });
    assert.equal(memory.get(url), undefined);
  });
});

function abortAfter(ms: number, reason: unknown): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}

describe('reading a tools/call answer', () => {
  const elicit = (message: string) => ({
    method: 'elicitation/create',
    params: { message, requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
  });

  it('refuses what the revision does not allow, naming it', () => {
    assert.throws(() => readCallAnswer({ resultType: 'input_required' }), ProtocolViolationError);
    assert.throws(
      () => readCallAnswer({ resultType: 'input_required', inputRequests: { s: { method: 'sampling/createMessage', params: {} } } }),
      /asked for "sampling\/createMessage".*only elicitation/,
    );
    assert.throws(() => readCallAnswer({ resultType: 'input_required', inputRequests: { big: elicit('x'.repeat(40_000)) } }), /more than 32768 bytes/);
    assert.throws(() => readCallAnswer({ resultType: 'streaming' }), /resultType "streaming"/);
    assert.throws(() => readCallAnswer({ resultType: 'task', taskId: '', status: 'working' }), /does not match MCP 2026-07-28/);
  });

  it('reads a result without resultType (an earlier-revision server) as complete', () => {
    const answer = readCallAnswer({ content: [{ type: 'text', text: 'hi' }] });
    assert.equal(answer.kind, 'complete');
    assert.deepEqual(readCallAnswer({ resultType: 'input_required', requestState: 'opaque' }), {
      kind: 'input_required',
      input_requests: {},
      request_state: 'opaque',
    });
  });
});
