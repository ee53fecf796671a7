import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError, UnauthorizedError } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import { ApplicationFailure } from '@temporalio/common';
import { classifyError, failureFromClassification, McpSessionExpiredError, redactSecrets, toApplicationFailure } from '../../activities/errors';
import { classify, classifyMcpCallError, retryAfterFromHeaders } from '../../src/core/errors';
import { readActivityFailureDetails } from '../../src/core/failures';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';

function apiError(status: number, code: string | null, headers: Record<string, string> = {}, type = 'invalid_request_error') {
  return OpenAI.APIError.generate(status, { error: { message: `status ${status}`, type, param: null, code } }, undefined, new Headers(headers));
}

describe('classification of the openai client errors', () => {
  it('RateLimitError with retry-after-ms is a retryable rate limit with the server delay', () => {
    const error = apiError(429, 'rate_limit_exceeded', { 'retry-after-ms': '2500', 'retry-after': '9' });
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.deepEqual(classifyError(error), { type: 'rate_limit', retryable: true, retryAfterMs: 2500 });
  });

  it('RateLimitError with only retry-after (seconds)', () => {
    const classification = classifyError(apiError(429, 'rate_limit_exceeded', { 'retry-after': '7' }));
    assert.equal(classification.retryAfterMs, 7000);
    assert.equal(classification.retryable, true);
  });

  it('429 insufficient_quota is not retried', () => {
    const classification = classifyError(apiError(429, 'insufficient_quota', { 'retry-after': '1' }));
    assert.equal(classification.retryable, false);
    assert.match(classification.advice ?? '', /quota/);
  });

  it('AuthenticationError is authentication and non-retryable', () => {
    const error = apiError(401, 'invalid_api_key');
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.deepEqual({ ...classifyError(error), advice: undefined }, { type: 'authentication', retryable: false, advice: undefined });
  });

  it('APIConnectionError is connection; APIConnectionTimeoutError is timeout', () => {
    assert.deepEqual(classifyError(new OpenAI.APIConnectionError({ message: 'socket hang up' })), { type: 'connection', retryable: true });
    assert.deepEqual(classifyError(new OpenAI.APIConnectionTimeoutError()), { type: 'timeout', retryable: true });
  });

  it('424 external_connector_error is a retryable connection error', () => {
    const error = apiError(424, 'external_connector_error', {}, 'external_connector_error');
    assert.equal(error.status, 424);
    assert.deepEqual(classifyError(error), { type: 'connection', retryable: true });
  });

  it('x-should-retry overrides the table', () => {
    assert.equal(classifyError(apiError(500, null, { 'x-should-retry': 'false' })).retryable, false);
    assert.equal(classifyError(apiError(409, null, { 'x-should-retry': 'true' })).retryable, true);
  });

  it('400 invalid_request_error and 404 model_not_found are invalid_arguments', () => {
    assert.equal(classifyError(apiError(400, 'previous_response_not_found')).type, 'invalid_arguments');
    assert.equal(classifyError(apiError(404, 'model_not_found')).type, 'invalid_arguments');
  });
});

describe('classification of MCP errors', () => {
  it('each mcp_call.error variant', () => {
    assert.deepEqual(classifyMcpCallError({ type: 'mcp_tool_execution_error', content: [] }), {
      type: 'execution_error',
      retryable: false,
      advice: 'the tool has side effects, so it is not run twice',
    });
    assert.equal(classifyMcpCallError({ type: 'mcp_protocol_error', code: -32602, message: 'bad' }).type, 'invalid_arguments');
    assert.equal(classifyMcpCallError({ type: 'mcp_protocol_error', code: -32601, message: 'no such' }).type, 'tool_not_found');
    assert.deepEqual(classifyMcpCallError({ type: 'http_error', code: 503, message: 'down' }), { type: 'connection', retryable: true });
    assert.equal(classifyMcpCallError({ type: 'http_error', code: 401, message: 'no' }).type, 'authentication');
    assert.equal(classifyMcpCallError({ type: 'http_error', code: 429, message: 'slow down' }).type, 'rate_limit');
  });

  it('an isError result is retried only for read-only tools', () => {
    assert.equal(classify({ source: 'tool_result_error', readOnly: true }).retryable, true);
    assert.equal(classify({ source: 'tool_result_error', readOnly: false }).retryable, false);
  });

  const httpError = (status: number) =>
    new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `Error POSTing to endpoint: ${status}`, { status, statusText: '' });

  it('SDK errors and network failures in direct mode', () => {
    assert.equal(classifyError(new ProtocolError(-32602, 'Invalid params')).type, 'invalid_arguments');
    assert.equal(classifyError(new ProtocolError(-32601, 'Method not found')).type, 'tool_not_found');
    assert.equal(classifyError(httpError(503)).type, 'connection');
    assert.equal(classifyError(httpError(401)).type, 'authentication');
    assert.equal(
      classifyError(new SdkHttpError(SdkErrorCode.ClientHttpAuthentication, 'Server returned 401 after re-authentication', { status: 401 })).type,
      'authentication',
    );
    assert.equal(classifyError(new UnauthorizedError()).type, 'authentication');
    // A 404 is a wrong URL, unless it answers a request in a session the server forgot.
    assert.equal(classifyError(httpError(404)).type, 'invalid_arguments');
    assert.deepEqual(classifyError(new McpSessionExpiredError(httpError(404))), { type: 'connection', retryable: true });
    // The SDK's own errors: not from the server, and not JSON-RPC codes any more (SDK 2.x).
    assert.deepEqual(classifyError(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: 1000 })), { type: 'timeout', retryable: true });
    assert.deepEqual(classifyError(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed')), { type: 'connection', retryable: true });
    assert.equal(classifyError(new SdkError(SdkErrorCode.NotConnected, 'Not connected')).type, 'connection');
    assert.equal(classifyError(new SdkError(SdkErrorCode.InvalidResult, 'Invalid result for tools/call')).type, 'unknown');
    // Real network failures (closed ports, resets, timeouts) are classified in network-errors.test.ts.
    assert.equal(classifyError(new Error('whatever message says rate limit 429')).type, 'unknown');
  });
});

