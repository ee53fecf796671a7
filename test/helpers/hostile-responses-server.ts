/**
 * A Responses API that misbehaves, on 127.0.0.1: each request picks its misbehaviour from the
 * request's `metadata.hostile` (an index into HOSTILE_RESPONSES), so one server serves many
 * runs at once. Truncated JSON, wrong shapes, huge bodies, broken SSE streams, odd status codes,
 * wrong content types, connections dropped mid-body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Reply = (res: ServerResponse, stream: boolean) => void;

const json =
  (status: number, body: string, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };
const sse =
  (events: string): Reply =>
  (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' }).end(events);
  };
/** A reply that is JSON or SSE by what the client asked for. */
const either =
  (plain: Reply, streamed: Reply): Reply =>
  (res, stream) =>
    stream ? streamed(res, stream) : plain(res, stream);

const RESPONSE = { id: 'resp_hostile', object: 'response', created_at: 1, status: 'completed', model: 'gpt-4o-mini', error: null, output: [] as unknown[] };
const message = (text: string) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text, annotations: [] }],
});

export const HOSTILE_RESPONSES: Array<{ name: string; reply: Reply }> = [
  { name: 'truncated JSON', reply: json(200, JSON.stringify({ ...RESPONSE, output: [message('hello')] }).slice(0, 40)) },
  { name: 'empty body', reply: json(200, '') },
  { name: 'JSON null', reply: json(200, 'null') },
  { name: 'JSON array', reply: json(200, '[]') },
  { name: 'JSON string', reply: json(200, '"completed"') },
  { name: 'empty object', reply: json(200, '{}') },
  { name: 'output is a string', reply: json(200, JSON.stringify({ ...RESPONSE, output: 'hello' })) },
  { name: 'output items without type', reply: json(200, JSON.stringify({ ...RESPONSE, output: [{ id: 'x' }, 7, null] })) },
  { name: 'mcp_call without fields', reply: json(200, JSON.stringify({ ...RESPONSE, output: [{ type: 'mcp_call' }] })) },
  {
    name: 'function_call without arguments',
    reply: json(200, JSON.stringify({ ...RESPONSE, output: [{ type: 'function_call', name: 'weather__get_current_weather', call_id: 'c1' }] })),
  },
  {
    name: 'function_call with unparsable arguments',
    reply: json(
      200,
      JSON.stringify({
        ...RESPONSE,
        output: [{ type: 'function_call', id: 'fc', name: 'weather__get_current_weather', call_id: 'c1', arguments: '{"location":', status: 'completed' }],
      }),
    ),
  },
  {
    name: 'approval request for an unknown server',
    reply: json(
      200,
      JSON.stringify({ ...RESPONSE, output: [{ type: 'mcp_approval_request', id: 'apr', server_label: 'nobody', name: 'x', arguments: '{}' }] }),
    ),
  },
  { name: 'status failed without error', reply: json(200, JSON.stringify({ ...RESPONSE, status: 'failed' })) },
  { name: 'status in_progress (never finishes)', reply: json(200, JSON.stringify({ ...RESPONSE, status: 'in_progress' })) },
  { name: 'id is a number', reply: json(200, JSON.stringify({ ...RESPONSE, id: 42, output: [message('hi')] })) },
  { name: 'content of wrong type', reply: json(200, JSON.stringify({ ...RESPONSE, output: [{ ...message('x'), content: 'text' }] })) },
  { name: '4 MB output text', reply: json(200, JSON.stringify({ ...RESPONSE, output: [message('y'.repeat(4 * 1024 * 1024))] })) },
  { name: '3 MB of control characters', reply: json(200, JSON.stringify({ ...RESPONSE, output: [message('\u0001'.repeat(3 * 1024 * 1024))] })) },
  {
    name: '20,000 output items',
    reply: json(200, JSON.stringify({ ...RESPONSE, output: Array.from({ length: 20_000 }, (_, i) => ({ ...message(`part ${i}`), id: `msg_${i}` })) })),
  },
  { name: 'deeply nested JSON', reply: json(200, `${'['.repeat(5_000)}${']'.repeat(5_000)}`) },
  { name: 'HTML with status 200', reply: (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>') },
  { name: 'plain text with status 200', reply: (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') },
  { name: 'status 500 with HTML', reply: (res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>') },
  { name: 'status 502', reply: json(502, '{"error":{"message":"bad gateway"}}') },
  { name: 'status 503 with a garbage retry-after', reply: json(503, '{}', { 'retry-after': 'soon-ish' }) },
  {
    name: 'status 429 with retry-after 0',
    reply: json(429, '{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}', { 'retry-after': '0' }),
  },
  { name: 'status 429 insufficient_quota', reply: json(429, '{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}') },
  { name: 'status 401', reply: json(401, '{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}') },
  { name: 'status 403 with no body', reply: json(403, '') },
  { name: 'status 404', reply: json(404, '{"error":{"message":"no such model"}}') },
  { name: 'status 400 with an error of the wrong shape', reply: json(400, '{"error":"just a string"}') },
  { name: 'status 418', reply: json(418, '{"error":{"message":"teapot"}}') },
  { name: 'status 422 with truncated JSON', reply: json(422, '{"error":{"mess') },
  { name: 'status 204 no content', reply: (res) => res.writeHead(204).end() },
  { name: 'status 301 to a closed port', reply: (res) => res.writeHead(301, { location: 'http://127.0.0.1:9/v1/responses' }).end() },
  { name: 'status 999', reply: json(599, '{}') },
  { name: 'x-should-retry false on a 500', reply: json(500, '{"error":{"message":"no"}}', { 'x-should-retry': 'false' }) },
  { name: 'connection dropped before the headers', reply: (res) => res.socket?.destroy() },
  {
    name: 'connection dropped mid-body',
    reply: (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"id":"resp_x","output":[');
      setTimeout(() => res.socket?.destroy(), 20);
    },
  },
  {
    name: 'content-length larger than the body',
    reply: (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.end('{}');
    },
  },
  { name: 'SSE: garbage lines', reply: either(json(200, '{}'), sse('this is not sse\n\n:::\n\ndata: \n\n')) },
  { name: 'SSE: event with invalid JSON', reply: either(json(200, '{]'), sse('event: response.created\ndata: {"type":"response.created",\n\n')) },
  {
    name: 'SSE: ends without response.completed',
    reply: either(
      json(200, '{"output":[]}'),
      sse(
        `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { ...RESPONSE, status: 'in_progress' } })}\n\n`,
      ),
    ),
  },
  {
    name: 'SSE: completed with a wrong shape',
    reply: either(
      json(200, '{"status":7}'),
      sse(`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 0, response: { output: 'x' } })}\n\n`),
    ),
  },
  {
    name: 'SSE: error event',
    reply: either(
      json(500, '{}'),
      sse(`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'boom', sequence_number: 0 })}\n\n`),
    ),
  },
  {
    name: 'SSE: response.failed without error',
    reply: either(
      json(200, '{"status":"failed"}'),
      sse(`event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 0, response: { ...RESPONSE, status: 'failed' } })}\n\n`),
    ),
  },
  { name: 'SSE: unknown events only', reply: either(json(200, '{"output":null}'), sse('event: surprise\ndata: {"type":"surprise"}\n\n'.repeat(50))) },
  {
    name: 'SSE: 2 MB delta',
    reply: either(
      json(200, '{"output":[{}]}'),
      sse(
        `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', sequence_number: 0, item_id: 'm', output_index: 0, content_index: 0, delta: 'z'.repeat(2 * 1024 * 1024) })}\n\n`,
      ),
    ),
  },
  { name: 'SSE content type on a JSON request', reply: sse('data: {"nope":1}\n\n') },
  {
    name: 'JSON content type on a stream request',
    reply: either(json(200, JSON.stringify({ ...RESPONSE, output: 5 })), json(200, JSON.stringify({ ...RESPONSE, output: [message('x')] }))),
  },
  { name: 'a body of NUL bytes', reply: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.alloc(10_000)) },
  {
    name: 'invalid UTF-8',
    reply: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
  },
];

export interface HostileResponsesServer {
  /** The base URL, like the emulator's (`.../v1`). */
  url: string;
  /** Requests seen per case index. */
  requests: Map<number, number>;
  close(): Promise<void>;
}

export async function startHostileResponsesServer(): Promise<HostileResponsesServer> {
  const requests = new Map<number, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: { stream?: boolean; metadata?: Record<string, string> } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        // Not JSON: treated as case 0.
      }
      const index = Number(body.metadata?.hostile ?? 0);
      requests.set(index, (requests.get(index) ?? 0) + 1);
      const chosen = HOSTILE_RESPONSES[index % HOSTILE_RESPONSES.length]!;
      chosen.reply(res, body.stream === true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
