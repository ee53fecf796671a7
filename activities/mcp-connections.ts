/**
 * MCP connections kept open between activities. Opening one costs a round trip (`initialize`),
 * a notification (`notifications/initialized`) and, on a stateful server, a session; a worker
 * that calls the same server again and again reuses one connection per server URL and headers.
 *
 * A connection that failed (transport error, timeout, a session the server no longer knows) is
 * dropped at once and closed when its last user is done: the failing activity throws as before
 * and Temporal's retry opens a new connection. Nothing is retried here, except a request the
 * server refused because it forgot the session (./mcp-session-renewal.ts). Idle connections close
 * after a minute; `close()` ends them all when the worker stops.
 *
 * A stdio server is a process of the worker: one per server (program, arguments, environment),
 * at most `maxStdioProcesses` at once (the least recently used idle one makes room). A process
 * that exits is dropped like a broken connection, and the next use starts it again.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  ProtocolError,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type AuthProvider,
  type RequestOptions,
  type Transport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../src/core/destinations';
import { isStdioServer, type ServerConfig } from '../src/core/servers';
import { assertDestinationUrl, guardedFetch } from '../src/net/destination-guard';
import { countResponses, renewingLostSession, sessionExpired } from './mcp-session-renewal';
import { isSpawnFailure, runtimeLog, StdioSpawnError, stdioParams, stdioTransport, type McpLog, type StdioParams } from './mcp-stdio';
import { connectionHeaders, type Env } from './secrets';
import { oauthProviderFor } from './mcp-auth';

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** stdio server processes one worker keeps at once. */
export const DEFAULT_MAX_STDIO_PROCESSES = 16;
/** Ending a session is a courtesy: a server that does not answer must not hold up a worker's shutdown. */
const TERMINATE_TIMEOUT_MS = 2_000;

export type UseMcpClient<T> = (client: Client) => Promise<T>;

/** One MCP client session: over Streamable HTTP, or with a stdio server's process. */
export class McpConnection {
  private constructor(
    readonly client: Client,
    private readonly transport: Transport,
    /** Responses received so far: a lost session is renewed only when none of a use's came back (./mcp-session-renewal.ts). */
    private readonly answered: () => number,
  ) {}

  /** Connects (initialize + initialized); `options` bound that handshake (signal, timeout). */
  static async open(url: string, headers: Record<string, string>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS, authProvider?: AuthProvider): Promise<McpConnection> {
    // Every request of the connection goes through the destination guard (scheme, ranges, each resolved address).
    assertDestinationUrl(url, allow);
    // An OAuth server's tokens come from the provider (./mcp-auth.ts), read again for every request.
    const transportOptions = { requestInit: { headers }, fetch: guardedFetch(allow), ...(authProvider ? { authProvider } : {}) };
    try {
      return await McpConnection.connect(new StreamableHTTPClientTransport(new URL(url), transportOptions), options);
    } catch (error) {
      // The SDK's documented backwards compatibility: a server that refuses the Streamable HTTP
      // POST with a 4xx may be a 2024-11-05 server, which speaks HTTP+SSE (GET the URL for an
      // event stream, POST to the endpoint it names). Refused credentials and rate limits are not that.
      if (!(error instanceof SdkHttpError) || !isLegacyHint(error.status)) throw error;
      try {
        return await McpConnection.connect(new SSEClientTransport(new URL(url), transportOptions), options);
      } catch {
        // Not an SSE server either: the first answer says more about what is wrong.
        throw error;
      }
    }
  }

