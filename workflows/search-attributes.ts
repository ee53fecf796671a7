/** Typed keys of the custom search attributes (registered by `mcpflow server`, see src/core/search-attributes.ts). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const MCP_SERVERS = defineSearchAttributeKey('McpServers', SearchAttributeType.KEYWORD_LIST);
export const MCP_STATE = defineSearchAttributeKey('McpState', SearchAttributeType.KEYWORD);
export const MCP_TOOL_CALL_COUNT = defineSearchAttributeKey('McpToolCallCount', SearchAttributeType.INT);
