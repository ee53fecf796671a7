/** Upserts of mcpflow's search attributes (declared in src/core/search-attributes.ts). */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';

export { MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT } from '../src/core/search-attributes';

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
