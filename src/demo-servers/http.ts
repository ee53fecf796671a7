/**
 * The MCP endpoint: Streamable HTTP in stateless mode (a fresh McpServer and transport per POST,
 * as in the SDK's simpleStatelessStreamableHttp example), with the fault knobs applied in front of
 * the SDK so each injected failure looks on the wire exactly like the real thing would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { InjectedFault } from './faults';
import { BodyTooLargeError, jsonRpcError, readBody, sendJson } from './http-util';
import type { DemoServerState } from './state';

const MAX_MCP_BODY = 4 * 1024 * 1024;

export interface McpEndpointOptions {
  /** Answer with a single JSON body instead of an SSE stream (both are valid Streamable HTTP). */
  enableJsonResponse: boolean;
  /** Aborted when the server closes, so requests waiting on injected latency stop waiting. */
  signal: AbortSignal;
}

type JsonRpcId = string | number | null;

/** The id and tool name of a single tools/call request; undefined for anything else (batches included). */
function toolsCall(body: unknown): { id: JsonRpcId; name: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as { method?: unknown; id?: unknown; params?: { name?: unknown } };
  if (message.method !== 'tools/call') return undefined;
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  return { id, name: typeof message.params?.name === 'string' ? message.params.name : undefined };
}

function injectFault(req: IncomingMessage, res: ServerResponse, fault: InjectedFault, id: JsonRpcId): void {
  switch (fault.kind) {
    case 'tool_error':
      // What a tool that failed while running returns: a normal result flagged isError.
      sendJson(res, 200, {
        jsonrpc: '2.0',
        id,
        result: { content: [{ type: 'text', text: 'Injected fault: the tool failed while running (tool_error).' }], isError: true },
      });
      return;
    case 'jsonrpc_error':
      sendJson(res, 200, jsonRpcError(id, fault.jsonrpcCode, 'Injected fault: internal error (jsonrpc_error)'));
      return;
    case 'http_500':
      sendJson(res, 500, jsonRpcError(id, -32603, 'Injected fault: internal server error (http_500)'));
      return;
    case 'http_429':
      sendJson(res, 429, jsonRpcError(id, -32000, 'Injected fault: rate limit exceeded (http_429)'), {
        'retry-after': String(fault.retryAfterSeconds),
      });
      return;
    case 'connection_drop':
      // No status line at all: the client sees a reset/closed socket, like a crashed server.
      req.socket.destroy();
      return;
  }
}

export async function handleMcpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  state: DemoServerState,
  options: McpEndpointOptions,
): Promise<void> {
  if (req.method !== 'POST') {
    // Stateless servers have no standalone SSE stream (GET) and no session to delete (DELETE).
    sendJson(res, 405, jsonRpcError(null, -32000, 'Method not allowed.'), { allow: 'POST' });
    return;
  }

  let text: string;
  try {
    text = await readBody(req, MAX_MCP_BODY);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, jsonRpcError(null, -32600, error.message));
      return;
    }
    throw error;
  }

  const outage = state.faults.unavailableRemainingMs();
  if (outage > 0) {
    state.recordFaulted('unavailable');
    sendJson(res, 503, jsonRpcError(null, -32000, 'Injected fault: service unavailable'), {
      'retry-after': String(Math.ceil(outage / 1000)),
    });
    return;
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, jsonRpcError(null, -32700, 'Parse error: request body is not valid JSON'));
    return;
  }

  const call = toolsCall(body);
  if (call) {
    const latency = state.faults.latency;
    if (latency > 0) {
      try {
        await sleep(latency, undefined, { signal: options.signal });
      } catch {
        req.socket.destroy(); // the server is closing
        return;
      }
    }
    const fault = state.faults.take(call.name);
    if (fault) {
      state.recordFaulted(fault.kind);
      injectFault(req, res, fault, call.id);
      return;
    }
  }

  const server = state.buildMcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: options.enableJsonResponse });
  // Attached before handling so a client that went away early still releases the per-request server.
  res.on('close', () => {
    transport.close().catch(() => undefined);
    server.close().catch(() => undefined);
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
