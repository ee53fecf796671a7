/**
 * Conversations carried by the client: every earlier item sent back as input, `store: false`,
 * no `previous_response_id` — how clients of zero-data-retention organisations use the API.
 * The recorded exchanges replayed that way give the same item sequences as recorded; the
 * official `openai` client runs approvals, denials, function tools and streams without any
 * stored response; `item_reference` and the rules for mixing stored and sent items.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { ResponseInputItem, Tool } from 'openai/resources/responses/responses';
import { ResponseSchema } from '../../src/core/schemas';
import { ResponseStreamEventSchema } from '../../src/core/stream-events';
import { EmulatorAdminClient, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { RECORDED_DIR } from '../helpers/recorded';
import { startFixtureServer, type FixtureServer } from './fixtures/mcp-fixture-server';
import { clientFor, collapseDeltas, postJson, postStream, rejectionOf } from './helpers';

type Json = Record<string, unknown>;
const load = (name: string): Json => JSON.parse(readFileSync(join(RECORDED_DIR, name), 'utf8')) as Json;
const typesOf = (response: Json): unknown[] => (response['output'] as Json[]).map((item) => item['type']);
const recordedEvents = (name: string): Json[] =>
  readFileSync(join(RECORDED_DIR, name), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Json);

void describe('emulator: stateless conversations (input items, store: false)', () => {
  let emulator: EmulatorHandle;
  let deepwiki: FixtureServer;
  let mymcp: FixtureServer;
  let weather: FixtureServer;
  let calendar: FixtureServer;
  let client: OpenAI;

  const withServerUrl = (request: Json, url: string): Json => ({
    ...request,
    tools: (request['tools'] as Json[]).map((tool) => ({ ...tool, server_url: url })),
  });
  const post = async (body: Json): Promise<Json> => {
    const result = await postJson(`${emulator.url}/responses`, JSON.stringify(body));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    ResponseSchema.parse(result.body);
    return result.body as Json;
  };
  const assertNotStored = async (id: unknown) => {
    const error = await rejectionOf(client.responses.retrieve(String(id)));
    assert.ok(error instanceof OpenAI.NotFoundError, `GET ${String(id)} must be 404`);
  };
  const calendarTool = (): Tool.Mcp => ({ type: 'mcp', server_label: 'calendar', server_url: calendar.url });

  before(async () => {
    emulator = await startEmulator();
    [deepwiki, mymcp, weather, calendar] = await Promise.all([
      startFixtureServer({ tools: ['deepwiki'] }),
      startFixtureServer({ tools: ['errors'] }),
      startFixtureServer({ tools: ['weather'] }),
      startFixtureServer({ tools: ['calendar'] }),
    ]);
    client = clientFor(emulator);
  });
  after(async () => {
    await emulator.close();
    await Promise.all([deepwiki, mymcp, weather, calendar].map((server) => server.close()));
  });

  // The real model made two calls where the planner makes one: scripted to the recorded calls.
  const script = JSON.stringify({
    calls: [
      { server: 'deepwiki', tool: 'read_wiki_structure', arguments: { repoName: 'dotnet/extensions' } },
      { server: 'deepwiki', tool: 'ask_question', arguments: { repoName: 'dotnet/extensions', question: 'What is the path to the README.md?' } },
    ],
  });

  void it('replays every recorded exchange statelessly with the recorded item sequence', async () => {
    for (const [name, server, metadata] of [
      ['no-approval', deepwiki, { mcpflow_script: script }],
      ['tool-error', mymcp, {}],
    ] as const) {
      const ours = await post({ ...withServerUrl(load(`${name}.1-request.json`), server.url), store: false, metadata });
      assert.deepEqual(typesOf(ours), typesOf(load(`${name}.1-response.json`)), name);
      assert.equal(ours['store'], false);
      await assertNotStored(ours['id']);
    }

    // approval.1 then approval.2, the second carried by input items instead of previous_response_id.
    const firstRequest: Json = { ...withServerUrl(load('approval.1-request.json'), deepwiki.url), store: false };
    const first = await post(firstRequest);
    const firstOutput = first['output'] as Json[];
    assert.deepEqual(
      typesOf(first).filter((type) => type !== 'mcp_list_tools'),
      typesOf(load('approval.1-response.json')),
    );
    await assertNotStored(first['id']);
    const approval = firstOutput.at(-1) as Json;
    const followUp = withServerUrl(load('approval.2-request.json'), deepwiki.url);
    const answers = (followUp['input'] as Json[]).map((item) => ({ ...item, approval_request_id: approval['id'] }));
    delete followUp['previous_response_id'];
    const second = await post({ ...followUp, store: false, input: [...(firstRequest['input'] as Json[]), ...firstOutput, ...answers] });
    assert.deepEqual(typesOf(second), typesOf(load('approval.2-response.json')));
    assert.equal((second['output'] as Json[])[0]?.['approval_request_id'], approval['id']);
    assert.equal(second['previous_response_id'], null);
    await assertNotStored(second['id']);

    // The stream, statelessly: the same event sequence as recorded.
    const streamed = await postStream(emulator, {
      ...withServerUrl(load('no-approval-stream.1-request.json'), deepwiki.url),
      store: false,
      metadata: { mcpflow_script: script },
    });
    for (const event of streamed.events) ResponseStreamEventSchema.parse(event.data);
    assert.deepEqual(
      collapseDeltas(streamed.events.map((event) => event.data.type)),
      collapseDeltas(recordedEvents('no-approval-stream.1-response.sse.txt').map((event) => String(event['type']))),
    );
    await assertNotStored((streamed.events.at(-1)?.data['response'] as Json)['id']);
  });

  void it('runs an approval flow carried entirely by input items (openai client)', async () => {
    const before = calendar.calls.length;
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Do I have any meetings today?' }];
    const first = await client.responses.create({ model: 'gpt-4o-mini', input, tools: [calendarTool()], store: false });
    assert.deepEqual(
      first.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_approval_request'],
    );
    const request = first.output[1];
    assert.ok(request?.type === 'mcp_approval_request');
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [calendarTool()],
      store: false,
      input: [...input, ...(first.output as ResponseInputItem[]), { type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['mcp_call', 'message'],
      'the listing sent back is in context: no second listing',
    );
    assert.match(second.output_text, /Standup/);
    assert.equal(calendar.calls.length, before + 1);
    await assertNotStored(first.id);
    await assertNotStored(second.id);

    // A follow-up question in the same conversation gets its own round of calls.
    const third = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [calendarTool(), { type: 'mcp', server_label: 'weather', server_url: weather.url, require_approval: 'never' }],
      store: false,
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'mcp_approval_response', approval_request_id: request.id, approve: true },
        ...(second.output as ResponseInputItem[]),
        { role: 'user', content: "And what's the weather in Paris?" },
      ],
    });
    assert.deepEqual(
      third.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_call', 'message'],
      'only the new server is listed; one call for the new question',
    );
    assert.match(third.output_text, /Paris/);
    assert.doesNotMatch(third.output_text, /Standup/, 'the answer is about the new question only');
    assert.equal(calendar.calls.length, before + 1);
  });

  void it('runs a denial carried by input items', async () => {
    const before = calendar.calls.length;
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Do I have any meetings today?' }];
    const first = await client.responses.create({ model: 'gpt-4o-mini', input, tools: [calendarTool()], store: false });
    const request = first.output.find((item) => item.type === 'mcp_approval_request');
    assert.ok(request?.type === 'mcp_approval_request');
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [calendarTool()],
      store: false,
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'mcp_approval_response', approval_request_id: request.id, approve: false, reason: 'not now' },
      ],
    });
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['message'],
    );
    assert.match(second.output_text, /not now/);
    assert.equal(calendar.calls.length, before, 'a denied tool never runs');
  });

  void it('round-trips function tools and streams without storing anything', async () => {
    const tools: Tool[] = [
      {
        type: 'function',
        name: 'get_stock_price',
        description: 'Get the stock price of a ticker symbol',
        parameters: { type: 'object', properties: { symbol: { type: 'string', enum: ['AAPL', 'MSFT'] } }, required: ['symbol'] },
        strict: true,
      },
    ];
    const input: ResponseInputItem[] = [{ role: 'user', content: 'What is the stock price of MSFT?' }];
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input, tools, store: false });
    const first = await stream.finalResponse();
    const call = first.output[0];
    assert.ok(call?.type === 'function_call');
    assert.equal((first as unknown as Json)['store'], false);
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      tools,
      store: false,
      stream: true,
      // Sent back as the API gave it: the SDK's own `parsed_arguments` is not an API field (the API refuses it).
      input: [
        ...input,
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"price": 412.5}' },
      ],
    });
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of second) if (event.type === 'response.completed') final = event.response;
    assert.match(final?.output_text ?? (final?.output.at(-1) as { content?: { text: string }[] } | undefined)?.content?.[0]?.text ?? '', /412\.5/);
    await assertNotStored(first.id);
    await assertNotStored(final?.id);

    const orphan = await rejectionOf(
      client.responses.create({
        model: 'gpt-4o-mini',
        tools,
        store: false,
        input: [...input, { type: 'function_call_output', call_id: 'call_unknown', output: 'x' }],
      }),
    );
    assert.ok(orphan instanceof OpenAI.BadRequestError && orphan.param === 'input[1].call_id');
  });

  void it('resolves item_reference to stored items and refuses unknown ones; mixing follows the API', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Do I have any meetings today?', tools: [calendarTool()] });
    const [listing, request] = first.output;
    assert.ok(listing?.type === 'mcp_list_tools' && request?.type === 'mcp_approval_request');
    // The stored items by reference, the answer as an item: no previous_response_id.
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [calendarTool()],
      input: [
        { role: 'user', content: 'Do I have any meetings today?' },
        { type: 'item_reference', id: listing.id },
        { type: 'item_reference', id: request.id },
        { type: 'mcp_approval_response', approval_request_id: request.id, approve: true },
      ],
    });
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['mcp_call', 'message'],
    );

    const unknown = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: 'mcpr_unknown' }] }));
    assert.ok(unknown instanceof OpenAI.BadRequestError && unknown.param === 'input[0]', String(unknown));
    assert.match(unknown.message, /Item with id 'mcpr_unknown' not found/);

    // Items of a store: false response cannot be referenced.
    const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Do I have any meetings today?', tools: [calendarTool()], store: false });
    const gone = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: String(unstored.output[1]?.id) }] }));
    assert.ok(gone instanceof OpenAI.BadRequestError);

    // With previous_response_id, the stored items are in context already: sending one again is a duplicate.
    const duplicate = await rejectionOf(
      client.responses.create({
        model: 'gpt-4o-mini',
        previous_response_id: first.id,
        tools: [calendarTool()],
        input: [request, { type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      }),
    );
    assert.ok(duplicate instanceof OpenAI.BadRequestError && /Duplicate item found with id/.test(duplicate.message));

    // A follow-up user message with previous_response_id: its own round of calls.
    const more = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: second.id,
      tools: [calendarTool(), { type: 'mcp', server_label: 'weather', server_url: weather.url, require_approval: 'never' }],
      input: "What's the weather in London?",
    });
    assert.deepEqual(
      more.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_call', 'message'],
    );
  });

  void it('forgets stored responses on /admin/forget: a stored chain breaks, a carried one goes on', async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Do I have any meetings today?' }];
    const first = await client.responses.create({ model: 'gpt-4o-mini', input, tools: [calendarTool()] });
    const request = first.output.find((item) => item.type === 'mcp_approval_request');
    assert.ok(request?.type === 'mcp_approval_request');
    assert.ok((await new EmulatorAdminClient(emulator.adminUrl).forgetResponses()) >= 1);
    await assertNotStored(first.id);
    const answer: ResponseInputItem = { type: 'mcp_approval_response', approval_request_id: request.id, approve: true };
    const stored = await rejectionOf(
      client.responses.create({ model: 'gpt-4o-mini', previous_response_id: first.id, tools: [calendarTool()], input: [answer] }),
    );
    assert.ok(stored instanceof OpenAI.BadRequestError && stored.code === 'previous_response_not_found');
    const carried = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [calendarTool()],
      store: false,
      input: [...input, ...(first.output as ResponseInputItem[]), answer],
    });
    assert.deepEqual(
      carried.output.map((item) => item.type),
      ['mcp_call', 'message'],
    );
  });

  void it('refuses an unknown input item type the way the API does', async () => {
    const result = await postJson(`${emulator.url}/responses`, JSON.stringify({ model: 'm', input: [{ role: 'user', content: 'x' }, { type: 'banana' }] }));
    assert.equal(result.status, 400);
    const error = (result.body as { error: Json }).error;
    assert.equal(error['param'], 'input[1].type');
    assert.equal(error['code'], 'invalid_value');
    assert.match(
      String(error['message']),
      /^Invalid value: 'banana'\. Supported values are: 'message', .*'mcp_approval_response', .*'item_reference', .*and 'program_output'\.$/,
    );
  });
});
