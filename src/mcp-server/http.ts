/**
 * `mcpflow mcp-server` over Streamable HTTP (node:http): the SDK 2.x `createMcpHandler` serves
 * 2026-07-28 and, statelessly, 2025-11-25 from one factory (./tools.ts). In front of it, as the
 * demo servers do (and with their bridge and helpers): the Host/Origin check on loopback binds,
 * the bearer token (required off loopback), the body limit (413), and the tasks extension's
 * methods (./task-methods.ts), which the SDK lacks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bearerAuthChallengeResponse,
  classifyInboundRequest,
  createMcpHandler,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
  verifyBearerToken,
  type AuthInfo,
} from '@modelcontextprotocol/server';
import { BodyTooLargeError, jsonRpcError, readBody, sendJson } from '../demo-servers/http-util';
import { sendWebResponse, toWebRequest } from '../demo-servers/web-bridge';
import { isLoopbackHost, staticTokenVerifier } from './auth';
import type { McpServerOptions } from './options';
import { answerTaskMethod, TASK_METHODS } from './task-methods';
import { buildMcpServer } from './tools';
import { McpflowError } from '../core/mcpflow-error';

const MAX_BODY = 4 * 1024 * 1024;
export const MCP_PATH = '/mcp';

export interface HttpListenOptions {
  host: string;
  port: number;
  /** Required when `host` is not loopback. */
  token?: string;
}

export interface McpHttpServer {
  url: string;
  close(): Promise<void>;
}

/** Off loopback without a token: refused at start, before a port is opened. */
export class TokenRequiredError extends McpflowError {}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `Mcp-Name` value, undoing the Base64 sentinel the standard headers use for non-ASCII values. */
function decodeHeader(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^=\?base64\?(.*)\?=$/.exec(value);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
}

function refusedHost(req: IncomingMessage): string | undefined {
  const host = validateHostHeader(req.headers.host, localhostAllowedHostnames());
  if (!host.ok) return host.message;
  const origin = validateOriginHeader(req.headers.origin, localhostAllowedOrigins());
  return origin.ok ? undefined : origin.message;
}

export async function startMcpHttpServer(options: McpServerOptions, listen: HttpListenOptions): Promise<McpHttpServer> {
  const loopback = isLoopbackHost(listen.host);
  if (!loopback && !listen.token) {
    throw new TokenRequiredError(
      `mcp-server on ${listen.host} (not loopback) needs a bearer token: set MCPFLOW_MCP_SERVER_TOKEN (clients send "Authorization: Bearer <token>"), or listen on 127.0.0.1`,
    );
  }
  const auth = listen.token ? { verifier: staticTokenVerifier(listen.token) } : undefined;
  const handler = createMcpHandler(({ era, authInfo }) => buildMcpServer(options, era, authInfo), { onerror: () => undefined });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = loopback ? refusedHost(req) : undefined;
    if (refused) return sendJson(res, 403, jsonRpcError(null, -32000, `Forbidden: ${refused}`));
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MCP_PATH)
      return sendJson(res, 404, jsonRpcError(null, -32000, `Not found: the MCP endpoint is ${MCP_PATH}`));
    let authInfo: AuthInfo | undefined;
    if (auth) {
      try {
        authInfo = await verifyBearerToken(header(req, 'authorization'), auth);
      } catch (error) {
        return sendWebResponse(res, bearerAuthChallengeResponse(error));
      }
    }
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    if (req.method !== 'POST') return sendWebResponse(res, await handler.fetch(toWebRequest(req, undefined, gone.signal), { authInfo }));

    let text: string;
    try {
      text = await readBody(req, MAX_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, jsonRpcError(null, -32600, error.message));
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, jsonRpcError(null, -32700, 'Parse error: request body is not valid JSON'));
    }
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: header(req, 'mcp-protocol-version'),
      mcpMethodHeader: header(req, 'mcp-method'),
      mcpNameHeader: header(req, 'mcp-name'),
      body,
    });
    if (outcome.kind === 'modern' && outcome.messageKind === 'request' && TASK_METHODS.includes(outcome.message.method)) {
      const { id, method, params = {} } = outcome.message;
      // The extension's routing header: Mcp-Name carries the task id (the classifier checked Mcp-Method).
      if (decodeHeader(header(req, 'mcp-name')) !== params.taskId)
        return sendJson(res, 400, { jsonrpc: '2.0', id, error: { code: -32020, message: `Header mismatch: ${method} needs Mcp-Name to be the taskId` } });
      const answer = await answerTaskMethod(method, params as Record<string, unknown>, options, authInfo);
      if ('error' in answer) return sendJson(res, answer.httpStatus, { jsonrpc: '2.0', id, error: answer.error });
      return sendJson(res, 200, { jsonrpc: '2.0', id, result: answer.result });
    }
    await sendWebResponse(res, await handler.fetch(toWebRequest(req, text, gone.signal), { authInfo, parsedBody: body }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, jsonRpcError(null, -32603, (error as Error).message)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${MCP_PATH}`,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