  private static async connect(transport: Transport, options: RequestOptions): Promise<McpConnection> {
    // No versionNegotiation: the SDK's default, the 2025 (legacy) `initialize` handshake. 2026-07-28
    // servers are reached by ./mcp-2026/direct.ts before a pooled connection is asked for.
    const client = new Client({ name: 'mcpflow', version: '0.1.0' });
    try {
      await client.connect(transport, options);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return new McpConnection(client, transport, countResponses(transport));
  }

  /** Which transport this connection speaks (the legacy HTTP+SSE one only after the fallback). */
  get transportKind(): 'streamable-http' | 'sse' | 'stdio' {
    if (this.transport instanceof StdioClientTransport) return 'stdio';
    return this.transport instanceof SSEClientTransport ? 'sse' : 'streamable-http';
  }


  /** Starts the program and connects (initialize + initialized) over its stdin/stdout. */
  static async openStdio(params: StdioParams, options: RequestOptions = {}, log: McpLog = runtimeLog): Promise<McpConnection> {
    const transport = stdioTransport(params, log);
    let connection: McpConnection;
    try {
      connection = await McpConnection.connect(transport, options);
    } catch (error) {
      throw isSpawnFailure(error) ? new StdioSpawnError(params.label, params.command, error) : error;
    }
    log('info', `MCP server ${params.label} (stdio) started`, { server: params.label, pid: transport.pid ?? undefined });
    return connection;
  }

  /** The process id of a stdio server's program (null over HTTP or once it exited). */
  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  get isStdio(): boolean {
    return this.transport instanceof StdioClientTransport;
  }

  /** Calls `broken` when the transport reports an error or closes on its own (e.g. its SSE stream died). */
  onBroken(broken: () => void): void {
    // A stdio program that prints a stray non-JSON line on stdout still works: only its exit counts.
    if (!this.isStdio) this.client.onerror = broken;
    this.client.onclose = broken;
  }

  async run<T>(use: UseMcpClient<T>): Promise<T> {
    const answeredBefore = this.answered();
    try {
      return await use(this.client);
    } catch (error) {
      if (error instanceof SdkHttpError && error.status === 404 && this.transport.sessionId !== undefined) throw sessionExpired(error, this.answered() === answeredBefore);
      throw error;
    }
  }

  /**
   * Ends the session on a stateful server (stateless ones answer 405, which the SDK accepts), then
   * the client. A stdio server's program gets its stdin closed, then SIGTERM, then SIGKILL (the SDK's order).
   */
  async close(): Promise<void> {
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId) {
      const giveUp = new AbortController();
      await Promise.race([this.transport.terminateSession(), sleep(TERMINATE_TIMEOUT_MS, undefined, { signal: giveUp.signal })]).catch(() => undefined);
      giveUp.abort();
    }
    await this.client.close().catch(() => undefined);
  }
}

/** A connection opened for one use and closed after it: what every call did before the pool. */
export async function withMcpClient<T>(server: ServerConfig, env: Env, use: UseMcpClient<T>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): Promise<T> {
  const connection = isStdioServer(server)
    ? await McpConnection.openStdio(stdioParams(server, env), options)
    : await McpConnection.open(server.url, connectionHeaders(server, env), options, allow, oauthProviderFor(server, env, allow));
  try {
    return await connection.run(use);
  } finally {
    await connection.close();
  }
}

interface Entry {
  readonly key: string;
  readonly connection: McpConnection;
  users: number;
  /** No longer handed out; closed when its last user is done. */
  retired: boolean;
  idleTimer?: NodeJS.Timeout;
  closing?: Promise<void>;
  /** When its last use ended: the least recently used idle stdio process makes room for a new one. */
  lastUsed: number;
}

export interface McpPoolOptions {
  maxStdioProcesses?: number;
  /** Where a stdio server's stderr and its starts and exits go (default: the worker's log). */
  log?: McpLog;
}

/** More stdio servers are in use at once than the worker may run: the activity's retry tries again later. */
export class McpPoolFullError extends Error {
  override name = 'McpPoolFullError';
  constructor(max: number) {
    super(`this worker already runs ${max} stdio MCP servers, all in use: try again when one is free (or run more workers)`);
  }
}

export class McpConnectionPool {
  private readonly pooled = new Map<string, Entry>();
  /** Every open entry, pooled or not, so that close() reaches connections still in use. */
  private readonly open = new Set<Entry>();
  /** Connections being opened, so that simultaneous first uses share one (one process per stdio server). */
  private readonly connecting = new Map<string, Promise<Entry>>();
  private closed = false;
  private readonly maxStdioProcesses: number;
  private readonly log: McpLog;

  constructor(
    private readonly idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
    options: McpPoolOptions = {},
  ) {
    this.maxStdioProcesses = options.maxStdioProcesses ?? DEFAULT_MAX_STDIO_PROCESSES;
    this.log = options.log ?? runtimeLog;
  }

  /** The process ids of the stdio servers this pool runs, in use or not. */
  get stdioPids(): number[] {
    return [...this.open].flatMap((entry) => (entry.connection.pid === null ? [] : [entry.connection.pid]));
  }

  /** Connections ready for reuse. */
  get size(): number {
    return this.pooled.size;
  }

  /**
   * Like withMcpClient, on a pooled connection; `options` bound the handshake when one is opened.
   * A session the server forgot before answering any of this use is renewed once (the spec's rule).
   */
  use<T>(server: ServerConfig, env: Env, use: UseMcpClient<T>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): Promise<T> {
    return renewingLostSession(() => this.useOnce(server, env, use, options, allow));
  }

  private async useOnce<T>(server: ServerConfig, env: Env, use: UseMcpClient<T>, options: RequestOptions, allow: AllowPrivateNetworks): Promise<T> {
    let key: string;
    let open: () => Promise<McpConnection>;
    if (isStdioServer(server)) {
      const params = stdioParams(server, env);
      key = stdioPoolKey(params);
      open = () => McpConnection.openStdio(params, options, this.log);
    } else {
      const headers = connectionHeaders(server, env);
      const authProvider = oauthProviderFor(server, env, allow);
      key = poolKey(server.url, headers, allow, authProvider ? server.label : undefined);
      open = () => McpConnection.open(server.url, headers, options, allow, authProvider);
    }
    const entry = this.pooled.get(key) ?? (await this.connectOnce(key, open, isStdioServer(server), server.label));
    entry.users++;
    clearTimeout(entry.idleTimer);
    try {
      return await entry.connection.run(use);
    } catch (error) {
      if (!answeredByServer(error)) this.retire(entry);
      throw error;
    } finally {
      entry.users--;
      entry.lastUsed = Date.now();
      this.settle(entry);
    }
  }

