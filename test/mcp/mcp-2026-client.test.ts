/**
 * The 2026-07-28 client on the wire, against a plain HTTP server on loopback that records what it
 * gets: the standard headers, `Mcp-Param-*` from `x-mcp-header`, SSE answers, error bodies.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { headerValue, Mcp2026Client } from '../../activities/mcp-2026/client';
import { probe, ProtocolMemory } from '../../activities/mcp-2026/negotiate';
import { callTool2026, listTools2026, ProtocolViolationError, readCallAnswer } from '../../activities/mcp-2026/operations';
import { paramHeaders, paramHeaderValues } from '../../activities/mcp-2026/param-headers';

const SQL_TOOL = {
  name: 'execute_sql',
  inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } }, required: ['region', 'query'] },
};
const BAD_TOOL = { name: 'bad', inputSchema: { type: 'object', properties: { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } } } };

describe('x-mcp-header and header values', () => {
  it('encodes values that are not plain visible ASCII with the Base64 sentinel', () => {
    assert.equal(headerValue('us-west1'), 'us-west1');
    assert.equal(headerValue('Hello, 世界'), '=?base64?SGVsbG8sIOS4lueVjA==?=');
    assert.equal(headerValue(' padded '), '=?base64?IHBhZGRlZCA=?=');
    assert.equal(headerValue('=?base64?literal?='), '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  });

  it('maps annotated parameters (nested through properties too) and refuses misplaced or clashing ones', () => {
    const mapping = paramHeaders({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'integer', 'x-mcp-header': 'B' } } }, c: { type: 'boolean', 'x-mcp-header': 'C' } } });
    assert.deepEqual(mapping, { ok: true, headers: [{ path: ['a', 'b'], name: 'B' }, { path: ['c'], name: 'C' }] });
    if (mapping.ok) assert.deepEqual(paramHeaderValues(mapping.headers, { a: { b: 7 }, c: false }), { 'mcp-param-b': '7', 'mcp-param-c': 'false' });
    assert.equal(paramHeaders(BAD_TOOL.inputSchema).ok, false);
    assert.equal(paramHeaders({ type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } }).ok, false);
    assert.equal(paramHeaders({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'X' }, b: { type: 'string', 'x-mcp-header': 'x' } } }).ok, false);
    assert.equal(paramHeaders({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'bad name' } } }).ok, false);
  });
});

describe('Mcp2026Client on the wire', () => {
  let server: Server;
  let url: string;
  const seen: { headers: IncomingHttpHeaders; body: { method: string; params: Record<string, unknown> } }[] = [];
  let mode: 'sse' | 'bare400' | 'rpcError' | 'unauthorized' = 'sse';

  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as { id: string; method: string; params: Record<string, unknown> };
        seen.push({ headers: req.headers, body });
        if (mode === 'bare400') return void res.writeHead(400).end('Bad Request');
        if (mode === 'unauthorized') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        if (mode === 'rpcError') {
          res.writeHead(400, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2025-11-25'], requested: '2026-07-28' } } }));
        }
        const result =
          body.method === 'tools/list'
            ? { resultType: 'complete', tools: [SQL_TOOL, BAD_TOOL], ttlMs: 1000, cacheScope: 'private' }
            : { resultType: 'complete', content: [{ type: 'text', text: 'done' }] };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } })}\n\n`);
        res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: body.id, result })}\n\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the standard headers and _meta, reads SSE answers, drops a tool with a misplaced x-mcp-header, mirrors Region', async () => {
    mode = 'sse';
    seen.length = 0;
    const client = new Mcp2026Client(url, { authorization: 'Bearer t' });
    const rejected: string[] = [];
    const listing = await listTools2026(client, {}, undefined, (tool) => rejected.push(tool));
    assert.deepEqual(listing.tools.map((tool) => tool.name), ['execute_sql']);
    assert.deepEqual(rejected, ['bad']);
    assert.equal(listing.ttl_ms, 1000);
    assert.equal(listing.cache_scope, 'private');
    const answer = await callTool2026(client, { name: 'execute_sql', input_schema: SQL_TOOL.inputSchema }, { region: 'us-west1', query: 'select 1' }, {}, {});
    assert.equal(answer.kind, 'complete');
    const [list, call] = seen;
    assert.equal(list!.headers['mcp-method'], 'tools/list');
    assert.equal(list!.headers['mcp-name'], undefined);
    assert.equal(call!.headers['mcp-protocol-version'], '2026-07-28');
    assert.equal(call!.headers['mcp-method'], 'tools/call');
    assert.equal(call!.headers['mcp-name'], 'execute_sql');
    assert.equal(call!.headers['mcp-param-region'], 'us-west1');
    assert.equal(call!.headers.authorization, 'Bearer t');
    assert.deepEqual(call!.body.params._meta, {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'mcpflow', version: '0.1.0' },
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {}, url: {} }, extensions: { 'io.modelcontextprotocol/tasks': {} } },
    });
    assert.notEqual((seen[0]!.body as unknown as { id: string }).id, (seen[1]!.body as unknown as { id: string }).id);
  });

  it('a bare 400 is an HTTP error (a legacy hint); a JSON-RPC error body is an McpError with its code', async () => {
    mode = 'bare400';
    const client = new Mcp2026Client(url, {});
    await assert.rejects(client.request('server/discover', {}), (error: unknown) => error instanceof StreamableHTTPError && error.code === 400);
    assert.deepEqual(await probe(client, {}), { era: 'legacy' });
    mode = 'rpcError';
    await assert.rejects(client.request('server/discover', {}), (error: unknown) => error instanceof McpError && error.code === -32022);
    assert.deepEqual(await probe(client, {}), { era: 'legacy' }, 'a modern server that lists only 2025-11-25 is spoken to with the SDK');
  });

  it('a probe refused for its credentials hands the call to the SDK path and is not remembered', async () => {
    mode = 'unauthorized';
    const memory = new ProtocolMemory();
    assert.deepEqual(await memory.negotiate(url, new Mcp2026Client(url, {}), {}), { era: 'legacy', provisional: true });
    assert.equal(memory.get(url), undefined);
  });
});

describe('reading a tools/call answer', () => {
  const elicit = (message: string) => ({ method: 'elicitation/create', params: { message, requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } });

  it('refuses what the revision does not allow, naming it', () => {
    assert.throws(() => readCallAnswer({ resultType: 'input_required' }), ProtocolViolationError);
    assert.throws(() => readCallAnswer({ resultType: 'input_required', inputRequests: { s: { method: 'sampling/createMessage', params: {} } } }), /asked for "sampling\/createMessage".*only elicitation/);
    assert.throws(() => readCallAnswer({ resultType: 'input_required', inputRequests: { big: elicit('x'.repeat(40_000)) } }), /more than 32768 bytes/);
    assert.throws(() => readCallAnswer({ resultType: 'streaming' }), /resultType "streaming"/);
    assert.throws(() => readCallAnswer({ resultType: 'task', taskId: '', status: 'working' }), /does not match MCP 2026-07-28/);
  });

  it('reads a result without resultType (an earlier-revision server) as complete', () => {
    const answer = readCallAnswer({ content: [{ type: 'text', text: 'hi' }] });
    assert.equal(answer.kind, 'complete');
    assert.deepEqual(readCallAnswer({ resultType: 'input_required', requestState: 'opaque' }), { kind: 'input_required', input_requests: {}, request_state: 'opaque' });
  });
});
