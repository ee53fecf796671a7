/**
 * callResponsesApi against a real HTTP server that plays the Responses API: the request body
 * on the wire (built typed, without casts) and a stream that ends in an `error` event, which
 * must carry the retry delay of its attempt like every other failure.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import OpenAI from 'openai';
import { createResponsesActivities, type ResponsesCallInput } from '../../activities/responses';
import { readActivityFailureDetails } from '../../src/core/failures';
import { activityRetryPolicy, DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';

/** Answers every POST with a stream whose only event is an `error` with this code; keeps each request body. */
async function erroringStream(code: string) {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = { type: 'error', code, message: 'The model run failed', param: null, sequence_number: 0 };
      res.end(`event: error\ndata: ${JSON.stringify(event)}\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const input = (extra: Partial<ResponsesCallInput> = {}): ResponsesCallInput => ({
  model: 'gpt-test',
  input: [
    { role: 'user', content: 'Weather in Paris?' },
    { type: 'function_call', call_id: 'call_1', name: 'weather__get_current_weather', arguments: '{"location":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
    { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
  ],
  servers: [{ label: 'weather', url: 'http://127.0.0.1:8801/mcp', require_approval: 'never', headers: { 'x-api-key': { env: 'WEATHER_KEY' } } }],
  function_tools: [
    { type: 'function', name: 'weather__get_current_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: false },
  ],
  stream: true,
  tool_choice: 'auto',
  metadata: { run: 'test' },
  retry: DEFAULT_RETRY_SETTINGS,
  timeout_ms: 10_000,
  ...extra,
});

function call(baseURL: string, info: Partial<Info>, request: ResponsesCallInput) {
  const { callResponsesApi } = createResponsesActivities({
    openai: (timeout) => new OpenAI({ apiKey: 'test', baseURL, maxRetries: 0, timeout }),
    env: { WEATHER_KEY: 'weather-key-value' },
  });
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  return env.run<[ResponsesCallInput], unknown, typeof callResponsesApi>(callResponsesApi, request).then(
    () => assert.fail('expected the call to fail'),
    (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      return error;
    },
  );
}

describe('callResponsesApi', () => {
  let api: Awaited<ReturnType<typeof erroringStream>>;
  before(async () => {
    api = await erroringStream('server_error');
  });
  after(() => api.close());

  it('sends the typed request body: MCP and function tools mapped, secrets resolved, input items as given', async () => {
    await call(api.baseURL, {}, input());
    assert.deepEqual(api.bodies.at(-1), {
      model: 'gpt-test',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'weather__get_current_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
      ],
      tools: [
        {
          type: 'mcp',
          server_label: 'weather',
          server_url: 'http://127.0.0.1:8801/mcp',
          require_approval: 'never',
          headers: { 'x-api-key': 'weather-key-value' },
        },
        { type: 'function', name: 'weather__get_current_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: false },
      ],
      // A stored streamed turn that approves a call runs in background mode (activities/responses-recovery.ts).
      background: true,
      metadata: { run: 'test' },
      tool_choice: 'auto',
      stream: true,
    });
  });

  it('a stream error event is classified by its code and gets the delay of its attempt', async () => {
    const failed = await call(api.baseURL, { attempt: 2 }, input());
    assert.equal(failed.type, 'connection');
    assert.match(failed.message, /the model run failed \(server_error\)/);
    assert.equal(failed.nextRetryDelay, 2000);
    assert.deepEqual(readActivityFailureDetails(failed.details), { type: 'connection', retryable: true, retry_after_ms: null, attempt: 2 });
  });

  it('a stream error that retrying cannot fix is non-retryable', async () => {
    const quota = await erroringStream('insufficient_quota');
    try {
      const failed = await call(quota.baseURL, {}, input());
      assert.equal(failed.type, 'rate_limit');
      assert.equal(failed.nonRetryable, true);
      assert.equal(failed.nextRetryDelay, undefined);
    } finally {
      await quota.close();
    }
  });
});

describe('callResponsesApi: x-should-retry decides over the error table', () => {
  let emulator: EmulatorHandle;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (const status of [400, 409, 500] as const) {
    for (const shouldRetry of [true, false]) {
      it(`HTTP ${status} with x-should-retry: ${shouldRetry}`, async () => {
        emulator.setFaults({ failNext: { count: 1, status, shouldRetry } });
        const failed = await call(emulator.url, {}, input({ input: 'hi', servers: [], function_tools: [], stream: false }));
        assert.equal(failed.nonRetryable, !shouldRetry, failed.message);
        // Temporal obeys the policy's non-retryable types over the failure's flag: a retry must come under a type the policy retries.
        const policyRefuses = activityRetryPolicy(DEFAULT_RETRY_SETTINGS).nonRetryableErrorTypes?.includes(failed.type ?? '') ?? false;
        if (shouldRetry) assert.equal(policyRefuses, false, `type ${failed.type} is retried by the policy`);
        if (shouldRetry) assert.ok((failed.nextRetryDelay as number) > 0, 'a retry delay');
        else assert.match(failed.message, /x-should-retry: false/);
      });
    }
  }

  it('without the header, a 400 is not retried and a 500 is', async () => {
    emulator.setFaults({ failNext: { count: 1, status: 400 } });
    assert.equal((await call(emulator.url, {}, input({ input: 'hi', servers: [], function_tools: [], stream: false }))).nonRetryable, true);
    emulator.setFaults({ failNext: { count: 1, status: 500 } });
    assert.equal((await call(emulator.url, {}, input({ input: 'hi', servers: [], function_tools: [], stream: false }))).nonRetryable, false);
  });
});
