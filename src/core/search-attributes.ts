/**
 * Custom search attributes every mcpflow workflow sets, so that runs can be listed and
 * counted across a cluster (`mcpflow server` and the test dev server register them at start).
 * The typed keys are the one declaration; names and types for registration derive from them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const MCP_SERVERS = defineSearchAttributeKey('McpServers', SearchAttributeType.KEYWORD_LIST);
export const MCP_STATE = defineSearchAttributeKey('McpState', SearchAttributeType.KEYWORD);
export const MCP_TOOL_CALL_COUNT = defineSearchAttributeKey('McpToolCallCount', SearchAttributeType.INT);
/** Set on a batch (runBatch) and on each of its lines' runs: `McpBatchId = '<id>'` lists a batch's runs. */
export const MCP_BATCH_ID = defineSearchAttributeKey('McpBatchId', SearchAttributeType.KEYWORD);

const KEYS = [MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT, MCP_BATCH_ID];

/** Name → Temporal's type name (KEYWORD_LIST, KEYWORD, INT). */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(KEYS.map((key) => [key.name, key.type]));

/** The `--search-attribute name=Type` values understood by `temporal server start-dev`. */
const DEV_SERVER_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
};
export const DEV_SERVER_SEARCH_ATTRIBUTE_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  KEYS.map((key) => [key.name, DEV_SERVER_TYPE_NAMES[key.type]!]),
);
