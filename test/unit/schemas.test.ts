import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RECORDED_DIR } from '../helpers/recorded';
import { CreateResponseRequestSchema, describeZodError, McpCallItemSchema, McpToolConfigSchema, ResponseSchema } from '../../src/core/schemas';
import { ResponseStreamEventSchema } from '../../src/core/stream-events';

const recorded = RECORDED_DIR;

describe('schemas accept every recorded exchange', () => {
  for (const file of readdirSync(recorded)) {
    it(file, () => {
      const text = readFileSync(path.join(recorded, file), 'utf8');
      if (file.endsWith('.sse.txt')) {
        const events = text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => JSON.parse(line.slice(6)));
        assert.ok(events.length > 10);
        for (const event of events) ResponseStreamEventSchema.parse(event);
        const completed = events.at(-1);
        assert.equal(completed.type, 'response.completed');
        ResponseSchema.parse(completed.response);
        return;
      }
      const schema = file.includes('-request') ? CreateResponseRequestSchema : ResponseSchema;
      const result = schema.safeParse(JSON.parse(text));
      assert.ok(result.success, result.success ? '' : describeZodError(result.error));
    });
  }
});

describe('schemas reject malformed items and name the field', () => {
  const response = () => JSON.parse(readFileSync(path.join(recorded, 'tool-error.1-response.json'), 'utf8'));

  it('arguments must be a JSON string', () => {
    const bad = response();
    bad.output[1].arguments = { location: 'Paris' };
    const result = ResponseSchema.safeParse(bad);
    assert.equal(result.success, false);
    assert.match(describeZodError(result.error!), /^output\[1\]\.arguments: /);
  });

  it('an unknown mcp_call error variant is refused', () => {
    const result = McpCallItemSchema.safeParse({ type: 'mcp_call', id: 'mcp_1', server_label: 's', name: 't', arguments: '{}', error: { type: 'oops' } });
    assert.equal(result.success, false);
    assert.match(describeZodError(result.error!), /^error/);
  });

  it('accepts each mcp_call.error variant', () => {
    for (const error of [
      { type: 'mcp_protocol_error', code: -32602, message: 'Invalid params' },
      { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: 'boom' }] },
      { type: 'http_error', code: 503, message: 'Service Unavailable' },
    ]) {
      McpCallItemSchema.parse({ type: 'mcp_call', id: 'mcp_1', server_label: 's', name: 't', arguments: '{}', error, approval_request_id: 'mcpr_1' });
    }
  });

  it('tool config takes require_approval and allowed_tools in string, list and filter forms', () => {
    for (const extra of [
      { require_approval: 'always' },
      { require_approval: 'never', allowed_tools: ['query', 'get_schema'] },
      { require_approval: { never: { tool_names: ['get_current_weather'] }, always: { read_only: false } } },
      { allowed_tools: { read_only: true } },
    ]) {
      McpToolConfigSchema.parse({ type: 'mcp', server_label: 'weather', server_url: 'http://127.0.0.1:1/mcp', ...extra });
    }
    const bad = McpToolConfigSchema.safeParse({ type: 'mcp', server_label: 'w', require_approval: 'sometimes' });
    assert.equal(bad.success, false);
    assert.match(describeZodError(bad.error!), /require_approval/);
  });
});
