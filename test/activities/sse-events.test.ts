/**
 * The SSE reader of streamed Responses calls (activities/sse-events.ts): the event grammar, an
 * event over the cap refused before it is parsed, and — against a real HTTP server — a 50 MB
 * tool output in one event failing the call at once, non-retryable, with the request sent once
 * (the turn, and its tool, not run again), while a 5 MB event is read whole.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import OpenAI from 'openai';
import { createResponsesActivities, type ResponsesCallInput, type ResponsesCallResult } from '../../activities/responses';
import { readSseEvents, SseEventTooLargeError, SseParser, MAX_SSE_EVENT_CHARS } from '../../activities/sse-events';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>, max?: number) {
  const events = [];
  for await (const event of readSseEvents(body, max)) events.push(event);
  return events;
}

describe('SSE reader', () => {
  it('reads events split anywhere, with CR, LF and CRLF line ends, comments and multi-line data', async () => {
    const text = 'event: a\ndata: {"x":1}\n\n: a comment\r\nevent: b\r\ndata: line 1\r\ndata: line 2\r\n\r\ndata:no space\r\rdata: last';
    for (let size = 1; size <= 7; size++) {
      const chunks = text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
      assert.deepEqual(
        await collect(streamOf(...chunks)),
        [
          { event: 'a', data: '{"x":1}' },
          { event: 'b', data: 'line 1\nline 2' },
          { event: null, data: 'no space' },
          { event: null, data: 'last' },
        ],
        `chunks of ${size}`,
      );
    }
  });

  it('refuses an event over the cap before parsing it, however it is split; events under it pass', async () => {
    const small = `data: ${'y'.repeat(90)}\n\n`;
    assert.equal((await collect(streamOf(small, small), 100)).length, 2);
    const big = `data: ${'z'.repeat(150)}\n\n`;
    await assert.rejects(collect(streamOf(small, big.slice(0, 60), big.slice(60)), 100), SseEventTooLargeError);
    // The parser alone: the cap counts the open event's characters across pushes.
    const parser = new SseParser(100);
    assert.deepEqual(parser.push('data: 1\n\ndata: '), [{ event: null, data: '1' }]);
    assert.throws(() => parser.push('x'.repeat(120)), SseEventTooLargeError);
  });
});

/** One streamed response whose mcp_call output is `outputChars` long, in its `output_item.done` and `response.completed` events. */
function bigOutputStream(outputChars: number): string {
  const response = { id: 'resp_big', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-test', error: null, output: [] as unknown[] };
  const call = {
    id: 'mcp_big',
    type: 'mcp_call',
    server_label: 'db',
    name: 'dump',
    arguments: '{}',
    status: 'completed',
    output: 'o'.repeat(outputChars),
    error: null,
  };
  const event = (body: Record<string, unknown>) => `event: ${String(body['type'])}\ndata: ${JSON.stringify(body)}\n\n`;
  return [
    event({ type: 'response.created', sequence_number: 0, response }),
    event({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...call, status: 'in_progress', output: null } }),
    event({ type: 'response.output_item.done', sequence_number: 2, output_index: 0, item: call }),
    event({ type: 'response.completed', sequence_number: 3, response: { ...response, status: 'completed', output: [call] } }),
  ].join('');
}

describe('callResponsesApi with a huge event', () => {
  let server: Server;
  let baseURL = '';
  let requests = 0;
  let outputChars = 0;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(bigOutputStream(outputChars));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const input: ResponsesCallInput = {
    model: 'gpt-test',
    input: 'dump the database',
    servers: [{ label: 'db', url: 'http://127.0.0.1:9/mcp', require_approval: 'never' }],
    stream: true,
    retry: DEFAULT_RETRY_SETTINGS,
    timeout_ms: 60_000,
  };

  function run(): Promise<ResponsesCallResult> {
    const { callResponsesApi } = createResponsesActivities({ openai: (timeout) => new OpenAI({ apiKey: 'test', baseURL, maxRetries: 0, timeout }), env: {} });
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    return env.run<[ResponsesCallInput], ResponsesCallResult, typeof callResponsesApi>(callResponsesApi, input);
  }

  it('a 50 MB tool output is refused at once, non-retryable, as execution_error; the request was sent once', async () => {
    outputChars = 50 * 1024 * 1024;
    requests = 0;
    await assert.rejects(run(), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, 'execution_error');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, new RegExp(`longer than ${MAX_SSE_EVENT_CHARS} characters`));
      return true;
    });
    assert.equal(requests, 1);
  });

  it('a 5 MB tool output under the cap is read and clipped like any output', async () => {
    outputChars = 5 * 1024 * 1024;
    const result = await run();
    const call = result.output.find((item) => item.type === 'mcp_call');
    assert.ok(call?.type === 'mcp_call');
    assert.match(call.output ?? '', /\[mcpflow: cut to \d+ of 5242880 bytes\]$/);
  });
});
