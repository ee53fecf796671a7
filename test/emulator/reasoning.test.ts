/**
 * Reasoning models through the official client: a reasoning item before the calls and before the
 * answer, its summary when asked, `encrypted_content` only when included, reasoning tokens in
 * usage and the effort echoed; reasoning items sent back (stateless with encrypted content,
 * stored by id) accepted, and the API's refusals of a bare item of an unstored response, of
 * content the emulator did not issue and of reasoning options on a model that does not reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ResponseInputItem, ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startFixtureServer, type FixtureServer } from './fixtures/mcp-fixture-server';
import { clientFor, rejectionOf } from './helpers';
import { assertValid } from './spec-deviations';

const WEATHER_SCRIPT = JSON.stringify({ calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'Oslo' } }] });

void describe('emulator: reasoning models (official client)', () => {
  let emulator: EmulatorHandle;
  let weather: FixtureServer;
  let client: OpenAI;
  const tools = (require_approval: 'never' | 'always' = 'never'): Tool[] => [
    { type: 'mcp', server_label: 'weather', server_url: weather.url, require_approval },
  ];

  before(async () => {
    [emulator, weather] = await Promise.all([startEmulator(), startFixtureServer({ tools: ['weather'] })]);
    client = clientFor(emulator);
  });
  after(async () => {
    await emulator.close();
    await weather.close();
  });

  void it('gpt-5-mini: reasoning before the call and before the answer, summarized when asked; no encrypted_content unless included; tokens and effort', async () => {
    const response = await client.responses.create({
      model: 'gpt-5-mini',
      input: 'Weather in Oslo?',
      tools: tools(),
      reasoning: { summary: 'auto' },
      metadata: { mcpflow_script: WEATHER_SCRIPT },
    });
    assertValid('Response', response);
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['mcp_list_tools', 'reasoning', 'mcp_call', 'reasoning', 'message'],
    );
    for (const item of response.output) {
      if (item.type !== 'reasoning') continue;
      assert.match(item.id, /^rs_/);
      assert.equal(item.summary.length, 1);
      assert.match(item.summary[0]!.text, /^\*\*.+\*\*\n\n/);
      assert.equal('encrypted_content' in item, false);
    }
    assert.deepEqual(response.reasoning, { effort: 'medium', summary: 'auto' });
    const usage = response.usage!;
    assert.ok(usage.output_tokens_details.reasoning_tokens > 0);
    assert.ok(usage.output_tokens > usage.output_tokens_details.reasoning_tokens);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });

  void it('o3 without reasoning options: the default effort, no summary; a higher effort costs more reasoning tokens; effort none reasons not at all', async () => {
    const ask = (reasoning?: OpenAI.Reasoning) => client.responses.create({ model: 'o3', input: 'Say hi', ...(reasoning ? { reasoning } : {}) });
    const plain = await ask();
    assert.deepEqual(plain.reasoning, { effort: 'medium', summary: null });
    assert.deepEqual(
      plain.output.map((item) => item.type),
      ['reasoning', 'message'],
    );
    assert.deepEqual(plain.output[0]?.type === 'reasoning' && plain.output[0].summary, []);
    const high = await ask({ effort: 'high' });
    assert.equal(high.reasoning?.effort, 'high');
    assert.ok(high.usage!.output_tokens_details.reasoning_tokens > plain.usage!.output_tokens_details.reasoning_tokens);
    const none = await client.responses.create({ model: 'gpt-5', input: 'Say hi', reasoning: { effort: 'none' } });
    assert.deepEqual(
      none.output.map((item) => item.type),
      ['message'],
    );
    assert.equal(none.usage!.output_tokens_details.reasoning_tokens, 0);
  });

  void it('a model that does not reason: reasoning null, no reasoning item, 0 reasoning tokens; a reasoning option is refused', async () => {
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'Say hi', include: ['reasoning.encrypted_content'] });
    assert.deepEqual(response.reasoning, { effort: null, summary: null });
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['message'],
    );
    assert.equal(response.usage!.output_tokens_details.reasoning_tokens, 0);
    const refused = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: 'Say hi', reasoning: { effort: 'low' } }));
    assert.ok(refused instanceof OpenAI.BadRequestError);
    assert.equal(refused.message, "400 Unsupported parameter: 'reasoning.effort' is not supported with this model.");
    assert.equal(refused.param, 'reasoning.effort');
    assert.equal(refused.code, 'unsupported_parameter');
    assertValid('ErrorResponse', { error: refused.error });
  });

  void it('stateless (store: false): encrypted reasoning carried across an approval is accepted; bare or foreign reasoning is refused as the API does', async () => {
    const question: ResponseInputItem = { role: 'user', content: 'Weather in Oslo?' };
    const first = await client.responses.create({
      model: 'gpt-5',
      store: false,
      include: ['reasoning.encrypted_content'],
      input: [question],
      tools: tools('always'),
      metadata: { mcpflow_script: WEATHER_SCRIPT },
    });
    assertValid('Response', first);
    assert.deepEqual(
      first.output.map((item) => item.type),
      ['mcp_list_tools', 'reasoning', 'mcp_approval_request'],
    );
    const reasoning = first.output[1];
    assert.ok(reasoning?.type === 'reasoning' && typeof reasoning.encrypted_content === 'string' && reasoning.encrypted_content.length > 0);
    const approval = first.output[2];
    assert.ok(approval?.type === 'mcp_approval_request');
    const followUp = (carried: ResponseInputItem[]) =>
      client.responses.create({
        model: 'gpt-5',
        store: false,
        include: ['reasoning.encrypted_content'],
        input: [question, ...carried, { type: 'mcp_approval_response', approval_request_id: approval.id, approve: true }],
        tools: tools('always'),
      });
    const others = first.output.filter((item) => item.type !== 'reasoning') as ResponseInputItem[];

    const bare = await rejectionOf(followUp([first.output[0] as ResponseInputItem, { type: 'reasoning', id: reasoning.id, summary: [] }, approval]));
    assert.ok(bare instanceof OpenAI.NotFoundError);
    assert.equal(
      bare.message,
      `404 Item with id '${reasoning.id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
    );
    assertValid('ErrorResponse', { error: bare.error });

    const forged = await rejectionOf(
      followUp([others[0]!, { ...reasoning, encrypted_content: Buffer.from('not issued here').toString('base64') }, others[1]!]),
    );
    assert.ok(forged instanceof OpenAI.BadRequestError);
    assert.equal(forged.code, 'invalid_encrypted_content');
    assertValid('ErrorResponse', { error: forged.error });

    const carried = await followUp(first.output as ResponseInputItem[]);
    assertValid('Response', carried);
    assert.deepEqual(
      carried.output.map((item) => item.type),
      ['mcp_call', 'reasoning', 'message'],
    );
    assert.equal(weather.calls.filter((call) => call.name === 'get_current_weather').length >= 1, true);
  });

  void it('stored: a bare reasoning item of a stored response is found by its id', async () => {
    const first = await client.responses.create({ model: 'o4-mini', input: 'Say hi' });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    assert.ok(reasoning?.type === 'reasoning');
    assert.equal('encrypted_content' in reasoning, false);
    const next = await client.responses.create({
      model: 'o4-mini',
      store: false,
      input: [
        { role: 'user', content: 'Say hi' },
        { type: 'reasoning', id: reasoning.id, summary: [] },
        first.output.at(-1) as ResponseInputItem,
        { role: 'user', content: 'Again' },
      ],
    });
    assert.equal(next.status, 'completed');
  });

  void it('streamed: the reasoning summary arrives as summary part and text events, each valid against the description', async () => {
    const stream = await client.responses.create({
      model: 'gpt-5-nano',
      input: 'Weather in Oslo?',
      tools: tools(),
      reasoning: { effort: 'low', summary: 'detailed' },
      include: ['reasoning.encrypted_content'],
      metadata: { mcpflow_script: WEATHER_SCRIPT },
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    for (const event of events) assertValid('ResponseStreamEvent', event, event.type);
    const types = events.map((event) => event.type);
    for (const type of [
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
    ])
      assert.ok(types.includes(type as ResponseStreamEvent['type']), type);
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed');
    assert.deepEqual(completed.response.reasoning, { effort: 'low', summary: 'detailed' });
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
    assert.deepEqual(done, completed.response.output);
  });
});
