/** The carried conversation: default mode, output items as input, and the byte budget (pure functions). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_RETENTION_MS, carriedItem, defaultConversationMode, fitConversation, MAX_CARRIED_BYTES, utf8Bytes } from '../../src/core/conversation';
import { InputItemSchema, OutputItemSchema, type InputItem } from '../../src/core/schemas';

const call = (index: number, output: string): InputItem => ({
  type: 'mcp_call',
  id: `mcp_${index}`,
  server_label: 'db',
  name: 'query',
  arguments: '{}',
  output,
});

describe('conversation mode default', () => {
  it('is stateless without a timeout or past the retention, stored within it', () => {
    assert.equal(defaultConversationMode(undefined), 'stateless');
    assert.equal(defaultConversationMode(API_RETENTION_MS + 1), 'stateless');
    assert.equal(defaultConversationMode(API_RETENTION_MS), 'stored');
    assert.equal(defaultConversationMode(60_000), 'stored');
  });
});

describe('carriedItem', () => {
  it('turns every output item mcpflow sees into an input item the schema accepts', () => {
    const outputs = [
      { type: 'mcp_list_tools', id: 'mcpl_1', server_label: 'w', tools: [{ name: 't', input_schema: { type: 'object' } }] },
      { type: 'mcp_call', id: 'mcp_1', server_label: 'w', name: 't', arguments: '{}', output: 'ok', error: null, status: 'completed' },
      { type: 'mcp_approval_request', id: 'mcpr_1', server_label: 'w', name: 't', arguments: '{}' },
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hi', annotations: [] }] },
    ].map((item) => OutputItemSchema.parse(item));
    for (const output of outputs) {
      const carried = carriedItem(output);
      assert.ok(carried, output.type);
      assert.equal(InputItemSchema.parse(carried).type, output.type);
    }
  });

  it('leaves out reasoning without encrypted content (it would point at a stored item)', () => {
    assert.equal(carriedItem(OutputItemSchema.parse({ type: 'reasoning', id: 'rs_1', summary: [] })), null);
    assert.ok(carriedItem(OutputItemSchema.parse({ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'x' })));
  });
});

describe('fitConversation', () => {
  it('keeps a small conversation as it is', () => {
    const items = [call(1, 'small')];
    const fitted = fitConversation(items);
    assert.deepEqual(fitted.items, items);
    assert.equal(fitted.clipped, 0);
    assert.equal(fitted.bytes, utf8Bytes(JSON.stringify(items)));
  });

  it('clips older tool outputs first, keeps every item, and ends under the budget', () => {
    const big = 'x'.repeat(60_000);
    const items = [{ type: 'message' as const, role: 'user' as const, content: 'q' }, ...Array.from({ length: 20 }, (_, index) => call(index, big))];
    assert.ok(utf8Bytes(JSON.stringify(items)) > MAX_CARRIED_BYTES);
    const fitted = fitConversation(items);
    assert.equal(fitted.items.length, items.length, 'no item dropped');
    assert.ok(fitted.bytes <= MAX_CARRIED_BYTES, `${fitted.bytes} bytes`);
    const last = fitted.items.at(-1);
    assert.ok(last?.type === 'mcp_call' && last.output === big, 'the newest output is kept whole');
    assert.ok(fitted.clipped > 0);
  });

  it('then drops the descriptions of listed tools, and reports what still does not fit', () => {
    const tools = Array.from({ length: 200 }, (_, index) => ({ name: `tool_${index}`, description: 'd'.repeat(3_000), input_schema: { type: 'object' } }));
    const listing: InputItem = { type: 'mcp_list_tools', id: 'mcpl_1', server_label: 'big', tools };
    const fitted = fitConversation([listing, { type: 'message', role: 'user', content: 'q' }]);
    assert.ok(fitted.bytes <= MAX_CARRIED_BYTES, `${fitted.bytes}`);
    const kept = fitted.items[0];
    assert.ok(kept?.type === 'mcp_list_tools' && kept.tools.length === 200 && kept.tools.every((tool) => tool.description === null));
    const huge: InputItem = { type: 'message', role: 'user', content: 'x'.repeat(MAX_CARRIED_BYTES + 1) };
    assert.ok(fitConversation([huge]).bytes > MAX_CARRIED_BYTES, 'the caller is told it does not fit');
  });

  it('counts bytes, not characters', () => {
    assert.equal(utf8Bytes('aé€😀'), 1 + 2 + 3 + 4);
    assert.equal(utf8Bytes('😀'.repeat(3)), Buffer.byteLength('😀'.repeat(3)));
  });
});
