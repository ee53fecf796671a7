/**
 * Real HTTP servers on 127.0.0.1 for the activity tests: a proxy that counts the JSON-RPC
 * methods a client sends to a demo server, a stateful MCP server (sessions, like
 * @modelcontextprotocol/server-everything) that can be restarted on the same port, a server
 * that never answers, and a port nobody listens on.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInitializeRequest, McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { sendWebResponse, toWebRequest } from '../../src/demo-servers/web-bridge';

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function stop(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `method` of each JSON-RPC message in a body (a batch counts each). */
function methodsOf(text: string): string[] {
  try {
    const body = JSON.parse(text) as unknown;
    const messages = Array.isArray(body) ? body : [body];
    return messages.flatMap((message) =>
      typeof message === 'object' && message && 'method' in message && typeof message.method === 'string' ? [message.method] : [],
    );
  } catch {
    return [];
  }
}

export interface CountingProxy {
  url: string;
  /** JSON-RPC methods received, in order. */
  methods: string[];
  count(method: string): number;
  close(): Promise<void>;
}

/** Forwards every request to `target` and notes the JSON-RPC methods it carries. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const methods: string[] = [];
  const server = await listen((req, res) => {
    void (async () => {
      const body = await readBody(req);
      methods.push(...methodsOf(body));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
      const upstream = await fetch(target, { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
      const forwarded: Record<string, string> = {};
      for (const name of ['content-type', 'mcp-session-id', 'allow']) {
        const value = upstream.headers.get(name);
        if (value) forwarded[name] = value;
      }
      res.writeHead(upstream.status, forwarded).end(await upstream.text());
    })().catch(() => res.destroy());
  });
  return {
    url: `http://127.0.0.1:${portOf(server)}/mcp`,
    methods,
    count: (method) => methods.filter((each) => each === method).length,
    close: () => stop(server),
  };
}

export interface StatefulMcpServer {
  url: string;
  port: number;
  /** `initialize` requests answered since this server started. */
  initializes: number;
  /** Sessions open now (DELETE ends one). */
  sessions(): number;
  /** Forgets every session without telling its client, as a server whose sessions expire does. */
  forgetSessions(): void;
  close(): Promise<void>;
}

/**
 * An MCP server with sessions (`mcp-session-id`, SDK 2.x's web-standard transport behind the demo
 * servers' node bridge); an unknown session id gets 404, as the spec says.
 */
export async function startStatefulMcpServer(port = 0): Promise<StatefulMcpServer> {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const state = { initializes: 0 };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = req.method === 'POST' ? await readBody(req) : '';
    const body: unknown = text ? JSON.parse(text) : undefined;
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const request = toWebRequest(req, req.method === 'POST' ? text : undefined, gone.signal);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = transports.get(sessionId);
      if (!transport) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
        return;
      }
      await sendWebResponse(res, await transport.handleRequest(request, { parsedBody: body }));
      return;
    }
    if (!isInitializeRequest(body)) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'No session' } }));
      return;
    }
    state.initializes++;
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void transports.set(id, transport),
      onsessionclosed: (id) => void transports.delete(id),
    });
    const server = new McpServer({ name: 'stateful-test-server', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echoes its text', inputSchema: z.object({ text: z.string() }), annotations: { readOnlyHint: true } },
      ({ text: said }) => ({
        content: [{ type: 'text', text: said }],
      }),
    );
    await server.connect(transport);
    await sendWebResponse(res, await transport.handleRequest(request, { parsedBody: body }));
  };
  const server = await listen((req, res) => void handle(req, res).catch(() => res.destroy()), port);
  return {
    url: `http://127.0.0.1:${portOf(server)}/mcp`,
    port: portOf(server),
    get initializes() {
      return state.initializes;
    },
    sessions: () => transports.size,
    forgetSessions: () => transports.clear(),
    close: () => stop(server),
  };
}

/** Accepts connections and requests, and never answers. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await listen(() => undefined);
  return { url: `http://127.0.0.1:${portOf(server)}/mcp`, close: () => stop(server) };
}

/** A loopback port that was free a moment ago and has nobody listening now. */
export async function closedPort(): Promise<number> {
  const server = await listen(() => undefined);
  const port = portOf(server);
  await stop(server);
  return port;
}