  /** Closes every connection, in use or not; later uses get a connection of their own. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.open];
    for (const entry of entries) {
      entry.retired = true;
      this.pooled.delete(entry.key);
      this.finish(entry);
    }
    await Promise.all(entries.map((entry) => entry.closing));
  }

  private connectOnce(key: string, open: () => Promise<McpConnection>, stdio: boolean, label: string): Promise<Entry> {
    let pending = this.connecting.get(key);
    if (!pending) {
      pending = this.connect(key, open, stdio, label).finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  private async connect(key: string, open: () => Promise<McpConnection>, stdio: boolean, label: string): Promise<Entry> {
    if (stdio) this.makeRoomForProcess();
    const entry: Entry = { key, connection: await open(), users: 0, retired: false, lastUsed: Date.now() };
    this.open.add(entry);
    const pid = entry.connection.pid;
    entry.connection.onBroken(() => {
      // A process that exits on its own (a crash) is started again by the next use.
      if (stdio && !entry.retired) this.log('warn', `MCP server ${label} (stdio, process ${pid ?? '?'}) stopped or broke: it is started again when next needed`, { server: label, pid: pid ?? undefined });
      this.retire(entry);
    });
    // Another activity may have connected meanwhile: keep the first, let this one serve its caller only.
    if (this.closed || this.pooled.has(key)) entry.retired = true;
    else this.pooled.set(key, entry);
    return entry;
  }

  /**
   * Closes the least recently used idle stdio process when the pool runs its maximum, or says it
   * is full. (Processes being started at this moment are not counted: a burst may exceed the
   * bound by the number of servers starting at once.)
   */
  private makeRoomForProcess(): void {
    const running = [...this.open].filter((entry) => entry.connection.isStdio && !entry.closing);
    if (running.length < this.maxStdioProcesses) return;
    const oldestIdle = running.filter((entry) => entry.users === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!oldestIdle) throw new McpPoolFullError(this.maxStdioProcesses);
    this.retire(oldestIdle);
  }

  private retire(entry: Entry): void {
    if (entry.retired) return;
    entry.retired = true;
    if (this.pooled.get(entry.key) === entry) this.pooled.delete(entry.key);
    this.settle(entry);
  }

  /** After a use or a retirement: close a retired connection nobody uses, or start its idle clock. */
  private settle(entry: Entry): void {
    if (entry.users > 0) return;
    if (entry.retired) {
      this.finish(entry);
      return;
    }
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => this.retire(entry), this.idleTimeoutMs);
    // An idle connection must not keep a process alive that has nothing else to do.
    entry.idleTimer.unref();
  }

  private finish(entry: Entry): void {
    clearTimeout(entry.idleTimer);
    entry.closing ??= entry.connection.close().finally(() => this.open.delete(entry));
  }
}

/**
 * The pool key: URL and headers, hashed so that the resolved tokens in the headers are never
 * kept (or printed, in a debugger or a heap dump) as plain text.
 */
/** `oauthLabel`: an OAuth server's connection is its own (its tokens change without a new connection). */
function poolKey(url: string, headers: Record<string, string>, allow: AllowPrivateNetworks, oauthLabel?: string): string {
  const sorted = Object.entries(headers)
    .map(([name, value]): [string, string] => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([url, sorted, allow, oauthLabel ?? null])).digest('hex');
}

/** HTTP statuses after which the legacy HTTP+SSE transport is tried (not 401/403/408/429: those are about the request, not the protocol). */
function isLegacyHint(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

/** A stdio server's key: its program, arguments, environment (hashed, it may hold secrets) and directory. */
function stdioPoolKey(params: StdioParams): string {
  const env = Object.entries(params.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(['stdio', params.command, params.args, env, params.cwd ?? null])).digest('hex');
}

/**
 * A JSON-RPC error the server sent back proves the connection works; anything else (network,
 * HTTP status, timeout, closed connection, an expired session) may mean it does not.
 */
function answeredByServer(error: unknown): boolean {
  // The SDK's own ConnectionClosed and RequestTimeout are SdkErrors (local), not ProtocolErrors.
  return error instanceof ProtocolError;
}

let shared: McpConnectionPool | undefined;

/** The worker's pool, used by createActivities unless it is given one. */
export function sharedMcpConnections(): McpConnectionPool {
  return (shared ??= new McpConnectionPool());
}

/** Closes the shared pool's connections (ending their MCP sessions): call it when the worker stops. */
export async function closeMcpConnections(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
