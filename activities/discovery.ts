/**
 * Tool listing in hosted mode: a Responses call whose `mcp_list_tools` item is the listing.
 * Approval is forced to "always" for this call, so that even a model that decides to call a
 * tool only produces an approval request nobody answers: listing never runs a tool.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RetrySettings } from '../src/core/retry';
import type { McpListedTool } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import type { createResponsesActivities } from './responses';

export interface HostedListInput {
  server: ServerConfig;
  model: string;
  retry: RetrySettings;
  timeout_ms: number;
}

export function createHostedDiscoveryActivities(responses: ReturnType<typeof createResponsesActivities>) {
  async function listToolsHosted(input: HostedListInput): Promise<{ tools: McpListedTool[]; attempt: number }> {
    const result = await responses.callResponsesApi({
      model: input.model,
      input: `List the tools of the MCP server "${input.server.label}".`,
      servers: [input.server],
      stream: false,
      tool_choice: 'none',
      tool_overrides: { require_approval: 'always' },
      retry: input.retry,
      timeout_ms: input.timeout_ms,
    });
    const listing = result.output.find((item) => item.type === 'mcp_list_tools' && item.server_label === input.server.label);
    if (!listing || listing.type !== 'mcp_list_tools') {
      throw ApplicationFailure.create({ type: 'unknown', message: `the Responses API returned no mcp_list_tools item for ${input.server.label}` });
    }
    if (listing.error) {
      throw ApplicationFailure.create({ type: 'connection', message: `listing the tools of ${input.server.label} failed: ${listing.error}` });
    }
    return { tools: listing.tools, attempt: result.attempt };
  }
  return { listToolsHosted };
}