describe('ApplicationFailure for Temporal', () => {
  it('rate limit carries the server delay as nextRetryDelay', () => {
    const failure = toApplicationFailure(apiError(429, 'rate_limit_exceeded', { 'retry-after-ms': '2000' }), {
      attempt: 1,
      settings: DEFAULT_RETRY_SETTINGS,
      doing: 'calling the Responses API',
    });
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'rate_limit');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 2000);
  });

  it('connection errors back off exponentially, timeouts wait 5 s', () => {
    const connection = new OpenAI.APIConnectionError({ message: 'down' });
    const delays = [1, 2, 3].map((attempt) => toApplicationFailure(connection, { attempt, settings: DEFAULT_RETRY_SETTINGS, doing: 'x' }).nextRetryDelay);
    assert.deepEqual(delays, [1000, 2000, 4000]);
    assert.equal(
      toApplicationFailure(new OpenAI.APIConnectionTimeoutError(), { attempt: 3, settings: DEFAULT_RETRY_SETTINGS, doing: 'x' }).nextRetryDelay,
      5000,
    );
  });

  it('authentication is non-retryable and the key never appears in the message', () => {
    const error = apiError(401, 'invalid_api_key');
    (error as { message: string }).message = 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz';
    const failure = toApplicationFailure(error, { attempt: 1, settings: DEFAULT_RETRY_SETTINGS, doing: 'calling the Responses API' });
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.type, 'authentication');
    assert.doesNotMatch(failure.message, /abcdefghijklmnop/);
    assert.equal(redactSecrets('Authorization: Bearer abc.def.ghijklmnop'), 'Authorization: Bearer ***');
  });

  it('retry-after as an HTTP date', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    assert.equal(
      retryAfterFromHeaders((name) => (name === 'retry-after' ? 'Thu, 26 Nov 2026 10:00:03 GMT' : null), now),
      3000,
    );
  });
});

describe('failure details', () => {
  const context = (attempt: number) => ({ attempt, settings: DEFAULT_RETRY_SETTINGS, doing: 'calling weather.get_forecast' });

  it('a classified error carries details the workflow reads back with readActivityFailureDetails', () => {
    const failure = toApplicationFailure(apiError(429, 'rate_limit_exceeded', { 'retry-after-ms': '1500' }), context(2));
    assert.deepEqual(readActivityFailureDetails(failure.details), { type: 'rate_limit', retryable: true, retry_after_ms: 1500, attempt: 2 });
    const auth = toApplicationFailure(apiError(401, 'invalid_api_key'), context(1));
    assert.deepEqual(readActivityFailureDetails(auth.details), { type: 'authentication', retryable: false, retry_after_ms: null, attempt: 1 });
    assert.equal(auth.nextRetryDelay, undefined);
  });

  it('a failure the activity raised itself gets details and the table delay of its attempt', () => {
    const raised = ApplicationFailure.create({ type: 'connection', message: 'the Responses stream ended before response.completed' });
    const failure = toApplicationFailure(raised, context(3));
    assert.equal(failure.type, 'connection');
    assert.equal(failure.message, 'the Responses stream ended before response.completed');
    assert.equal(failure.nextRetryDelay, 4000);
    assert.deepEqual(readActivityFailureDetails(failure.details), { type: 'connection', retryable: true, retry_after_ms: null, attempt: 3 });

    const refused = toApplicationFailure(ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: 'bad' }), context(1));
    assert.equal(refused.nonRetryable, true);
    assert.equal(readActivityFailureDetails(refused.details)?.retryable, false);
    // A type that is not an MCPErrorType is reported as unknown, the type workflows would read anyway.
    assert.equal(toApplicationFailure(ApplicationFailure.create({ type: 'Surprise', message: 'x' }), context(1)).type, 'unknown');
  });

  it('a failure that already has details passes unchanged', () => {
    const built = failureFromClassification(classify({ source: 'tool_result_error', readOnly: true }), 'weather.get_forecast failed: boom', context(2));
    assert.equal(built.nextRetryDelay, 2000);
    assert.equal(toApplicationFailure(built, context(5)), built);
    assert.equal(readActivityFailureDetails(built.details)?.attempt, 2);
  });

  it('secrets the activity resolved never reach the message', () => {
    const failure = failureFromClassification(classify({ source: 'http', status: 500 }), 'server said: header x-api-key=hunter2-secret', {
      ...context(1),
      secrets: ['hunter2-secret'],
    });
    assert.equal(failure.message, 'server said: header x-api-key=***');
  });

  it('details of another producer are not read as activity details', () => {
    assert.equal(readActivityFailureDetails([{ type: 'connection', attempt: 0 }]), undefined);
    assert.equal(readActivityFailureDetails(undefined), undefined);
  });
});
