/** The tools a query can use: the cached catalog while it is younger than the TTL, else a fresh listing. */
import type { ServerConfig } from '../../src/core/servers';
import { catalogTools, isCatalogFresh } from '../../src/core/tools';
import { refreshCatalog } from '../discovery';
import type { QueryRunState } from './run-state';
import { QueryStop } from './stop';

/** Lists tools when the catalog is older than the TTL; returns the servers the query can use. */
export async function ensureCatalog(run: QueryRunState): Promise<ServerConfig[]> {
  const { input } = run;
  const labels = input.servers.map((server) => server.label);
  if (!input.force_refresh && isCatalogFresh(run.catalog, labels, Date.now(), input.cache_ttl_ms)) {
    run.emit('discovery', `using cached tools (${catalogTools(run.catalog).length} tools, younger than the TTL)`);
    return input.servers;
  }
  run.setState('discovering', `listing the tools of ${labels.join(', ')}`);
  const { catalog, servers } = await refreshCatalog(input.servers, run.catalog, input);
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
