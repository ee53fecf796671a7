/**
 * A client for MCP revision 2026-07-28 over Streamable HTTP: no `initialize`, no session. Every
 * request is one POST carrying the protocol version and the client's capabilities in `_meta`
 * and the standard headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`); the answer is a
 * JSON body or an SSE stream that ends with the response. Errors come out as the SDK's own
 * classes (McpError for a JSON-RPC error, StreamableHTTPError for an HTTP status without one), so
 * activities/errors.ts classifies them exactly like the SDK client's.
 */
import { randomUUID } from 'node:crypto';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { CLIENT_CAPABILITIES, JsonRpcResponseSchema, META, PROTOCOL_2026 } from './schema';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Extra headers of this request (`Mcp-Param-*`). */
  headers?: Record<string, string>;
}

/** Largest response body read (a tools/list page or a tool result): beyond it the server is misbehaving. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class Mcp2026Client {
  constructor(
    readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly fetchImpl: typeof fetch = fetch,
    readonly protocolVersion: string = PROTOCOL_2026,
  ) {}

  /** One request; resolves with its `result` object, throws McpError / StreamableHTTPError / network errors. */
  async request(method: string, params: Record<string, unknown>, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    // Ids differ between a request and its retry (MRTR): each request gets its own.
    const id = randomUUID();
    const body = {
      jsonrpc: '2.0',
      id,
      method,
      params: {
        ...params,
        _meta: {
          ...((params._meta as Record<string, unknown> | undefined) ?? {}),
          [META.protocolVersion]: this.protocolVersion,
          [META.clientInfo]: { name: 'mcpflow', version: '0.1.0' },
          [META.clientCapabilities]: CLIENT_CAPABILITIES,
        },
      },
    };
    const name = nameHeaderSource(method, params);
    const response = await this.fetchImpl(this.url, {
      method: 'POST',
      headers: {
        ...this.headers,
        ...(options.headers ?? {}),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': this.protocolVersion,
        'mcp-method': method,
        ...(name === undefined ? {} : { 'mcp-name': headerValue(name) }),
      },
      body: JSON.stringify(body),
      signal: options.signal,
    });
    const text = await readLimited(response);
    const message = findResponse(text, response.headers.get('content-type') ?? '', id);
    if (message && 'error' in message) throw new McpError(message.error.code, message.error.message, message.error.data);
    if (!response.ok) throw new StreamableHTTPError(response.status, `HTTP ${response.status} from ${method}: ${text.slice(0, 200)}`);
    if (!message) throw new McpError(-32603, `the server answered ${method} without a JSON-RPC response for request ${id}`);
    return message.result;
  }
}

/** `Mcp-Name` comes from `params.name` (tools/call, prompts/get), `params.uri`, or the task id (tasks/*). */
function nameHeaderSource(method: string, params: Record<string, unknown>): string | undefined {
  if (method.startsWith('tasks/') && typeof params.taskId === 'string') return params.taskId;
  if (method === 'tools/call' || method === 'prompts/get') return typeof params.name === 'string' ? params.name : undefined;
  if (method === 'resources/read') return typeof params.uri === 'string' ? params.uri : undefined;
  return undefined;
}

/** Plain visible ASCII as it is; anything else (or something that looks encoded) as the Base64 sentinel. */
export function headerValue(value: string): string {
  const plain = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='));
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new McpError(-32603, `the server's answer is ${declared} bytes, more than ${MAX_RESPONSE_BYTES}`);
  }
  const text = await response.text();
  if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) throw new McpError(-32603, `the server's answer is more than ${MAX_RESPONSE_BYTES} bytes`);
  return text;
}

type ParsedResponse = { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } };

/** The JSON-RPC response to request `id`, from a JSON body or an SSE stream (notifications before it are skipped). */
function findResponse(text: string, contentType: string, id: string): ParsedResponse | undefined {
  const candidates = contentType.includes('text/event-stream') ? sseData(text) : [text];
  for (const candidate of candidates) {
    let json: unknown;
    try {
      json = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = JsonRpcResponseSchema.safeParse(json);
    if (!parsed.success) continue;
    const message = parsed.data;
    if ('result' in message) {
      if (message.id === id) return { result: message.result };
    } else if (message.id === id || message.id === null || message.id === undefined) {
      return { error: message.error };
    }
  }
  return undefined;
}

/** The `data` of each SSE event (multi-line data joined with newlines). */
function sseData(text: string): string[] {
  const events: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, ''));
    if (lines.length) events.push(lines.join('\n'));
  }
  return events;
}
