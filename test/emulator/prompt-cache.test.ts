/**
 * Prompt caching through the official client: `cached_tokens` for a prefix of at least 1,024
 * tokens already seen under the same `prompt_cache_key`, in steps of 128; none for another key,
 * a changed prefix or a short prompt; a stored conversation's later turns hit their earlier
 * prefix; the key echoed; the admin stats sum every response's usage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type OpenAI from 'openai';
import { EmulatorAdminClient, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { clientFor } from './helpers';
import { assertValid } from './spec-deviations';

/** About 1,500 tokens at the emulator's four characters per token. */
const LONG_INSTRUCTIONS = Array.from({ length: 120 }, (_, index) => `Rule ${index}: answer briefly and politely.`).join(' ');

void describe('emulator: prompt caching (official client)', () => {
  let emulator: EmulatorHandle;
  let client: OpenAI;

  before(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
  });
  after(async () => {
    await emulator.close();
  });

  const ask = async (input: string, prompt_cache_key?: string, instructions = LONG_INSTRUCTIONS, previous_response_id?: string) => {
    const response = await client.responses.create({
      model: 'gpt-4.1-mini',
      instructions,
      input,
      ...(prompt_cache_key ? { prompt_cache_key } : {}),
      ...(previous_response_id ? { previous_response_id } : {}),
    });
    assertValid('Response', response);
    assert.equal(response.prompt_cache_key, prompt_cache_key ?? null);
    return response;
  };
  const cached = (response: OpenAI.Responses.Response) => response.usage!.input_tokens_details.cached_tokens;

  void it('a repeated long prefix under one key is cached (≥ 1024 tokens, steps of 128); another key or another prefix is not', async () => {
    const first = await ask('What is the capital of France?', 'batch-a');
    assert.ok(first.usage!.input_tokens > 1024, String(first.usage!.input_tokens));
    assert.equal(cached(first), 0);

    const second = await ask('And of Spain?', 'batch-a');
    assert.ok(cached(second) >= 1024, String(cached(second)));
    assert.equal(cached(second) % 128, 0);
    assert.ok(cached(second) <= second.usage!.input_tokens);

    assert.equal(cached(await ask('And of Italy?', 'batch-b')), 0, 'another key');
    assert.equal(cached(await ask('And of Italy?', 'batch-a', `Preface. ${LONG_INSTRUCTIONS}`)), 0, 'a prefix that differs from its start');
  });

  void it('a short prompt is never cached, however often it is sent', async () => {
    await ask('Hi', 'short', 'Be brief.');
    assert.equal(cached(await ask('Hi', 'short', 'Be brief.')), 0);
  });

  void it('a stored conversation under one key: each turn reuses the conversation so far as a cached prefix', async () => {
    const longQuestion = `Summarize these notes: ${'Paris has many museums and bridges. '.repeat(60)}`;
    const first = await ask(longQuestion, 'session-1');
    const second = await ask('And about Lyon?', 'session-1', LONG_INSTRUCTIONS, first.id);
    const third = await ask('And about Nice?', 'session-1', LONG_INSTRUCTIONS, second.id);
    assert.ok(cached(second) >= 1024, String(cached(second)));
    // The third turn's prompt starts with the second's conversation (the long question included).
    assert.ok(cached(third) >= cached(second) + 512, `${cached(second)} → ${cached(third)}`);
    assert.ok(third.usage!.input_tokens > second.usage!.input_tokens);
  });

  void it('GET /admin/stats sums the usage of every completed response, stored or not, cached and reasoning tokens included', async () => {
    emulator.reset();
    const admin = new EmulatorAdminClient(emulator.adminUrl);
    const responses = [
      await ask('What is the capital of Chile?', 'sums'),
      await ask('And of Peru?', 'sums'),
      await client.responses.create({ model: 'o3', input: 'Say hi', store: false }),
    ];
    const sum = (pick: (usage: OpenAI.Responses.ResponseUsage) => number) => responses.reduce((total, response) => total + pick(response.usage!), 0);
    assert.deepEqual((await admin.stats()).usage, {
      input_tokens: sum((usage) => usage.input_tokens),
      cached_tokens: sum((usage) => usage.input_tokens_details.cached_tokens),
      output_tokens: sum((usage) => usage.output_tokens),
      reasoning_tokens: sum((usage) => usage.output_tokens_details.reasoning_tokens),
      total_tokens: sum((usage) => usage.total_tokens),
    });
    assert.ok((await admin.stats()).usage.cached_tokens > 0);
    assert.ok((await admin.stats()).usage.reasoning_tokens > 0);
  });

  void it('reset forgets the cache', async () => {
    await ask('What is the capital of Peru?', 'reset-me');
    emulator.reset();
    assert.equal(cached(await ask('What is the capital of Peru?', 'reset-me')), 0);
  });
});
