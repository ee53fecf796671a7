/** Typed keys of the custom search attributes (registered by `mcpflow server`, see src/core/search-attributes.ts). */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';

export const MCP_SERVERS = defineSearchAttributeKey('McpServers', SearchAttributeType.KEYWORD_LIST);
export const MCP_STATE = defineSearchAttributeKey('McpState', SearchAttributeType.KEYWORD);
export const MCP_TOOL_CALL_COUNT = defineSearchAttributeKey('McpToolCallCount', SearchAttributeType.INT);

/**
 * Upserts when the namespace has mcpflow's search attributes. Upserting an attribute the
 * namespace does not know fails every workflow task, so clients check first and say so in the
 * input (`search_attributes: false` on a cluster where nobody created them).
 */
export function searchAttributeWriter(enabled: boolean) {
  return (updates: SearchAttributeUpdatePair[]): void => {
    if (enabled) upsertSearchAttributes(updates);
  };
}
