import type { McpListedTool, McpToolConfig } from '../core/schemas';
import { externalConnectorError } from './errors';
import { McpListingError, serverTargetOf, type McpBridge } from './mcp-bridge';
import type { ServerListing, TurnHooks } from './prepared-turn';

/**
 * Lists every server this conversation has not listed yet (the API lists a server once while it
 * stays in context), in `tools` order. Runs before the response starts, so any failure fails the
 * whole request with HTTP 424, streamed or not.
 */
export async function listUnlistedServers(
  mcpTools: Map<string, McpToolConfig>,
  listedServers: Record<string, McpListedTool[]>,
  bridge: McpBridge,
  hooks: TurnHooks,
): Promise<ServerListing[]> {
  const toList = [...mcpTools.values()].filter((tool) => !(tool.server_label in listedServers));
  return Promise.all(
    toList.map(async (tool): Promise<ServerListing> => {
      hooks.onToolListing(tool.server_label);
      try {
        return [tool.server_label, await bridge.listTools(serverTargetOf(tool))];
      } catch (error) {
        if (error instanceof McpListingError) throw externalConnectorError(error.serverLabel, error.detail);
        throw error;
      }
    }),
  );
}

/** A tool the conversation has seen listed on that server. */
export function listedTool(listings: Record<string, McpListedTool[]>, serverLabel: string, toolName: string): McpListedTool | undefined {
  return listings[serverLabel]?.find((candidate) => candidate.name === toolName);
}
