/**
 * Starts one demo server: a node `http` server on loopback with `/mcp` (MCP, Streamable HTTP)
 * and `/admin/...` (fault and catalog control) on the same port, plus an in-process handle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest, serverInfo } from './admin';
import { jsonRpcError, sendJson } from './http-util';
import { createMcpEndpoint } from './http';
import { InteractiveState, type DemoTaskView } from './interactive-state';
import { createDefinition } from './kinds';
import { PROTOCOL_2025, type DemoProtocol } from './protocol';
import {
  AddToolSchema,
  FaultSettingsSchema,
  parseOrThrow,
  type AddTool,
  type Counters,
  type DemoServerKind,
  type FaultSettings,
  type FaultStatus,
  type ServerInfo,
} from './schemas';
import { DemoServerState } from './state';
import { McpflowError } from '../core/mcpflow-error';

export interface StartDemoServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the demo servers are meant for loopback only. */
  host?: string;
  /** Faults in force from the first request on. */
  faults?: FaultSettings;
  /** 2025 only: answer with plain JSON instead of an SSE stream (default false, as the SDK). */
  enableJsonResponse?: boolean;
  /**
   * The MCP revision served on /mcp (both through the SDK 2.x, ./http.ts): `2025-11-25` (the
   * default) or `2026-07-28` (no initialize, no sessions). Only a 2026 calendar offers the
   * interactive tools (book_meeting, link_calendar, export_calendar).
   */
  protocol?: DemoProtocol;
  /** 2026 only: `ttlMs` of tools/list and server/discover results (default 5 minutes). */
  listTtlMs?: number;
  /** 2026 only: how long a `requestState` stays valid (default 10 minutes). */
  requestStateTtlMs?: number;
  /** 2026 only: `pollIntervalMs` of tasks (default 500). */
  taskPollIntervalMs?: number;
}

export interface DemoServerHandle {
  readonly kind: DemoServerKind;
  /** The server_label the demo scenario uses: "weather", "calendar" or "database". */
  readonly label: DemoServerKind;
  readonly host: string;
  readonly port: number;
  /** http://HOST:PORT/mcp */
  readonly url: string;
  /** http://HOST:PORT/admin */
  readonly adminUrl: string;
  /** The MCP revision this server speaks. */
  readonly protocol: DemoProtocol;
  /** 2026 only: change the `ttlMs` of list results, how long a requestState stays valid, the tasks' poll interval. */
  setInteractive(settings: { listTtlMs?: number; requestStateTtlMs?: number; taskPollIntervalMs?: number }): void;
  /** 2026 only: the tasks started so far, with their status. */
  tasks(): DemoTaskView[];
  /** Changes faults (absent fields keep their value); throws InvalidInputError naming a bad field. */
  setFaults(settings: FaultSettings): FaultStatus;
  faults(): FaultStatus;
  /** Adds an echo tool; throws ToolConflictError if the name is taken. Returns the tool names. */
  addTool(spec: AddTool): string[];
  /** Removes an added tool or hides a built-in one until reset. False if not listed. */
  removeTool(name: string): boolean;
  tools(): string[];
  counters(): Counters;
  info(): ServerInfo;
  /** Clears faults, counters, created calendar events and added/removed tools. */
  reset(): void;
  close(): Promise<void>;
}

/** Why a demo server could not start; `code` is the system error code, e.g. EADDRINUSE. */
export class DemoServerStartError extends McpflowError {
  constructor(
    message: string,
    readonly kind: DemoServerKind,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Loopback binds refuse other Host and Origin headers (DNS rebinding); a wildcard bind serves other hosts by design. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** A URL host for `host`: wildcard binds are reached over loopback, IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startDemoServer(kind: DemoServerKind, opts: StartDemoServerOptions = {}): Promise<DemoServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const requestedPort = opts.port ?? 0;
  const closing = new AbortController();
  const links = { url: '', adminUrl: '' };
  const protocol = opts.protocol ?? PROTOCOL_2025;
  const definition = createDefinition(kind);
  const state = new DemoServerState(definition);
  if (opts.faults) state.faults.apply(parseOrThrow(FaultSettingsSchema, opts.faults, 'fault settings'));
  const interactiveState = new InteractiveState(opts);
  let listTtlMs = opts.listTtlMs ?? 300_000;
  const mcp = createMcpEndpoint(
    {
      state,
      serverInfo: { name: `mcpflow-demo-${kind}`, version: '1.0.0' },
      interactive: definition.store ? { store: definition.store, state: interactiveState } : undefined,
      listTtlMs: () => listTtlMs,
      adminUrl: () => links.adminUrl,
    },
    { protocol, enableJsonResponse: opts.enableJsonResponse ?? false, loopbackOnly: isLoopback(host), signal: closing.signal },
  );
  state.onCatalogChange = () => mcp.toolsChanged();

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handled =
      path === '/mcp'
        ? mcp.handle(req, res)
        : path === '/admin' || path.startsWith('/admin/')
          ? handleAdminRequest(req, res, { state, ...links }, path.slice('/admin'.length))
          : Promise.resolve(sendJson(res, 404, { error: `not found: ${path}; the MCP endpoint is /mcp` }));
    handled.catch((error: unknown) => {
      // Last resort: an unexpected failure must not crash the demo process or leave the client hanging.
      console.error(`[demo-servers/${kind}] ${req.method ?? ''} ${path} failed:`, error);
      sendJson(res, 500, jsonRpcError(null, -32603, 'Internal server error'));
    });
  };

  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const where = `${host}:${requestedPort}`;
      const message =
        error.code === 'EADDRINUSE'
          ? `port ${requestedPort} on ${host} is already in use (${kind} demo server)`
          : `cannot start the ${kind} demo server on ${where}: ${error.message}`;
      reject(new DemoServerStartError(message, kind, host, requestedPort, error.code));
    };
    server.once('error', onError);
    server.listen(requestedPort, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const base = `http://${urlHost(host)}:${port}`;
  links.url = `${base}/mcp`;
  links.adminUrl = `${base}/admin`;

  let closed: Promise<void> | undefined;
  return {
    kind,
    label: kind,
    host,
    port,
    url: links.url,
    adminUrl: links.adminUrl,
    protocol,
    setInteractive: (settings) => {
      if (settings.listTtlMs !== undefined) listTtlMs = settings.listTtlMs;
      if (settings.requestStateTtlMs !== undefined) interactiveState.requestStateTtlMs = settings.requestStateTtlMs;
      if (settings.taskPollIntervalMs !== undefined) interactiveState.taskPollIntervalMs = settings.taskPollIntervalMs;
    },
    tasks: () => interactiveState.views(),
    setFaults: (settings) => state.faults.apply(parseOrThrow(FaultSettingsSchema, settings, 'fault settings')),
    faults: () => state.faults.status(),
    addTool: (spec) => {
      state.addTool(parseOrThrow(AddToolSchema, spec, 'tool'));
      return state.toolNames();
    },
    removeTool: (name) => state.removeTool(name),
    tools: () => state.toolNames(),
    counters: () => state.counters(),
    info: () => serverInfo({ state, ...links }),
    reset: () => {
      state.reset();
      interactiveState.reset();
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        interactiveState.reset();
        void mcp.close();
        server.close(() => resolve());
        // Keep-alive sockets of MCP clients would hold close() open; the demo owes them nothing.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
