/**
 * Service tiers through the official client: the tier echoed (`auto` resolves to `default`,
 * the stream says the tier asked until it completes), flex held by its added latency, and the
 * flex 429 "resource unavailable" armed over the admin HTTP endpoint, only for flex requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { EmulatorAdminClient, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { clientFor, rejectionOf } from './helpers';
import { assertValid } from './spec-deviations';

void describe('emulator: service tiers (official client)', () => {
  let emulator: EmulatorHandle;
  let client: OpenAI;
  let admin: EmulatorAdminClient;

  before(async () => {
    emulator = await startEmulator({ flexLatencyMs: 0 });
    client = clientFor(emulator);
    admin = new EmulatorAdminClient(emulator.adminUrl);
  });
  after(async () => {
    await emulator.close();
  });

  void it('echoes the tier: none or auto → default, flex, priority and default as asked; GET says the same', async () => {
    const tierOf = async (service_tier?: 'auto' | 'default' | 'flex' | 'priority') => {
      const response = await client.responses.create({ model: 'o4-mini', input: 'Say hi', ...(service_tier ? { service_tier } : {}) });
      assertValid('Response', response);
      assert.equal((await client.responses.retrieve(response.id)).service_tier, response.service_tier);
      return response.service_tier;
    };
    assert.equal(await tierOf(), 'default');
    assert.equal(await tierOf('auto'), 'default');
    assert.equal(await tierOf('default'), 'default');
    assert.equal(await tierOf('flex'), 'flex');
    assert.equal(await tierOf('priority'), 'priority');
  });

  void it('streamed: the tier asked until response.completed, which names the tier that served it', async () => {
    const tiersOf = async (service_tier: 'auto' | 'flex') => {
      const events: ResponseStreamEvent[] = [];
      for await (const event of await client.responses.create({ model: 'o3', input: 'Say hi', service_tier, stream: true })) events.push(event);
      for (const event of events) assertValid('ResponseStreamEvent', event, event.type);
      return events.flatMap((event) => ('response' in event ? [`${event.type}:${event.response.service_tier}`] : []));
    };
    assert.deepEqual(await tiersOf('auto'), ['response.created:auto', 'response.in_progress:auto', 'response.completed:default']);
    assert.deepEqual(await tiersOf('flex'), ['response.created:flex', 'response.in_progress:flex', 'response.completed:flex']);
  });

  void it('flex is slower: with the flex latency raised, a flex response is still in progress when a default one has completed', async () => {
    await admin.setFaults({ flexLatencyMs: 60_000 });
    try {
      const flex = await client.responses.create({ model: 'o3', input: 'Say hi', service_tier: 'flex', background: true });
      const plain = await client.responses.create({ model: 'o3', input: 'Say hi', service_tier: 'default', background: true });
      let done = plain;
      for (let attempt = 0; attempt < 200 && done.status !== 'completed'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        done = await client.responses.retrieve(plain.id);
      }
      assert.equal(done.status, 'completed');
      const held = await client.responses.retrieve(flex.id);
      assert.equal(held.status, 'in_progress');
      assert.deepEqual(held.output, []);
      assert.equal((await client.responses.cancel(flex.id)).status, 'cancelled');
    } finally {
      await admin.setFaults({ flexLatencyMs: 0 });
    }
  });

  void it('an armed flex 429 "resource unavailable" hits the next flex request only, with its exact body and retry headers', async () => {
    await admin.setFaults({ flexUnavailableNext: 1, flexRetryAfterMs: 250 });
    const before = emulator.stats().faultsInjected;
    assert.equal((await client.responses.create({ model: 'o3', input: 'Say hi' })).status, 'completed', 'a default-tier request is not touched');
    const refused = await rejectionOf(client.responses.create({ model: 'o3', input: 'Say hi', service_tier: 'flex' }));
    assert.ok(refused instanceof OpenAI.RateLimitError);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.error, {
      message: 'Resource unavailable: flex processing has no capacity for this request right now. Please try again later, or retry with service_tier "auto".',
      type: 'server_error',
      param: 'service_tier',
      code: 'resource_unavailable',
    });
    assertValid('ErrorResponse', { error: refused.error });
    assert.equal(refused.headers.get('retry-after-ms'), '250');
    assert.equal(refused.headers.get('x-should-retry'), 'true');
    assert.equal(emulator.stats().faultsInjected - before, 1);
    assert.equal(
      (await client.responses.create({ model: 'o3', input: 'Say hi', service_tier: 'flex' })).service_tier,
      'flex',
      'the next flex request is served',
    );
  });
});
