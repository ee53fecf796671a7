import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ErrorBodySchema } from '../../src/core/schemas';
import { EmulatorAdminClient, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { maskApiKey } from '../../src/emulator/errors';
import { clientFor, rejectionOf } from './helpers';

void describe('emulator: faults, auth, admin', () => {
  let emulator: EmulatorHandle;
  let secured: EmulatorHandle;
  let client: OpenAI;
  const ask = () => client.responses.create({ model: 'gpt-4o-mini', input: 'hello' });

  before(async () => {
    emulator = await startEmulator();
    secured = await startEmulator({ apiKeys: ['sk-good-key-1234567890'] });
    client = clientFor(emulator);
  });
  after(async () => {
    await emulator.close();
    await secured.close();
  });

  void it('429 rate_limit_exceeded exposes retry headers through RateLimitError', async () => {
    emulator.setFaults({ failNext: { count: 1, status: 429, retryAfterMs: 1500, retryAfterSeconds: 2, shouldRetry: true } });
    const error = await rejectionOf(ask());
    assert.ok(error instanceof OpenAI.RateLimitError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.headers.get('retry-after-ms'), '1500');
    assert.equal(error.headers.get('retry-after'), '2');
    assert.equal(error.headers.get('x-should-retry'), 'true');
    assert.ok(error.requestID?.startsWith('req_'));
    const next = await ask();
    assert.equal(next.status, 'completed', 'the fault is used up');
  });

  void it('fails the next N requests with the configured status and code', async () => {
    emulator.setFaults({ failNext: { count: 2, status: 429, code: 'insufficient_quota' } });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await rejectionOf(ask());
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.code, 'insufficient_quota');
      assert.equal(error.type, 'insufficient_quota');
    }
    emulator.setFaults({ failNext: { count: 1, status: 500 } });
    assert.ok((await rejectionOf(ask())) instanceof OpenAI.InternalServerError);
    emulator.setFaults({ failNext: { count: 1, status: 503, shouldRetry: false } });
    const unavailable = await rejectionOf(ask());
    assert.ok(unavailable instanceof OpenAI.APIError && unavailable.status === 503);
    emulator.setFaults({ failNext: { count: 1, status: 401 } });
    assert.ok((await rejectionOf(ask())) instanceof OpenAI.AuthenticationError);
    assert.equal((await ask()).status, 'completed');
  });

  void it('drops connections and adds latency on demand', async () => {
    emulator.setFaults({ dropConnectionNext: 1 });
    const dropped = await rejectionOf(ask());
    assert.ok(dropped instanceof OpenAI.APIConnectionError, String(dropped));
    emulator.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await ask();
    assert.ok(Date.now() - started >= 140);
    emulator.setFaults({ latencyMs: 0 });
    const timeoutClient = new OpenAI({ baseURL: emulator.url, apiKey: 'test', maxRetries: 0, timeout: 100 });
    emulator.setFaults({ latencyMs: 500 });
    const timedOut = await rejectionOf(timeoutClient.responses.create({ model: 'gpt-4o-mini', input: 'x' }));
    assert.ok(timedOut instanceof OpenAI.APIConnectionTimeoutError, String(timedOut));
    emulator.setFaults({ latencyMs: 0 });
  });

  void it('401 invalid_api_key with configured keys, without echoing the key', async () => {
    // Built at run time so that no literal in the repository looks like a real key to secret scanners.
    const wrongKey = ['sk', 'abcdefghijklmnopqrstuvwxyz123456'].join('-');
    const error = await rejectionOf(clientFor(secured, wrongKey).responses.create({ model: 'gpt-4o-mini', input: 'x' }));
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.code, 'invalid_api_key');
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, /Incorrect API key provided: sk-ab\*+3456\./);
    assert.ok(!error.message.includes(wrongKey));
    const missing = await fetch(`${secured.url}/responses`, { method: 'POST', body: '{}' });
    assert.equal(missing.status, 401);
    assert.equal(ErrorBodySchema.parse(await missing.json()).error.code, 'invalid_api_key');
    const ok = await clientFor(secured, 'sk-good-key-1234567890').responses.create({ model: 'gpt-4o-mini', input: 'x' });
    assert.equal(ok.status, 'completed');
    assert.ok(!maskApiKey('short').includes('short'));
  });

  void it('is controlled from another process through the admin endpoints', async () => {
    const admin = new EmulatorAdminClient(emulator.adminUrl);
    await admin.reset();
    assert.equal((await admin.stats()).requestsServed, 0);
    await admin.setFaults({ failNext: { count: 1, status: 429, retryAfterSeconds: 1 } });
    const error = await rejectionOf(ask());
    assert.ok(error instanceof OpenAI.RateLimitError && error.headers.get('retry-after') === '1');
    await ask();
    const stats = await admin.stats();
    assert.equal(stats.requestsServed, 2);
    assert.equal(stats.faultsInjected, 1);
    assert.equal(stats.responsesCreated, 1);
    assert.equal(stats.conversationsStored, 1);
    const bad = await fetch(`${emulator.adminUrl}/faults`, { method: 'POST', body: '{"failNext":{"status":418}}' });
    assert.equal(bad.status, 400);
    ErrorBodySchema.parse(await bad.json());
  });

  void it('keeps a bounded number of conversations (LRU)', async () => {
    const small = await startEmulator({ maxConversations: 2 });
    try {
      const smallClient = clientFor(small);
      const ids: string[] = [];
      for (const input of ['a', 'b', 'c']) ids.push((await smallClient.responses.create({ model: 'gpt-4o-mini', input })).id);
      assert.ok((await rejectionOf(smallClient.responses.retrieve(ids[0] ?? ''))) instanceof OpenAI.NotFoundError);
      assert.equal((await smallClient.responses.retrieve(ids[2] ?? '')).id, ids[2]);
      assert.equal(small.stats().conversationsStored, 2);
      const deleted = await fetch(`${small.url}/responses/${ids[2] ?? ''}`, { method: 'DELETE' });
      assert.equal(deleted.status, 200);
    } finally {
      await small.close();
    }
  });
});
