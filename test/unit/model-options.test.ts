/**
 * The model options (issue 25, pure logic): validation naming the field, old inputs without them,
 * the request body they make, the reasoning-model rule, the shared cache key, encrypted reasoning
 * dropped first (oldest first) when the carried conversation is over its budget, and flex's 429
 * "resource unavailable" classified and backed off.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestBody, type ResponsesCallInput } from '../../activities/request';
import { toApplicationFailure } from '../../activities/errors';
import { fitConversation, MAX_CARRIED_BYTES, utf8Bytes } from '../../src/core/conversation';
import { classify, FLEX_CAPACITY_CODE } from '../../src/core/errors';
import { describeZodError } from '../../src/core/zod-errors';
import { FLEX_MIN_RETRIES, isReasoningModel, retryBudget, sharedCacheKey } from '../../src/core/model-options';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import type { InputItem } from '../../src/core/schemas';
import { QueryInputSchema } from '../../workflows/messages';
import { DefaultsSchema } from '../../src/config/schema';
import OpenAI from 'openai';

const query = { query: 'q', servers: [{ label: 'w', url: 'https://example.com/mcp' }] };

describe('model options in a query input', () => {
  it('an input without them (recorded before they existed) still parses, and sets none', () => {
    const parsed = QueryInputSchema.parse(query);
    for (const field of ['reasoning', 'service_tier', 'prompt_cache_key', 'max_output_tokens'] as const) assert.equal(parsed[field], undefined, field);
  });

  it('takes every option and refuses bad values with an error naming the field', () => {
    const parsed = QueryInputSchema.parse({
      ...query,
      reasoning: { effort: 'high', summary: 'concise' },
      service_tier: 'flex',
      prompt_cache_key: 'k',
      max_output_tokens: 2_000,
    });
    assert.deepEqual(parsed.reasoning, { effort: 'high', summary: 'concise' });
    for (const [bad, field] of [
      [{ reasoning: { effort: 'huge' } }, 'reasoning.effort'],
      [{ reasoning: { sumary: 'auto' } }, 'reasoning'],
      [{ service_tier: 'cheap' }, 'service_tier'],
      [{ prompt_cache_key: '' }, 'prompt_cache_key'],
      [{ max_output_tokens: 8 }, 'max_output_tokens'],
      [{ max_output_tokens: 1.5 }, 'max_output_tokens'],
    ] as const) {
      const result = QueryInputSchema.safeParse({ ...query, ...bad });
      assert.equal(result.success, false, JSON.stringify(bad));
      assert.match(describeZodError(result.error!), new RegExp(field.replace('.', '\\.')), JSON.stringify(bad));
    }
  });

  it('the config file takes them as defaults, strictly', () => {
    assert.equal(DefaultsSchema.parse({ service_tier: 'flex', reasoning: { effort: 'low' } }).service_tier, 'flex');
    assert.equal(DefaultsSchema.safeParse({ service_tier: 'slow' }).success, false);
  });
});

describe('the request body', () => {
  const base: ResponsesCallInput = { model: 'gpt-5-mini', input: 'q', servers: [], stream: false, retry: DEFAULT_RETRY_SETTINGS, timeout_ms: 10_000 };

  it('carries the options that are set and nothing for those that are not', () => {
    const body = requestBody(
      {
        ...base,
        reasoning: { effort: 'low', summary: 'auto' },
        service_tier: 'flex',
        prompt_cache_key: 'batch:1',
        max_output_tokens: 500,
        include: ['reasoning.encrypted_content'],
      },
      {},
    );
    assert.deepEqual(body.reasoning, { effort: 'low', summary: 'auto' });
    assert.equal(body.service_tier, 'flex');
    assert.equal(body.prompt_cache_key, 'batch:1');
    assert.equal(body.max_output_tokens, 500);
    assert.deepEqual(body.include, ['reasoning.encrypted_content']);
    const plain = requestBody(base, {});
    for (const field of ['reasoning', 'service_tier', 'prompt_cache_key', 'max_output_tokens', 'include']) assert.ok(!(field in plain), field);
  });
});

describe('reasoning models', () => {
  it('are the gpt-5 family without its chat models, the o-series and codex-mini', () => {
    for (const model of ['gpt-5', 'gpt-5-mini', 'gpt-5-nano-2025-08-07', 'gpt-5.1', 'gpt-5.2-pro', 'o3', 'o4-mini', 'o1-2024-12-17', 'codex-mini-latest'])
      assert.equal(isReasoningModel(model), true, model);
    for (const model of ['gpt-4o-mini', 'gpt-4.1', 'gpt-5-chat-latest', 'gpt-5.2-chat-latest', 'gpt-50', 'omni'])
      assert.equal(isReasoningModel(model), false, model);
  });
});

describe('the shared prompt cache key', () => {
  it('names the batch or session and stays within the bound', () => {
    assert.equal(sharedCacheKey('batch', 'b-1'), 'mcpflow-batch:b-1');
    assert.equal(sharedCacheKey('session', 'x'.repeat(1_000)).length, 256);
  });
});

describe('encrypted reasoning under the byte budget', () => {
  const reasoning = (index: number, size: number): InputItem => ({ type: 'reasoning', id: `rs_${index}`, summary: [], encrypted_content: 'e'.repeat(size) });

  it('is dropped first, oldest first, before any tool output is clipped; the newest stays', () => {
    const output = 'o'.repeat(50_000);
    const items: InputItem[] = [
      { type: 'message', role: 'user', content: 'q' },
      reasoning(1, 200_000),
      { type: 'mcp_call', id: 'mcp_1', server_label: 'w', name: 't', arguments: '{}', output },
      reasoning(2, 200_000),
      { type: 'mcp_call', id: 'mcp_2', server_label: 'w', name: 't', arguments: '{}', output },
      reasoning(3, 200_000),
    ];
    assert.ok(utf8Bytes(JSON.stringify(items)) > MAX_CARRIED_BYTES);
    const fitted = fitConversation(items);
    assert.ok(fitted.bytes <= MAX_CARRIED_BYTES);
    assert.equal(fitted.droppedReasoning, 1, 'only as many as needed');
    assert.equal(fitted.clipped, 0, 'tool outputs untouched');
    assert.deepEqual(
      fitted.items.filter((item) => item.type === 'reasoning').map((item) => item.id),
      ['rs_2', 'rs_3'],
    );
    assert.equal(fitted.bytes, utf8Bytes(JSON.stringify(fitted.items)));
  });

  it('the newest reasoning item is kept even when tool outputs must then be clipped', () => {
    const items: InputItem[] = [
      { type: 'mcp_call', id: 'mcp_1', server_label: 'w', name: 't', arguments: '{}', output: 'o'.repeat(400_000) },
      reasoning(1, 300_000),
      { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
    ];
    const fitted = fitConversation(items);
    assert.equal(fitted.droppedReasoning, 0);
    assert.ok(fitted.clipped > 0);
    assert.ok(fitted.items.some((item) => item.type === 'reasoning'));
    assert.ok(fitted.bytes <= MAX_CARRIED_BYTES);
  });
});

describe("flex's 429 resource unavailable", () => {
  it('is a retryable rate_limit with capacity set, unlike insufficient_quota', () => {
    const flex = classify({ source: 'http', status: 429, code: FLEX_CAPACITY_CODE });
    assert.deepEqual([flex.type, flex.retryable, flex.capacity], ['rate_limit', true, true]);
    assert.equal(classify({ source: 'http', status: 429, code: 'insufficient_quota' }).retryable, false);
    assert.equal(classify({ source: 'http', status: 429, code: 'rate_limit_exceeded' }).capacity, undefined);
    assert.equal(classify({ source: 'http', status: 429, code: FLEX_CAPACITY_CODE, shouldRetry: false }).capacity, undefined, 'the server said not to retry');
  });

  it('backs off exponentially from the base delay (not the rate-limit base); a retry-after wins', () => {
    const settings = { ...DEFAULT_RETRY_SETTINGS, base_delay_ms: 1_000, max_delay_ms: 8_000 };
    const flex429 = (headers: Record<string, string> = {}) =>
      OpenAI.APIError.generate(
        429,
        { error: { code: FLEX_CAPACITY_CODE, message: 'Resource unavailable', type: 'invalid_request_error' } },
        undefined,
        new Headers(headers),
      );
    const delays = [1, 2, 3, 4, 5].map((attempt) => toApplicationFailure(flex429(), { attempt, settings, doing: 'calling' }).nextRetryDelay);
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 8_000]);
    const failure = toApplicationFailure(flex429({ 'retry-after-ms': '300' }), { attempt: 1, settings, doing: 'calling' });
    assert.equal(failure.nextRetryDelay, 300);
    assert.equal(failure.type, 'rate_limit');
    assert.equal(failure.nonRetryable, false);
    const ordinary = OpenAI.APIError.generate(429, { error: { code: 'rate_limit_exceeded', message: 'slow down' } }, undefined, new Headers());
    assert.equal(toApplicationFailure(ordinary, { attempt: 1, settings, doing: 'calling' }).nextRetryDelay, settings.rate_limit_base_delay_ms);
  });

  it('a flex run gets at least FLEX_MIN_RETRIES retries; other runs keep theirs', () => {
    assert.equal(retryBudget({ service_tier: 'flex', retry: DEFAULT_RETRY_SETTINGS }).max_retries, FLEX_MIN_RETRIES);
    assert.equal(retryBudget({ service_tier: 'flex', retry: { ...DEFAULT_RETRY_SETTINGS, max_retries: 15 } }).max_retries, 15);
    assert.equal(retryBudget({ retry: DEFAULT_RETRY_SETTINGS }).max_retries, DEFAULT_RETRY_SETTINGS.max_retries);
  });
});
