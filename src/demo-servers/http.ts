/**
 * The MCP endpoint (/mcp) of a demo server, on the SDK 2.x HTTP entry points: stateless, a fresh
 * McpServer per request (./mcp-server.ts). `2025-11-25` serves the 2025 era only, through the
 * SDK's stateless legacy serving; `2026-07-28` serves the modern era through `createMcpHandler`
 * and refuses `initialize` (-32022 naming 2026-07-28), so clients see a server of one revision each.
 * In front of the SDK: the Host/Origin check on loopback binds, the body limit (413), and the
 * fault knobs, applied so each injected failure looks on the wire exactly like the real thing
 * would; on 2026-07-28 also the tasks extension (./tasks.ts), which the SDK lacks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createMcpHandler,
  legacyStatelessFallback,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
  type LegacyHttpHandler,
} from '@modelcontextprotocol/server';
import type { InjectedFault } from './faults';
import { BodyTooLargeError, jsonRpcError, readBody, sendJson } from './http-util';
import { statelessJsonHandler } from './legacy-json';
import { buildDemoMcpServer, taskToolsOf, type DemoMcpContext } from './mcp-server';
import { PROTOCOL_2025, type DemoProtocol } from './protocol';
import { answerTasksRequest } from './tasks';
import { sendWebResponse, toWebRequest } from './web-bridge';

const MAX_MCP_BODY = 4 * 1024 * 1024;

export interface McpEndpointOptions {
  protocol: DemoProtocol;
  /** 2025 only: answer with a single JSON body instead of an SSE stream (both are valid Streamable HTTP). */
  enableJsonResponse: boolean;
  /** Refuse Host and Origin headers that are not loopback (DNS rebinding); on for loopback binds. */
  loopbackOnly: boolean;
  /** Aborted when the server closes, so requests waiting on injected latency stop waiting. */
  signal: AbortSignal;
}

export interface McpEndpoint {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Tells 2026-07-28 clients listening on subscriptions/listen that the tool list changed. */
  toolsChanged(): void;
  close(): Promise<void>;
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

function injectFault(req: IncomingMessage, res: ServerResponse, fault: InjectedFault, id: JsonRpcId, protocol: DemoProtocol): void {
  switch (fault.kind) {
    case 'tool_error':
      // What a tool that failed while running returns: a normal result flagged isError (2026-07-28 results name their type).
      sendJson(res, 200, {
        jsonrpc: '2.0',
        id,
        result: {
          ...(protocol === PROTOCOL_2025 ? {} : { resultType: 'complete' }),
          content: [{ type: 'text', text: 'Injected fault: the tool failed while running (tool_error).' }],
          isError: true,
        },
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

function refusedHost(req: IncomingMessage): string | undefined {
  const host = validateHostHeader(req.headers.host, localhostAllowedHostnames());
  if (!host.ok) return host.message;
  const origin = validateOriginHeader(req.headers.origin, localhostAllowedOrigins());
  return origin.ok ? undefined : origin.message;
}

export function createMcpEndpoint(context: DemoMcpContext, options: McpEndpointOptions): McpEndpoint {
  const { state } = context;
  const onerror = (): void => undefined; // every refusal already reaches the client; the demo keeps its log quiet
  const modern =
    options.protocol === PROTOCOL_2025 ? undefined : createMcpHandler(({ era }) => buildDemoMcpServer(context, era), { legacy: 'reject', onerror });
  const legacy = (): LegacyHttpHandler =>
    options.enableJsonResponse
      ? statelessJsonHandler(() => buildDemoMcpServer(context, 'legacy'))
      : legacyStatelessFallback(() => buildDemoMcpServer(context, 'legacy'), onerror);
  const serve: LegacyHttpHandler = modern ? (request, init) => modern.fetch(request, init) : legacy();
  const tasks = context.interactive ? { state: context.interactive.state, taskTools: taskToolsOf(context), serverInfo: context.serverInfo } : undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = options.loopbackOnly ? refusedHost(req) : undefined;
    if (refused) return sendJson(res, 403, jsonRpcError(null, -32000, `Forbidden: ${refused}`));
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    if (req.method !== 'POST') return sendWebResponse(res, await serve(toWebRequest(req, undefined, gone.signal)));

    let text: string;
    try {
      text = await readBody(req, MAX_MCP_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, jsonRpcError(null, -32600, error.message));
      throw error;
    }

    const outage = state.faults.unavailableRemainingMs();
    if (outage > 0) {
      state.recordFaulted('unavailable');
      return sendJson(res, 503, jsonRpcError(null, -32000, 'Injected fault: service unavailable'), { 'retry-after': String(Math.ceil(outage / 1000)) });
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, jsonRpcError(null, -32700, 'Parse error: request body is not valid JSON'));
    }

    const call = toolsCall(body);
    if (call) {
      const latency = state.faults.latency;
      if (latency > 0) {
        // The injected latency is the way to the tool: a request whose client is gone by then
        // (a worker killed mid-call) never reaches it, so a test knows whether the tool ran.
        try {
          await sleep(latency, undefined, { signal: AbortSignal.any([options.signal, gone.signal]) });
        } catch {
          req.socket.destroy(); // the server is closing, or the client went away
          return;
        }
      }
      const fault = state.faults.take(call.name);
      if (fault) {
        state.recordFaulted(fault.kind);
        return injectFault(req, res, fault, call.id, options.protocol);
      }
    }

    const extension = modern && tasks ? answerTasksRequest(req.headers, body, tasks) : undefined;
    if (extension) return sendJson(res, extension.status, extension.body);
    await sendWebResponse(res, await serve(toWebRequest(req, text, gone.signal), { parsedBody: body }));
  }

  return {
    handle,
    toolsChanged: () => modern?.notify.toolsChanged(),
    close: async () => void (await modern?.close()),
  };
}
