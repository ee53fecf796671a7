/** MCPFLOW_HEAP_GROWING_PERCENT (src/worker/heap.ts): the default, V8's own, and a clear error for anything else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from '../../src/worker/heap';

describe('heap growth of the worker process', () => {
  it('defaults to 20%, takes a whole number, 0 leaves V8 alone', () => {
    assert.equal(heapGrowingPercent({}), DEFAULT_HEAP_GROWING_PERCENT);
    assert.equal(heapGrowingPercent({ MCPFLOW_HEAP_GROWING_PERCENT: ' ' }), DEFAULT_HEAP_GROWING_PERCENT);
    assert.equal(heapGrowingPercent({ MCPFLOW_HEAP_GROWING_PERCENT: '50' }), 50);
    assert.equal(heapGrowingPercent({ MCPFLOW_HEAP_GROWING_PERCENT: '0' }), 0);
  });

  it('refuses what is not a whole percentage, naming the variable and the fix', () => {
    for (const value of ['abc', '-5', '12.5', '100000']) {
      assert.throws(
        () => heapGrowingPercent({ MCPFLOW_HEAP_GROWING_PERCENT: value }),
        /MCPFLOW_HEAP_GROWING_PERCENT: ".*" is not a whole number from 0 to 1000; use e\.g\. 20/,
      );
    }
  });
});
