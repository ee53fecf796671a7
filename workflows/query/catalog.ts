/**
 * The tools a query can use. Hosted mode lists them in the query's own first Responses call
 * (the API lists every server of a conversation anyway), so a fresh query costs no extra model
 * call per server; only when that call cannot list a server does the run list each server on
 * its own, to go on with those that work. Direct mode lists with `tools/list` (no tokens).
 */
import { patched } from '@temporalio/workflow';
import type { ServerConfig } from '../../src/core/servers';
import { catalogTools, isCatalogFresh } from '../../src/core/tools';
import { refreshCatalog } from '../discovery';
import { LISTING_IN_FIRST_TURN } from '../patches';
import type { QueryRunState } from './run-state';
import { QueryStop } from './stop';

export interface QueryServers {
  servers: ServerConfig[];
  /** The first model turn is the listing: a server it cannot list sends the run back to `discover`. */
  listInFirstTurn: boolean;
}

export async function serversForQuery(run: QueryRunState): Promise<QueryServers> {
  const { input } = run;
  const labels = input.servers.map((server) => server.label);
  if (!input.force_refresh && isCatalogFresh(run.catalog, labels, Date.now(), input.cache_ttl_ms)) {
    run.emit('discovery', `using cached tools (${catalogTools(run.catalog).length} tools, younger than the TTL)`);
    return { servers: input.servers, listInFirstTurn: false };
  }
  if (input.mode === 'hosted' && patched(LISTING_IN_FIRST_TURN)) return { servers: input.servers, listInFirstTurn: true };
  return { servers: await discover(run), listInFirstTurn: false };
}

/** Lists every server on its own; returns those that could be listed. */
export async function discover(run: QueryRunState): Promise<ServerConfig[]> {
  const { input } = run;
  run.setState('discovering', `listing the tools of ${input.servers.map((server) => server.label).join(', ')}`);
  // Hosted mode lists here only after its first turn could not list a server: one call for all would fail the same way.
  const { catalog, servers } = await refreshCatalog(input.servers, run.catalog, input, { atOnce: input.mode === 'direct' });
  run.catalog = catalog;
  for (const server of servers) {
    run.countAttempts(server.attempts);
    if (server.error) {
      run.errors.push(server.error);
      const cached = catalog.servers[server.label]?.stale ? ' (keeping its cached tools, marked stale)' : '';
      run.emit('error', `${server.label} could not be listed: ${server.error.message}${cached}; answering without it`);
    } else {
      run.emit('discovery', `${server.label}: ${server.tool_count} tools`);
    }
  }
  const usable = input.servers.filter((server) => catalog.servers[server.label]?.status === 'ok');
  if (!usable.length) {
    const first = servers.find((server) => server.error)?.error ?? undefined;
    throw new QueryStop(`no MCP server could be listed${first ? `: ${first.message}` : ''}`, first);
  }
  return usable;
}
