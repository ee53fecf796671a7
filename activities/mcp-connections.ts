/**
 * MCP connections kept open between activities. Opening one costs a round trip (`initialize`),
 * a notification (`notifications/initialized`) and, on a stateful server, a session; a worker
 * that calls the same server again and again reuses one connection per server URL and headers.
 *
 * A connection that failed (transport error, timeout, a session the server no longer knows) is
 * dropped at once and closed when its last user is done: the failing activity throws as before
 * and Temporal's retry opens a new connection. Nothing is retried here. Idle connections close
 * after a minute; `close()` ends them all when the worker stops.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../src/core/destinations';
import type { ServerConfig } from '../src/core/servers';
import { assertDestinationUrl, guardedFetch } from '../src/net/destination-guard';
import { McpSessionExpiredError } from './errors';
import { connectionHeaders, type Env } from './secrets';

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Ending a session is a courtesy: a server that does not answer must not hold up a worker's shutdown. */
const TERMINATE_TIMEOUT_MS = 2_000;

export type UseMcpClient<T> = (client: Client) => Promise<T>;

/** One MCP client session over Streamable HTTP. */
export class McpConnection {
  private constructor(
    readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
  ) {}

  /** Connects (initialize + initialized); `options` bound that handshake (signal, timeout). */
  static async open(url: string, headers: Record<string, string>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): Promise<McpConnection> {
    // Every request of the connection goes through the destination guard (scheme, ranges, each resolved address).
    assertDestinationUrl(url, allow);
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: guardedFetch(allow) });
    const client = new Client({ name: 'mcpflow', version: '0.1.0' });
    try {
      await client.connect(transport, options);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return new McpConnection(client, transport);
  }

  /** Calls `broken` when the transport reports an error or closes on its own (e.g. its SSE stream died). */
  onBroken(broken: () => void): void {
    this.client.onerror = broken;
    this.client.onclose = broken;
  }

  async run<T>(use: UseMcpClient<T>): Promise<T> {
    try {
      return await use(this.client);
    } catch (error) {
      if (error instanceof StreamableHTTPError && error.code === 404 && this.transport.sessionId !== undefined) throw new McpSessionExpiredError(error);
      throw error;
    }
  }

  /** Ends the session on a stateful server (stateless ones answer 405, which the SDK accepts), then the client. */
  async close(): Promise<void> {
    if (this.transport.sessionId) {
      const giveUp = new AbortController();
      await Promise.race([this.transport.terminateSession(), sleep(TERMINATE_TIMEOUT_MS, undefined, { signal: giveUp.signal })]).catch(() => undefined);
      giveUp.abort();
    }
    await this.client.close().catch(() => undefined);
  }
}

/** A connection opened for one use and closed after it: what every call did before the pool. */
export async function withMcpClient<T>(server: ServerConfig, env: Env, use: UseMcpClient<T>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): Promise<T> {
  const connection = await McpConnection.open(server.url, connectionHeaders(server, env), options, allow);
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
}

export class McpConnectionPool {
  private readonly pooled = new Map<string, Entry>();
  /** Every open entry, pooled or not, so that close() reaches connections still in use. */
  private readonly open = new Set<Entry>();
  private closed = false;

  constructor(private readonly idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS) {}

  /** Connections ready for reuse. */
  get size(): number {
    return this.pooled.size;
  }

  /** Like withMcpClient, on a pooled connection; `options` bound the handshake when one is opened. */
  async use<T>(server: ServerConfig, env: Env, use: UseMcpClient<T>, options: RequestOptions = {}, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): Promise<T> {
    const headers = connectionHeaders(server, env);
    const key = poolKey(server.url, headers, allow);
    const entry = this.pooled.get(key) ?? (await this.connect(key, server.url, headers, options, allow));
    entry.users++;
    clearTimeout(entry.idleTimer);
    try {
      return await entry.connection.run(use);
    } catch (error) {
      if (!answeredByServer(error)) this.retire(entry);
      throw error;
    } finally {
      entry.users--;
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

  private async connect(key: string, url: string, headers: Record<string, string>, options: RequestOptions, allow: AllowPrivateNetworks): Promise<Entry> {
    const entry: Entry = { key, connection: await McpConnection.open(url, headers, options, allow), users: 0, retired: false };
    this.open.add(entry);
    entry.connection.onBroken(() => this.retire(entry));
    // Another activity may have connected meanwhile: keep the first, let this one serve its caller only.
    if (this.closed || this.pooled.has(key)) entry.retired = true;
    else this.pooled.set(key, entry);
    return entry;
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
function poolKey(url: string, headers: Record<string, string>, allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS): string {
  const sorted = Object.entries(headers)
    .map(([name, value]): [string, string] => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([url, sorted, allow])).digest('hex');
}

/**
 * A JSON-RPC error the server sent back proves the connection works; anything else (network,
 * HTTP status, timeout, closed connection, an expired session) may mean it does not.
 */
function answeredByServer(error: unknown): boolean {
  return error instanceof McpError && error.code !== ErrorCode.ConnectionClosed && error.code !== ErrorCode.RequestTimeout;
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
