/**
 * `structuredContent` of direct calls, on real components (dev server, emulator, a stdio MCP
 * server): kept in the call record, checked against the tool's outputSchema (a mismatch is
 * recorded, not fatal), the text still goes to the model, big content stays out of the record.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import { MAX_STRUCTURED_CONTENT_BYTES, structuredOutcome } from '../../activities/mcp/structured';
import { CallRecordSchema } from '../../src/core/records';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { runQuery } from '../../workflows/query';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const SERVER = path.join(__dirname, 'fixtures', 'structured-stdio-server.ts');
const retry = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

describe('structuredOutcome (pure)', () => {
  it('redacts secrets, checks the schema, leaves out what is too big', () => {
    assert.deepEqual(structuredOutcome({ token: 'the-secret-value' }, undefined, ['the-secret-value']), { structured_content: { token: '***' } });
    const mismatch = structuredOutcome({ count: 'x' }, { type: 'object', properties: { count: { type: 'integer' } } }, []);
    assert.deepEqual(mismatch.structured_content, { count: 'x' });
    assert.match(mismatch.structured_content_error ?? '', /does not match the tool's outputSchema: Invalid type for count: expected integer/);
    const big = structuredOutcome({ text: 'x'.repeat(MAX_STRUCTURED_CONTENT_BYTES) }, undefined, []);
    assert.equal(big.structured_content, undefined);
    assert.match(big.structured_content_error ?? '', /left out of the record/);
    assert.deepEqual(structuredOutcome(undefined, undefined, []), {});
    assert.match(structuredOutcome([1, 2], undefined, []).structured_content_error ?? '', /not a JSON object/);
  });
});

describe('structuredContent in direct mode', () => {
  const stack = useOfflineStack();
  const pool = new McpConnectionPool(undefined, { log: () => undefined });
  after(() => pool.close());

  it('is kept in the record and checked; the model still reads the text', async () => {
    const taskQueue = uniqueTaskQueue('structured');
    await withWorker(
      {
        taskQueue,
        activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env: {}, mcpConnections: pool }),
      },
      async (env) => {
        const calls = ['count_ok', 'count_bad', 'only_structured', 'huge'].map((tool) => ({ tool: `structured__${tool}` }));
        const result = await env.client.workflow.execute(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('structured'),
          args: [
            {
              query: 'Count the apples',
              mode: 'direct',
              servers: [{ label: 'structured', command: process.execPath, args: ['--import', 'tsx', SERVER], require_approval: 'never', inline: true }],
              retry,
              metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls }) },
            },
          ],
        });
        assert.equal(result.success, true, result.error ?? '');
        const byTool = Object.fromEntries(result.tool_calls.map((call) => [call.tool, CallRecordSchema.parse(call)]));
        assert.deepEqual(Object.keys(byTool).sort(), ['count_bad', 'count_ok', 'huge', 'only_structured']);
        for (const call of result.tool_calls) assert.equal(call.status, 'completed', `${call.tool}: ${call.error_message}`);

        assert.deepEqual(byTool.count_ok!.structured_content, { count: 42, unit: 'apples' });
        assert.equal(byTool.count_ok!.structured_content_error, undefined);
        assert.equal(byTool.count_ok!.output, '42 apples', 'the text goes to the model');

        assert.deepEqual(byTool.count_bad!.structured_content, { count: 'many' }, 'a mismatch is recorded, not fatal');
        assert.match(byTool.count_bad!.structured_content_error ?? '', /does not match the tool's outputSchema: Invalid type for count: expected integer/);
        assert.equal(byTool.count_bad!.output, 'many apples');

        assert.equal(byTool.only_structured!.output, '{"answer":"forty-two"}', 'no text blocks: the model reads the JSON');
        assert.match(result.text_response, /forty-two/);

        assert.equal(byTool.huge!.structured_content, undefined);
        assert.match(byTool.huge!.structured_content_error ?? '', /bytes left out of the record/);
        assert.equal(byTool.huge!.output, 'a big table');
      },
    );
  });
});
