/** StructuredBudget (src/core/structured-budget.ts): a run's call records keep structured content up to the budget, then a note. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RUN_STRUCTURED_BYTES, StructuredBudget } from '../../src/core/structured-budget';

describe('StructuredBudget', () => {
  it('keeps structured content while the run has room, then leaves it out with a note (keeping an earlier error)', () => {
    const budget = new StructuredBudget();
    const big = { text: 'x'.repeat(MAX_RUN_STRUCTURED_BYTES / 2) };
    assert.deepEqual(budget.keep({ structured_content: big }), { structured_content: big });
    assert.deepEqual(budget.keep({}), {}, 'no content, nothing spent');
    const left = budget.keep({ structured_content: big, structured_content_error: 'does not match the output schema' });
    assert.equal(left.structured_content, undefined);
    assert.match(
      left.structured_content_error ?? '',
      /^does not match the output schema; structuredContent left out: the run's records already hold \d+ bytes/,
    );
    assert.deepEqual(budget.keep({ structured_content: { small: 1 } }), { structured_content: { small: 1 } }, 'what still fits is kept');
  });
});
