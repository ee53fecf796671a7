/**
 * callResponsesApi on a turn that approves a call, against a real HTTP server whose stream
 * breaks: after the API took the turn and an MCP call began, the attempt fails non-retryably
 * with `outcome_unknown` (never sent again); an `error` event before any call began is retried
 * as before; a later attempt that finds an earlier one sent the turn (heartbeat details) does
 * not send it again.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import OpenAI from 'openai';
import { createResponsesActivities, type ResponsesCallInput } from '../../activities/responses';
import { readActivityFailureDetails } from '../../src/core/failures';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';

const RESPONSE = { id: 'resp_cut', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-test', error: null, output: [] };
const CALL = {
  id: 'mcp_1',
  type: 'mcp_call',
  server_label: 'calendar',
  name: 'create_event',
  arguments: '{}',
  status: 'in_progress',
  output: null,
  error: null,
  approval_request_id: 'mcpr_1',
};
const sse = (body: Record<string, unknown>) => `event: ${String(body['type'])}\ndata: ${JSON.stringify(body)}\n\n`;

const BEHAVIOURS: Record<string, (res: ServerResponse) => void> = {
  /** The call begins, then the connection drops. */
  'drop-after-call': (res) => {
    res.write(sse({ type: 'response.created', sequence_number: 0, response: RESPONSE }));
    res.write(sse({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: CALL }));
    res.write(sse({ type: 'response.mcp_call.in_progress', sequence_number: 2, output_index: 0, item_id: 'mcp_1' }));
    setTimeout(() => res.socket?.destroy(), 20);
  },
  /** The API reports a failure before any call began. */
  'error-before-call': (res) => {
    res.write(sse({ type: 'response.created', sequence_number: 0, response: RESPONSE }));
    res.end(sse({ type: 'error', sequence_number: 1, code: 'server_error', message: 'boom', param: null }));
  },
};

describe('callResponsesApi: a turn that approves a call, cut off', () => {
  let server: Server;
  let baseURL = '';
  let requests = 0;
  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        requests++;
        const body = JSON.parse(text) as { metadata?: { behaviour?: string } };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        BEHAVIOURS[body.metadata?.behaviour ?? '']!(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const input = (behaviour: string): ResponsesCallInput => ({
    model: 'gpt-test',
    input: [
      { role: 'user', content: 'Book it' },
      { type: 'mcp_approval_request', id: 'mcpr_1', server_label: 'calendar', name: 'create_event', arguments: '{}' },
      { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
    ],
    servers: [{ label: 'calendar', url: 'http://127.0.0.1:9/mcp', require_approval: 'always' }],
    store: false,
    stream: true,
    metadata: { behaviour },
    retry: DEFAULT_RETRY_SETTINGS,
    timeout_ms: 10_000,
  });

  async function failureOf(behaviour: string, info: Partial<Info> = {}): Promise<ApplicationFailure> {
    const { callResponsesApi } = createResponsesActivities({ openai: (timeout) => new OpenAI({ apiKey: 'test', baseURL, maxRetries: 0, timeout }), env: {} });
    const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
    try {
      await env.run(callResponsesApi, input(behaviour));
    } catch (error) {
      assert.ok(error instanceof ApplicationFailure, String(error));
      return error;
    }
    return assert.fail('expected the call to fail');
  }

  it('a stream dropped after the approved call began: outcome unknown, not retried', async () => {
    const failure = await failureOf('drop-after-call');
    assert.equal(failure.nonRetryable, true);
    assert.equal(readActivityFailureDetails(failure.details)?.outcome_unknown, true);
    assert.match(failure.message, /outcome unknown: .*mcpr_1.*may or may not have run/);
  });

  it('an error event before any call began: retried as before', async () => {
    const failure = await failureOf('error-before-call');
    assert.equal(failure.nonRetryable, false);
    assert.equal(readActivityFailureDetails(failure.details)?.outcome_unknown, undefined);
  });

  it('a retry that finds the turn sent by a lost attempt does not send it again', async () => {
    const before = requests;
    const failure = await failureOf('error-before-call', {
      attempt: 2,
      heartbeatDetails: { event: 'response.mcp_call.in_progress', mcpflow_sent_call: { sent: true, response_id: 'resp_cut', stored: false } },
    });
    assert.equal(requests, before, 'nothing sent');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.type, 'outcome_unknown');
    assert.equal(readActivityFailureDetails(failure.details)?.outcome_unknown, true);
  });
});
