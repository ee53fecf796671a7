/** Byte budgets count what Temporal counts: UTF-8 bytes of the serialized JSON. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipAllToBytes, clipCallOutputs, clipToBytes, jsonBytes, jsonTextBytes, MAX_TOOL_OUTPUT_BYTES, OutputBudget } from '../../src/core/payload-size';

const SAMPLES = ['plain', '\u0001'.repeat(10), 'é€😀', '"\\\n\t', '\ud800 lone', ''];

describe('payload sizes', () => {
  it('jsonBytes and jsonTextBytes equal the UTF-8 length of JSON.stringify', () => {
    for (const text of SAMPLES) {
      assert.equal(jsonBytes(text), Buffer.byteLength(JSON.stringify(text)), JSON.stringify(text));
      assert.equal(jsonTextBytes(text), Buffer.byteLength(JSON.stringify(text)) - 2, JSON.stringify(text));
    }
    assert.equal(jsonBytes({ a: [1, '\u0002'] }), Buffer.byteLength(JSON.stringify({ a: [1, '\u0002'] })));
  });

  it('clipToBytes fits the budget with its note, and never splits a surrogate pair', () => {
    const control = '\u0001'.repeat(64_000);
    const clipped = clipToBytes(control, MAX_TOOL_OUTPUT_BYTES);
    assert.ok(jsonTextBytes(clipped) <= MAX_TOOL_OUTPUT_BYTES);
    assert.match(clipped, /\[mcpflow: cut to 64000 of 384000 bytes\]$/);
    const emoji = clipToBytes('😀'.repeat(100), 101);
    assert.ok(jsonTextBytes(emoji) <= 101);
    assert.doesNotMatch(emoji.replace(/😀/g, ''), /[\ud800-\udfff]/);
    assert.equal(clipToBytes('short', 100), 'short');
  });

  it('clipAllToBytes keeps small texts whole and shares the rest', () => {
    const [small, big1, big2] = clipAllToBytes(['tiny', 'a'.repeat(10_000), 'b'.repeat(10_000)], 8_000, 10_000);
    assert.equal(small, 'tiny');
    assert.ok(jsonTextBytes(big1!) + jsonTextBytes(big2!) + 4 <= 10_000);
  });

  it('clipCallOutputs keeps one turn of six control-character floods far below 2 MiB', () => {
    const items = Array.from({ length: 6 }, (_, i) => ({ type: 'mcp_call', id: `c${i}`, output: '\u0001'.repeat(64_000) }));
    const clipped = clipCallOutputs([{ type: 'message', output: undefined }, ...items]);
    assert.ok(jsonBytes(clipped) < 512 * 1024, `${jsonBytes(clipped)} bytes`);
    assert.equal(clipped[0]!.type, 'message');
  });

  it('an OutputBudget cuts later outputs hard once spent', () => {
    const budget = new OutputBudget(100_000, 1_000);
    const kept = Array.from({ length: 10 }, () => budget.keep('x'.repeat(50_000)));
    assert.ok(jsonBytes(kept) < 100_000 + 10 * 1_000 + 100);
  });
});
