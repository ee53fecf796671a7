/**
 * Background mode through the official client: `queued` at once, `in_progress` while a scripted
 * model call holds it, `completed` after; `cancel` (refused for a synchronous response,
 * idempotent once ended); a streamed background response resumed with `starting_after`, its
 * hosted tool run once however often the client polls and resumes. Every response, event and
 * error body is checked against the description.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Response, ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startFixtureServer, type FixtureServer } from './fixtures/mcp-fixture-server';
import { clientFor, rejectionOf } from './helpers';
import { assertValid } from './spec-deviations';

const script = (fields: Record<string, unknown>) =>
  JSON.stringify({ calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'Oslo' } }], answer: 'Rainy.', ...fields });

void describe('emulator: background mode (official client)', () => {
  let emulator: EmulatorHandle;
  let weather: FixtureServer;
  let client: OpenAI;
  const tools = (): Tool[] => [{ type: 'mcp', server_label: 'weather', server_url: weather.url, require_approval: 'never' }];

  before(async () => {
    [emulator, weather] = await Promise.all([startEmulator(), startFixtureServer({ tools: ['weather'] })]);
    client = clientFor(emulator);
  });
  after(async () => {
    await emulator.close();
    await weather.close();
  });

  /** Polls until the response leaves `status` (bounded: the scripted delays are short or cancelled). */
  async function pollWhile(id: string, statuses: readonly string[]): Promise<Response> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const polled = await client.responses.retrieve(id);
      assertValid('Response', polled, `GET while ${polled.status}`);
      if (!statuses.includes(polled.status ?? '')) return polled;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`response ${id} stayed ${statuses.join('/')}`);
  }

  void it('queued at once, in_progress while the model call runs, cancelled by cancel (its tool never ran); cancel again returns it as it is', async () => {
    const toolCallsBefore = weather.calls.length;
    const created = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather in Oslo?',
      tools: tools(),
      background: true,
      metadata: { mcpflow_script: script({ delayMs: 60_000 }) },
    });
    assertValid('Response', created, 'create');
    assert.equal(created.status, 'queued');
    assert.equal(created.background, true);
    assert.equal(created.usage, null);

    const running = await pollWhile(created.id, ['queued']);
    assert.equal(running.status, 'in_progress');
    assert.deepEqual(
      running.output.map((item) => item.type),
      ['mcp_list_tools'],
    );

    const cancelled = await client.responses.cancel(created.id);
    assertValid('Response', cancelled, 'cancel');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.id, created.id);
    assert.equal((await client.responses.retrieve(created.id)).status, 'cancelled');
    const again = await client.responses.cancel(created.id);
    assert.equal(again.status, 'cancelled');
    assert.equal(weather.calls.length, toolCallsBefore, 'a cancelled response runs no more tools');
  });

  void it('a background response completes on its own: polled several times, its hosted tool ran once', async () => {
    const before = emulator.stats().mcpToolCalls['weather']?.['get_current_weather'] ?? 0;
    const created = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather in Oslo?',
      tools: tools(),
      background: true,
      metadata: { mcpflow_script: script({ answerDelayMs: 200 }) },
    });
    const done = await pollWhile(created.id, ['queued', 'in_progress']);
    assert.equal(done.status, 'completed');
    assert.equal(done.output_text, 'Rainy.');
    assert.ok(done.usage && done.usage.total_tokens > 0);
    await client.responses.retrieve(created.id);
    assert.equal((emulator.stats().mcpToolCalls['weather']?.['get_current_weather'] ?? 0) - before, 1);
    // Cancelling an ended background response changes nothing.
    assert.equal((await client.responses.cancel(created.id)).status, 'completed');
  });

  void it('a streamed background response resumed with starting_after: the events after N, numbered on, to the end; the tool ran once', async () => {
    const before = emulator.stats().mcpToolCalls['weather']?.['get_current_weather'] ?? 0;
    const stream = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather in Oslo?',
      tools: tools(),
      background: true,
      stream: true,
      metadata: { mcpflow_script: script({ answerDelayMs: 300 }) },
    });
    const firstEvents: ResponseStreamEvent[] = [];
    for await (const event of stream) {
      firstEvents.push(event);
      if (event.type === 'response.in_progress') break; // the client goes away
    }
    const first = firstEvents[0];
    assert.ok(first?.type === 'response.created', JSON.stringify(first));
    assert.equal(first.response.status, 'queued');
    assert.deepEqual(
      firstEvents.map((event) => event.type),
      ['response.created', 'response.queued', 'response.in_progress'],
    );
    const id = first.response.id;
    const last = firstEvents.at(-1)!.sequence_number;

    const resume = async (startingAfter: number) => {
      const events: ResponseStreamEvent[] = [];
      for await (const event of await client.responses.retrieve(id, { stream: true, starting_after: startingAfter })) events.push(event);
      return events;
    };
    const rest = await resume(last);
    assert.deepEqual(
      rest.map((event) => event.sequence_number),
      rest.map((_, index) => last + 1 + index),
    );
    assert.equal(rest.at(-1)?.type, 'response.completed');
    assert.ok(rest.some((event) => event.type === 'response.mcp_call.completed'));
    // Resumed again from the start, after the end: the same events, numbered the same.
    const all = await resume(-1);
    assert.deepEqual(
      all.map((event) => event.sequence_number),
      all.map((_, index) => index),
    );
    assert.deepEqual(all.slice(last + 1), rest);
    for (const event of all) assertValid('ResponseStreamEvent', event, event.type);
    const completed = all.at(-1);
    assert.ok(completed?.type === 'response.completed');
    const { output_text: _computedByTheClient, ...retrieved } = await client.responses.retrieve(id);
    assert.deepEqual(retrieved, completed.response);
    assert.equal((emulator.stats().mcpToolCalls['weather']?.['get_current_weather'] ?? 0) - before, 1);
  });

  void it('refusals: background without store; cancel or stream of a synchronous response; cancel of an unknown id', async () => {
    const noStore = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: 'hi', background: true, store: false }));
    assert.ok(noStore instanceof OpenAI.BadRequestError);
    assert.equal(noStore.param, 'background');
    assertValid('ErrorResponse', { error: noStore.error });

    const plain = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
    const cancel = await rejectionOf(client.responses.cancel(plain.id));
    assert.ok(cancel instanceof OpenAI.BadRequestError);
    assert.equal(cancel.message, '400 Cannot cancel a synchronous response.');
    assertValid('ErrorResponse', { error: cancel.error });
    const streamed = await rejectionOf(client.responses.retrieve(plain.id, { stream: true }));
    assert.ok(streamed instanceof OpenAI.BadRequestError);
    assert.equal(streamed.param, 'stream');

    const unknown = await rejectionOf(client.responses.cancel('resp_unknown'));
    assert.ok(unknown instanceof OpenAI.NotFoundError);
    assertValid('ErrorResponse', { error: unknown.error });
  });
});
