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
import type { RequestOptions } from '@modelcontextprotocol/client';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../../../src/core/destinations';
import { isStdioServer, type ServerConfig } from '../../../src/core/servers';
import { answeredByServer, McpConnection, type UseMcpClient } from './connection';
import { renewingLostSession } from './session-renewal';
import { runtimeLog, stdioParams, type McpLog, type StdioParams } from './stdio';
import { connectionHeaders, type Env } from '../../secrets';
import { oauthProviderFor } from '../auth';
import { McpflowError } from '../../../src/core/mcpflow-error';

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** stdio server processes one worker keeps at once. */
export const DEFAULT_MAX_STDIO_PROCESSES = 16;

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
export class McpPoolFullError extends McpflowError {
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
  use<T>(
    server: ServerConfig,
    env: Env,
    use: UseMcpClient<T>,
    options: RequestOptions = {},
    allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS,
  ): Promise<T> {
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
      if (stdio && !entry.retired)
        this.log('warn', `MCP server ${label} (stdio, process ${pid ?? '?'}) stopped or broke: it is started again when next needed`, {
          server: label,
          pid: pid ?? undefined,
        });
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
 * kept (or printed, in a debugger or a heap dump) as plain text. `oauthLabel`: an OAuth server's
 * connection is its own (its tokens change without a new connection).
 */
function poolKey(url: string, headers: Record<string, string>, allow: AllowPrivateNetworks, oauthLabel?: string): string {
  const sorted = Object.entries(headers)
    .map(([name, value]): [string, string] => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([url, sorted, allow, oauthLabel ?? null]))
    .digest('hex');
}

/** A stdio server's key: its program, arguments, environment (hashed, it may hold secrets) and directory. */
function stdioPoolKey(params: StdioParams): string {
  const env = Object.entries(params.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(['stdio', params.command, params.args, env, params.cwd ?? null]))
    .digest('hex');
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
