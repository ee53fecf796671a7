/**
 * The 2026-07-28 side of direct mode: which servers get the revision's client (HTTP servers that
 * answer `server/discover`), with the destination guard, the configured headers and an OAuth
 * server's token, and the output schemas their listings named, per worker.
 */
import type { AllowPrivateNetworks } from '../../../src/core/destinations';
import { isStdioServer, type ServerConfig } from '../../../src/core/servers';
import { assertDestinationUrl, guardedFetch } from '../../../src/net/destination-guard';
import { oauthProviderFor } from '../auth';
import { connectionHeaders, type Env } from '../../secrets';
import { Mcp2026Client, type RequestOptions } from './client';
import type { ProtocolMemory } from './negotiate';

type Schema = Record<string, unknown>;

export class Modern {
  /** URL → tool → output schema, from the latest 2026 listing this worker made. */
  private readonly outputSchemas = new Map<string, Map<string, Schema>>();

  constructor(
    private readonly memory: ProtocolMemory,
    private readonly env: Env,
    private readonly allow: AllowPrivateNetworks,
  ) {}

  /** A 2026-07-28 client for the server, or undefined when it is a stdio or a 2025 (SDK) server. */
  async clientFor(server: ServerConfig, options: RequestOptions): Promise<Mcp2026Client | undefined> {
    // A server known to speak 2025 costs no 2026 client (built per call otherwise, and dropped).
    if (isStdioServer(server) || this.memory.get(server.url)?.era === 'legacy') return undefined;
    assertDestinationUrl(server.url, this.allow);
    const client = new Mcp2026Client(server.url, {
      headers: connectionHeaders(server, this.env),
      fetch: guardedFetch(this.allow),
      // An OAuth server's token (from the token store, refreshed when due) on every request, the probe included.
      authProvider: oauthProviderFor(server, this.env, this.allow),
    });
    const { era } = await this.memory.negotiate(server.url, client, options);
    return era === 'modern' ? client : undefined;
  }

  /** After a failed request: the next attempt asks the server which revision it speaks again. */
  forget(server: ServerConfig): void {
    if (!isStdioServer(server)) this.memory.forget(server.url);
  }

  rememberOutputSchemas(url: string, schemas: Record<string, Schema>): void {
    this.outputSchemas.set(url, new Map(Object.entries(schemas)));
  }

  outputSchemaOf(url: string, tool: string): Schema | undefined {
    return this.outputSchemas.get(url)?.get(tool);
  }
}
