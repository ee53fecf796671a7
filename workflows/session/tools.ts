/**
 * A session's servers, their tool catalog (reused while younger than the TTL) and the standing
 * approvals, which last only while the approved tool's definition stays the same.
 */
import type { ServerConfig } from '../../src/core/servers';
import { catalogTools, diffCatalogs, EMPTY_CATALOG, findTool, isCatalogFresh, type Catalog, type CatalogDiff } from '../../src/core/tools';
import { refreshCatalog, type ListingOptions } from '../discovery';
import type { SessionCarry, StandingApproval } from '../messages';
import { mcpflowFailure } from '../../src/core/failures';

export class SessionTools {
  readonly servers = new Map<string, ServerConfig>();
  catalog: Catalog;
  standingApprovals: StandingApproval[];

  constructor(servers: readonly ServerConfig[], carried: SessionCarry | undefined) {
    for (const server of servers) this.servers.set(server.label, server);
    this.catalog = carried?.catalog ?? EMPTY_CATALOG;
    this.standingApprovals = carried?.standing_approvals ?? [];
  }

  labels(): string[] {
    return [...this.servers.keys()];
  }

  toolCount(): number {
    return catalogTools(this.catalog).length;
  }

  /** A new or changed server has no trustworthy listing yet, and nothing on it is trusted yet. */
  addServer(server: ServerConfig) {
    this.servers.set(server.label, server);
    this.forget(server.label);
  }

  removeServer(label: string) {
    this.servers.delete(label);
    this.forget(label);
  }

  isFresh(ttlMs: number): boolean {
    return isCatalogFresh(this.catalog, this.labels(), Date.now(), ttlMs);
  }

  /** Lists every server again; a tool whose definition changed (or vanished) loses its standing approval. */
  async refresh(options: ListingOptions) {
    const previous = this.catalog;
    const refreshed = await refreshCatalog([...this.servers.values()], previous, options);
    const diff: CatalogDiff = diffCatalogs(previous, refreshed.catalog);
    this.catalog = refreshed.catalog;
    const touched = new Set([...diff.changed, ...diff.removed].map((tool) => `${tool.server_label}/${tool.name}`));
    const invalidated = this.standingApprovals.filter((approval) => touched.has(`${approval.server}/${approval.tool}`));
    this.standingApprovals = this.standingApprovals.filter((approval) => !invalidated.includes(approval));
    return { ...refreshed, diff, invalidated };
  }

  /** With `ttlMs`, it expires then (workflows/query/approvals.ts asks the person again after). */
  remember(server: string, tool: string, ttlMs?: number): StandingApproval[] {
    const found = findTool(this.catalog, tool, server);
    if (!found) throw mcpflowFailure('tool_not_found', `${server} has no tool ${tool} in the catalog`, { retryable: true });
    this.standingApprovals = [
      ...this.standingApprovals.filter((approval) => !(approval.server === server && approval.tool === tool)),
      { server, tool, definition_hash: found.definition_hash, ...(ttlMs ? { expires_at: new Date(Date.now() + ttlMs).toISOString() } : {}) },
    ];
    return this.standingApprovals;
  }

  /**
   * The servers whose listing worked: the session has just refreshed, so a child need not list
   * (and retry) an unreachable one again. None worked: all of them, and the child says why.
   */
  listedServers(): ServerConfig[] {
    const all = [...this.servers.values()];
    const listed = all.filter((server) => this.catalog.servers[server.label]?.status === 'ok');
    return listed.length ? listed : all;
  }

  /** When the oldest listing was made. */
  fetchedAt(): string | null {
    return (
      Object.values(this.catalog.servers)
        .map((server) => server.fetched_at ?? '')
        .sort()[0] || null
    );
  }

  private forget(label: string) {
    const { [label]: _dropped, ...rest } = this.catalog.servers;
    this.catalog = { servers: rest };
    this.standingApprovals = this.standingApprovals.filter((approval) => approval.server !== label);
  }
}
