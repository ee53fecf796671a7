/**
 * Custom search attributes every mcpflow workflow sets, so that runs can be listed and
 * counted across a cluster (`mcpflow server` and the test dev server register them at start).
 */
export const SEARCH_ATTRIBUTES = {
  McpServers: 'KEYWORD_LIST',
  McpState: 'KEYWORD',
  McpToolCallCount: 'INT',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** The `--search-attribute name=Type` values understood by `temporal server start-dev`. */
export const DEV_SERVER_SEARCH_ATTRIBUTE_TYPES: Record<SearchAttributeName, string> = {
  McpServers: 'KeywordList',
  McpState: 'Keyword',
  McpToolCallCount: 'Int',
};
