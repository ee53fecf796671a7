/**
 * Workflows that do nothing but take the shape of a query (test/bench/floor.ts): what the Temporal
 * dev server costs per run for a given number of workflow tasks, activities and search attribute
 * upserts, with no mcpflow code in them.
 */
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { MCP_STATE, MCP_TOOL_CALL_COUNT } from '../../src/core/search-attributes';

const { noop } = proxyActivities<{ noop(): Promise<string> }>({ startToCloseTimeout: '30s' });

export interface FloorShape {
  /** Activity steps: each a number of activities scheduled together. */
  steps: number[];
  /** Search attribute upserts before the first step and after the last. */
  upsertsBefore: number;
  upsertsAfter: number;
}

export async function floorWorkflow(shape: FloorShape): Promise<number> {
  const upsert = (count: number) => {
    for (let index = 0; index < count; index++)
      upsertSearchAttributes(index % 2 ? [{ key: MCP_TOOL_CALL_COUNT, value: index }] : [{ key: MCP_STATE, value: 'running' }]);
  };
  upsert(shape.upsertsBefore);
  let done = 0;
  for (const parallel of shape.steps) done += (await Promise.all(Array.from({ length: parallel }, () => noop()))).length;
  upsert(shape.upsertsAfter);
  return done;
}
