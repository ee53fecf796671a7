/**
 * discoverTools: every server listed in one activity (listAllTools, concurrently inside it),
 * then each server that failed there listed again by an activity of its own, with the retry
 * policy (runs recorded before this listed every server with its own activity). A failing
 * server does not hide the others: each gets its own status and classified error, and keeps
 * its last known tools, marked stale. The new catalog is compared with the previous one (added,
 * removed, changed).
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ServerListing } from '../activities/discovery';
import type { DirectListResult } from '../activities/mcp';
import type { ExecutionMode } from '../src/core/defaults';
import { heartbeatTimeoutFor } from '../src/core/timing';
import type { RetrySettings } from '../src/core/retry';
import { activityRetryPolicy } from '../src/core/retry';
import { isToolAllowed, type ServerConfig } from '../src/core/servers';
import { listedServerCatalog } from '../src/core/parser';
import { diffCatalogs, discoveredToolFromListed, EMPTY_CATALOG, type Catalog, type ServerCatalog } from '../src/core/tools';
import { describeFailure } from './failures';
import { parseInput } from './input';
import { DiscoveryInputSchema, type DiscoveryInput, type DiscoveryResult } from './messages';
import { LIST_ALL_AT_ONCE } from './patches';

export interface ListingOptions {
  mode: ExecutionMode;
  model: string;
  retry: RetrySettings;
  call_timeout_ms: number;
}

export async function discoverTools(rawInput: DiscoveryInput): Promise<DiscoveryResult> {
  const input = parseInput(DiscoveryInputSchema, rawInput, 'discoverTools');
  const previous = input.previous_catalog ?? EMPTY_CATALOG;
  const refreshed = await refreshCatalog(input.servers, previous, input);
  return { ...refreshed, diff: diffCatalogs(previous, refreshed.catalog), discovered_at: new Date().toISOString() };
}

/**
 * Lists every server again; shared by discoverTools, runQuery and mcpSession. `atOnce: false`
 * where one call for all servers is known to fail (hosted, after the API could not list one).
 */
export async function refreshCatalog(servers: readonly ServerConfig[], previous: Catalog, options: ListingOptions, { atOnce = true } = {}) {
  const listed =
    atOnce && servers.length > 1 && patched(LIST_ALL_AT_ONCE)
      ? await listAllAtOnce(servers, previous, options)
      : await Promise.all(servers.map((server) => listServer(server, previous.servers[server.label], options)));
  const catalog: Catalog = { servers: {} };
  for (const { entry } of listed) catalog.servers[entry.server_label] = entry;
  return {
    catalog,
    servers: listed.map(({ entry, attempts }) => ({
      label: entry.server_label,
      status: entry.status,
      tool_count: entry.tools.length,
      attempts,
      error: entry.error,
    })),
  };
}

/** Direct listings beat while they wait on the servers (a lost worker is noticed in seconds); hosted ones do not beat. */
function listingHeartbeat(options: ListingOptions): { heartbeatTimeout?: number } {
  return options.mode === 'direct' ? { heartbeatTimeout: heartbeatTimeoutFor(options.call_timeout_ms) } : {};
}

/** One activity for all servers; those it could not list get an activity (and retries) of their own. */
async function listAllAtOnce(servers: readonly ServerConfig[], previous: Catalog, options: ListingOptions) {
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: options.call_timeout_ms,
    ...listingHeartbeat(options),
    // No retry of the whole: a server that failed is retried on its own just below.
    retry: { ...activityRetryPolicy(options.retry), maximumAttempts: 1 },
    summary: `List the tools of ${servers.length} servers at once (${options.mode} mode)`,
  });
  const listed = new Map<string, ServerListing>();
  try {
    const { listings } = await activities.listAllTools({
      servers: [...servers],
      mode: options.mode,
      model: options.model,
      retry: options.retry,
      timeout_ms: options.call_timeout_ms,
    });
    for (const listing of listings) if (listing.tools) listed.set(listing.label, listing);
  } catch {
    // Every server is listed on its own below.
  }
  return Promise.all(
    servers.map((server) => {
      const listing = listed.get(server.label);
      return listing?.tools
        ? { entry: listedEntry(server, { ...listing, tools: listing.tools }), attempts: 1 }
        : listServer(server, previous.servers[server.label], options);
    }),
  );
}

function listedEntry(server: ServerConfig, listed: Pick<DirectListResult, 'tools' | 'ttl_ms' | 'cache_scope'>): ServerCatalog {
  // The API applies allowed_tools itself; a direct listing is filtered the same way here.
  const allowed = listed.tools.map((tool) => discoveredToolFromListed(tool, server.label)).filter((tool) => isToolAllowed(server, tool.name, tool.read_only));
  const entry = listedServerCatalog(server.label, allowed, new Date().toISOString());
  // Only a 2026-07-28 server sends caching hints; other entries keep their shape.
  if (listed.ttl_ms !== undefined) entry.ttl_ms = listed.ttl_ms;
  if (listed.cache_scope !== undefined) entry.cache_scope = listed.cache_scope;
  return entry;
}

async function listServer(server: ServerConfig, cached: ServerCatalog | undefined, options: ListingOptions) {
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: options.call_timeout_ms,
    ...listingHeartbeat(options),
    retry: activityRetryPolicy(options.retry),
    summary: `List the tools of ${server.label} (${options.mode} mode)`,
  });
  try {
    // Hosted listings carry no caching hints: the same shape, without them.
    const listed: DirectListResult =
      options.mode === 'direct'
        ? await activities.listToolsDirect({ server, retry: options.retry, timeout_ms: options.call_timeout_ms })
        : await activities.listToolsHosted({ server, model: options.model, retry: options.retry, timeout_ms: options.call_timeout_ms });
    return { entry: listedEntry(server, listed), attempts: listed.attempt };
  } catch (failure) {
    const { error, attempts } = describeFailure(failure);
    const entry: ServerCatalog = {
      server_label: server.label,
      status: 'error',
      // Keep the last good listing, marked stale: the catalog still shows what the server offered.
      tools: cached?.tools ?? [],
      fetched_at: cached?.fetched_at ?? null,
      stale: (cached?.tools.length ?? 0) > 0,
      error,
    };
    return { entry, attempts };
  }
}
