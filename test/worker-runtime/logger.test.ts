/** The worker's log line for a failed activity attempt (pure: the SDK's log call is replayed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { activityLogFields } from '../../src/worker/activity-log';
import { activityFailureRecord, formatRecord, McpflowWorkerLogger } from '../../src/worker/logger';

describe('activityLogFields', () => {
  it('takes the server label and tool name of a direct tool call, nothing else', () => {
    const fields = activityLogFields([
      {
        server: { label: 'weather', url: 'http://u:secret@h/mcp', headers: { a: { env: 'X' } } },
        tool: { name: 'get_current_weather' },
        arguments: { city: 'x' },
      },
    ]);
    assert.deepEqual(fields, { server: 'weather', tool: 'get_current_weather' });
  });

  it('lists every server of a Responses call, and ignores malformed input', () => {
    assert.deepEqual(activityLogFields([{ servers: [{ label: 'weather' }, { label: 'calendar' }] }]), { server: 'weather,calendar' });
    assert.deepEqual(activityLogFields([null]), {});
    assert.deepEqual(activityLogFields(['text']), {});
    assert.deepEqual(activityLogFields([{ server: { label: 'has space\nnewline' }, tool: { name: 42 } }]), {});
    assert.deepEqual(activityLogFields([]), {});
  });
});

describe('McpflowWorkerLogger', () => {
  const meta = (error: unknown) => ({
    error,
    workflowId: 'mcpflow-query-1',
    activityType: 'callToolDirect',
    attempt: 2,
    durationMs: 12,
    server: 'weather',
    tool: 'get_current_weather',
    taskToken: 'abc',
  });

  it('writes one line per failed attempt: workflow, server, tool, attempt, error type; no stack', () => {
    const lines: string[] = [];
    const logger = new McpflowWorkerLogger('WARN', (line) => lines.push(line));
    const error = ApplicationFailure.create({ type: 'mcp_http_error', message: 'HTTP 500 from weather\n  at somewhere', cause: new Error('inner') });
    logger.warn('Activity failed', meta(error));
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /\n/);
    assert.match(
      lines[0]!,
      /\[WARN\] Activity failed workflowId=mcpflow-query-1 activityType=callToolDirect server=weather tool=get_current_weather attempt=2 errorType=mcp_http_error durationMs=12 message="HTTP 500 from weather at somewhere"$/,
    );
    assert.doesNotMatch(lines[0]!, /taskToken|inner/);
  });

  it('names plain errors by class, marks non-retryable failures, and cuts long messages', () => {
    const record = activityFailureRecord(meta(new TypeError('x'.repeat(500))));
    assert.equal(record.errorType, 'TypeError');
    assert.equal(record.message.length, 201);
    const final = activityFailureRecord(meta(ApplicationFailure.create({ type: 'authentication', nonRetryable: true, message: 'no key' })));
    assert.equal(final.nonRetryable, true);
    assert.equal(formatRecord({ a: 'plain', b: 'two words', c: undefined, d: 'q"uote' }), 'a=plain b="two words" d="q\\"uote"');
  });

  it('respects the level and passes other messages through', () => {
    const lines: string[] = [];
    const logger = new McpflowWorkerLogger('ERROR', (line) => lines.push(line));
    logger.warn('Activity failed', meta(new Error('x')));
    assert.equal(lines.length, 0);
  });
});
