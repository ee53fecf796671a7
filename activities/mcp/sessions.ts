/** Opens the McpSession (./session.ts) of each server: 2026-07-28 when it speaks it, else the 2025 pool. */
import type { AllowPrivateNetworks } from '../../src/core/destinations';
import type { ServerConfig } from '../../src/core/servers';
import type { Env } from '../secrets';
import type { McpConnectionPool } from './2025/connections';
import { PoolSession } from './2025/session';
import { Modern } from './2026/direct';
import type { ProtocolMemory } from './2026/negotiate';
import { Session2026 } from './2026/session';
import type { McpSession, SessionRequestOptions } from './session';

export interface McpSessionDeps {
  env: Env;
  connections: McpConnectionPool;
  allow: AllowPrivateNetworks;
  protocols: ProtocolMemory;
}

/** Opens the right session per server; shared by one worker's MCP activities. */
export class McpSessions {
  private readonly modern: Modern;

  constructor(private readonly deps: McpSessionDeps) {
    this.modern = new Modern(deps.protocols, deps.env, deps.allow);
  }

  /** `options` bound the revision probe and every request of the session (the activity's deadline). */
  async open(server: ServerConfig, options: SessionRequestOptions): Promise<McpSession> {
    const client = await this.modern.clientFor(server, options);
    if (client) return new Session2026(client, this.modern, options);
    return new PoolSession(server, this.deps, options);
  }

  /** After a failed request: the next attempt asks the server which revision it speaks again. */
  forget(server: ServerConfig): void {
    this.modern.forget(server);
  }
}
