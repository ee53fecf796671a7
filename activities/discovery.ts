/**
 * Tool listing activities beyond listToolsDirect (activities/mcp/index.ts):
 *   - listToolsHosted: one server through a Responses call whose `mcp_list_tools` item is the
 *     listing;
 *   - listAllTools: every server of a discovery in one activity, concurrently (direct: one
 *     `tools/list` per server; hosted: one Responses call with all of them), so that discovering
 *     50 servers costs one activity task instead of 50. It makes one attempt per server and
 *     reports each server's outcome; the workflow lists the servers that failed again on their
 *     own, with their own activity and retry policy, so every retry still shows in history.
 * Approval is forced to "always" for hosted listing calls, so that even a model that decides to
 * call a tool only produces an approval request nobody answers: listing never runs a tool.
 */
import type { ExecutionMode } from '../src/core/defaults';
import { jsonBytes, PAYLOAD_LIMIT_BYTES } from '../src/core/payload-size';
import type { RetrySettings } from '../src/core/retry';
import type { McpListedTool } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import type { createMcpActivities, DirectListResult } from './mcp';
import type { createResponsesActivities } from './responses';
import { mcpflowFailure } from '../src/core/failures';

export interface HostedListInput {
  server: ServerConfig;
  model: string;
  retry: RetrySettings;
  timeout_ms: number;
}

export interface ListAllInput {
  servers: ServerConfig[];
  mode: ExecutionMode;
  model: string;
  retry: RetrySettings;
  timeout_ms: number;
}

/** One server's listing; `tools: null` means the workflow lists this server again on its own. */
export interface ServerListing {
  label: string;
  tools: McpListedTool[] | null;
  /** A 2026-07-28 server's caching hints (direct mode only). */
  ttl_ms?: number;
  cache_scope?: 'public' | 'private';
  /** Why not (the per-server listing that follows reports the error itself, classified and redacted). */
  reason: 'failed' | 'too large' | null;
}

/** Listings beyond this (of the 2 MiB payload limit) are left to per-server activities. */
const LIST_ALL_BUDGET_BYTES = Math.floor(PAYLOAD_LIMIT_BYTES * 0.75);

const listingPrompt = (labels: string) => `List the tools of the MCP server(s) ${labels}.`;

export function createDiscoveryActivities(
  responses: ReturnType<typeof createResponsesActivities>,
  mcp: Pick<ReturnType<typeof createMcpActivities>, 'listToolsDirect'>,
) {
  async function listToolsHosted(input: HostedListInput): Promise<{ tools: McpListedTool[]; attempt: number }> {
    const result = await responses.callResponsesApi({
      model: input.model,
      input: listingPrompt(`"${input.server.label}"`),
      servers: [input.server],
      stream: false,
      tool_choice: 'none',
      tool_overrides: { require_approval: 'always' },
      retry: input.retry,
      timeout_ms: input.timeout_ms,
    });
    const listing = result.output.find((item) => item.type === 'mcp_list_tools' && item.server_label === input.server.label);
    if (!listing || listing.type !== 'mcp_list_tools') {
      throw mcpflowFailure('unknown', `the Responses API returned no mcp_list_tools item for ${input.server.label}`, { retryable: true });
    }
    if (listing.error) {
      throw mcpflowFailure('connection', `listing the tools of ${input.server.label} failed: ${listing.error}`, { retryable: true });
    }
    return { tools: listing.tools, attempt: result.attempt };
  }

  type Listed = Pick<DirectListResult, 'tools' | 'ttl_ms' | 'cache_scope'>;

  /** Each server's tools, or null where it could not be listed. */
  async function listAllHosted(input: ListAllInput): Promise<Map<string, Listed | null>> {
    const outcomes = new Map<string, Listed | null>();
    try {
      const result = await responses.callResponsesApi({
        model: input.model,
        input: listingPrompt(input.servers.map((server) => `"${server.label}"`).join(', ')),
        servers: input.servers,
        stream: false,
        tool_choice: 'none',
        tool_overrides: { require_approval: 'always' },
        retry: input.retry,
        timeout_ms: input.timeout_ms,
      });
      for (const item of result.output) {
        if (item.type === 'mcp_list_tools') outcomes.set(item.server_label, item.error ? null : { tools: item.tools });
      }
    } catch {
      // The API fails the whole call when one server cannot be listed (HTTP 424): each is listed alone then.
    }
    return outcomes;
  }

  async function listAllDirect(input: ListAllInput): Promise<Map<string, Listed | null>> {
    const settled = await Promise.allSettled(input.servers.map((server) => mcp.listToolsDirect({ server, retry: input.retry, timeout_ms: input.timeout_ms })));
    return new Map(settled.map((outcome, index) => [input.servers[index]!.label, outcome.status === 'fulfilled' ? outcome.value : null]));
  }

  async function listAllTools(input: ListAllInput): Promise<{ listings: ServerListing[] }> {
    const outcomes = input.mode === 'direct' ? await listAllDirect(input) : await listAllHosted(input);
    let bytes = 0;
    const listings = input.servers.map((server): ServerListing => {
      const outcome = outcomes.get(server.label);
      if (!outcome) return { label: server.label, tools: null, reason: 'failed' };
      const size = jsonBytes(outcome.tools);
      if (bytes + size > LIST_ALL_BUDGET_BYTES) return { label: server.label, tools: null, reason: 'too large' };
      bytes += size;
      // Only a 2026-07-28 server sends caching hints; other listings keep their shape.
      const hints = {
        ...(outcome.ttl_ms !== undefined && { ttl_ms: outcome.ttl_ms }),
        ...(outcome.cache_scope !== undefined && { cache_scope: outcome.cache_scope }),
      };
      return { label: server.label, tools: outcome.tools, reason: null, ...hints };
    });
    return { listings };
  }

  return { listToolsHosted, listAllTools };
}
