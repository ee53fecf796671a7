/**
 * One MCP client session (./connections.ts pools them): over Streamable HTTP, with the SDK's
 * HTTP+SSE fallback for a 2024-11-05 server, or with a stdio server's process; the 2025
 * `initialize` handshake (2026-07-28 servers are spoken to by ../2026/).
 */
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
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../../../src/core/destinations';
import { isStdioServer, type ServerConfig } from '../../../src/core/servers';
import { assertDestinationUrl, guardedFetch } from '../../../src/net/destination-guard';
import { countResponses, sessionExpired } from './session-renewal';
import { isSpawnFailure, runtimeLog, StdioSpawnError, stdioParams, stdioTransport, type McpLog, type StdioParams } from './stdio';
import { connectionHeaders, type Env } from '../../secrets';
import { oauthProviderFor } from '../auth';
import { boundedFetch } from './bounded-fetch';

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
  static async open(
    url: string,
    headers: Record<string, string>,
    options: RequestOptions = {},
    allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS,
    authProvider?: AuthProvider,
  ): Promise<McpConnection> {
    // Every request of the connection goes through the destination guard (scheme, ranges, each resolved address).
    assertDestinationUrl(url, allow);
    // An OAuth server's tokens come from the provider (../auth.ts), read again for every request.
    // Answers are bounded (./bounded-fetch.ts): no server's answer can take the worker's memory.
    const transportOptions = { requestInit: { headers }, fetch: boundedFetch(guardedFetch(allow)), ...(authProvider ? { authProvider } : {}) };
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
    // servers are reached by ../2026/direct.ts before a pooled connection is asked for.
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
      if (error instanceof SdkHttpError && error.status === 404 && this.transport.sessionId !== undefined)
        throw sessionExpired(error, this.answered() === answeredBefore);
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
export async function withMcpClient<T>(
  server: ServerConfig,
  env: Env,
  use: UseMcpClient<T>,
  options: RequestOptions = {},
  allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS,
): Promise<T> {
  const connection = isStdioServer(server)
    ? await McpConnection.openStdio(stdioParams(server, env), options)
    : await McpConnection.open(server.url, connectionHeaders(server, env), options, allow, oauthProviderFor(server, env, allow));
  try {
    return await connection.run(use);
  } finally {
    await connection.close();
  }
}

/**
 * HTTP statuses that point to an older protocol: after them the legacy HTTP+SSE transport is
 * tried, and a 2026-07-28 probe means a 2025 server (not 401/403/408/429: those are about the
 * request, not the protocol).
 */
export function isLegacyHint(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

/**
 * A JSON-RPC error the server sent back proves the server answered: the connection works and
 * the revision spoken is the server's. Anything else (network, HTTP status, timeout, closed
 * connection, an expired session) may mean it does not.
 */
export function answeredByServer(error: unknown): boolean {
  // The SDK's own ConnectionClosed and RequestTimeout are SdkErrors (local), not ProtocolErrors.
  return error instanceof ProtocolError;
}
