import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { APIError } from 'openai';
import type { Tool } from 'openai/resources/responses/responses';
import { McpCallItemSchema, ResponseSchema } from '../../src/core/schemas';
import { ResponseStreamEventSchema } from '../../src/core/stream-events';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startFixtureServer, type FixtureServer } from './fixtures/mcp-fixture-server';
import { clientFor, collapseDeltas, postStream, rejectionOf } from './helpers';

const QUESTION = "What's the weather in London and do I have any meetings today?";

void describe('emulator: Responses API with MCP tools', () => {
  let emulator: EmulatorHandle;
  let weather: FixtureServer;
  let calendar: FixtureServer;
  let errors: FixtureServer;
  let secured: FixtureServer;
  let client: OpenAI;

  const mcp = (label: string, server: FixtureServer, extra: Partial<Tool.Mcp> = {}): Tool.Mcp => ({
    type: 'mcp',
    server_label: label,
    server_url: server.url,
    require_approval: 'never',
    ...extra,
  });

  before(async () => {
    emulator = await startEmulator();
    [weather, calendar, errors, secured] = await Promise.all([
      startFixtureServer({ tools: ['weather'] }),
      startFixtureServer({ tools: ['calendar'] }),
      startFixtureServer({ tools: ['errors'] }),
      startFixtureServer({ tools: ['weather'], requireToken: 'secret-token' }),
    ]);
    client = clientFor(emulator);
  });

  after(async () => {
    await emulator.close();
    await Promise.all([weather, calendar, errors, secured].map((server) => server.close()));
  });

  void it('answers a non-streamed request with list, calls and a message', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: QUESTION,
      tools: [mcp('weather', weather), mcp('calendar', calendar)],
      metadata: { run: 'one' },
    });
    ResponseSchema.parse(response);
    assert.match(response.id, /^resp_[0-9a-f]{48}$/);
    assert.equal(response.status, 'completed');
    assert.equal(response.model, 'gpt-4o-mini-2024-07-18', 'the dated snapshot, as the API answers');
    assert.deepEqual(response.metadata, { run: 'one' });
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_list_tools', 'mcp_call', 'mcp_call', 'message'],
    );
    const [weatherList, , weatherCall, calendarCall] = response.output;
    assert.ok(weatherList?.type === 'mcp_list_tools' && weatherList.id.startsWith('mcpl_'));
    const listed = weatherList.tools.find((tool) => tool.name === 'get_current_weather');
    assert.ok(listed);
    assert.deepEqual(listed.annotations, { read_only: true, readOnlyHint: true, title: 'Current weather' });
    assert.equal((listed.input_schema as { type?: string }).type, 'object');
    assert.ok(weatherCall?.type === 'mcp_call' && calendarCall?.type === 'mcp_call');
    assert.ok(weatherCall.id.startsWith('mcp_'));
    assert.deepEqual(JSON.parse(weatherCall.arguments), { location: 'London' });
    assert.deepEqual(JSON.parse(calendarCall.arguments), { date: '2026-11-26' });
    assert.match(response.output_text, /14°C, light rain/);
    assert.match(response.output_text, /Design review/);
    assert.ok(response.output.at(-1)?.id?.startsWith('msg_'));
    assert.ok(response.usage && response.usage.total_tokens === response.usage.input_tokens + response.usage.output_tokens);
    assert.ok(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);

    const fetched = await client.responses.retrieve(response.id);
    assert.deepEqual(fetched, response);
  });

  void it('passes headers and authorization to the MCP server but never echoes them', async () => {
    const before = secured.requestHeaders.length;
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'weather in Oslo',
      tools: [mcp('secured', secured, { authorization: 'secret-token', headers: { 'X-Tenant': 'acme' } })],
    });
    assert.match(response.output_text, /Oslo/);
    const seen = secured.requestHeaders.slice(before);
    assert.ok(seen.length > 0 && seen.every((headers) => headers['authorization'] === 'Bearer secret-token' && headers['x-tenant'] === 'acme'));
    assert.deepEqual(response.tools[0], {
      type: 'mcp',
      allowed_tools: null,
      headers: null,
      require_approval: 'never',
      server_description: null,
      server_label: 'secured',
      server_url: secured.url,
    });
    assert.doesNotMatch(JSON.stringify(await client.responses.retrieve(response.id)), /secret-token|acme/);
  });

  void it('streams every MCP event in the recorded order and ends with the stored response', async () => {
    const { status, contentType, events } = await postStream(emulator, {
      model: 'gpt-4o-mini',
      input: QUESTION,
      stream: true,
      tools: [mcp('weather', weather), mcp('calendar', calendar)],
    });
    assert.equal(status, 200);
    assert.match(contentType ?? '', /^text\/event-stream/);
    events.forEach((event, index) => {
      assert.equal(event.event, event.data.type);
      assert.equal(event.data.sequence_number, index);
      ResponseStreamEventSchema.parse(event.data);
    });
    const listing = ['response.output_item.added', 'response.mcp_list_tools.in_progress', 'response.mcp_list_tools.completed', 'response.output_item.done'];
    const call = [
      'response.output_item.added',
      'response.mcp_call.in_progress',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.completed',
      'response.output_item.done',
    ];
    const message = [
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ];
    const types = events.map((event) => event.data.type);
    assert.deepEqual(collapseDeltas(types), [
      'response.created',
      'response.in_progress',
      ...listing,
      ...listing,
      ...call,
      ...call,
      ...message,
      'response.completed',
    ]);
    assert.ok(types.filter((type) => type === 'response.output_text.delta').length >= 2, 'text arrives in a few chunks');
    const deltas = events
      .filter((event) => event.data.type === 'response.output_text.delta')
      .map((event) => String(event.data['delta']))
      .join('');
    const done = events.find((event) => event.data.type === 'response.output_text.done');
    assert.equal(deltas, done?.data['text']);
    const completed = events.at(-1)?.data['response'] as { id: string };
    const stored = await client.responses.retrieve(completed.id);
    assert.deepEqual(JSON.parse(JSON.stringify(stored)), { ...completed, output_text: stored.output_text });
  });

  void it('streams through the openai client, whose final response matches GET', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'weather in Rome', tools: [mcp('weather', weather)] });
    const seen: string[] = [];
    stream.on('event', (event) => seen.push(event.type));
    const final = await stream.finalResponse();
    assert.ok(seen.includes('response.mcp_call.completed'));
    assert.match(final.output_text, /Rome/);
    const fetched = await client.responses.retrieve(final.id);
    assert.equal(fetched.output_text, final.output_text);
    // The stream helper adds `parsed: null` to text parts; everything else must be identical.
    const withoutParsed = (value: unknown) => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'parsed' ? undefined : inner))) as unknown;
    assert.deepEqual(withoutParsed(fetched.output), withoutParsed(final.output));
  });

  void it('stops at an approval request by default and runs the call once approved', async () => {
    const callsBefore = calendar.calls.length;
    const first = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Do I have any meetings today?',
      tools: [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url }],
    });
    assert.equal(first.status, 'completed');
    assert.equal(first.tools[0]?.type === 'mcp' && first.tools[0].require_approval, 'always');
    assert.deepEqual(
      first.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_approval_request'],
    );
    const request = first.output[1];
    assert.ok(request?.type === 'mcp_approval_request' && request.id.startsWith('mcpr_'));
    assert.equal(request.name, 'list_events');
    assert.equal(first.output_text, '');
    assert.equal(calendar.calls.length, callsBefore, 'nothing runs before approval');

    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      tools: [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url }],
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    ResponseSchema.parse(second);
    assert.equal(second.previous_response_id, first.id);
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['mcp_call', 'message'],
      'no second mcp_list_tools in a chain',
    );
    const call = McpCallItemSchema.parse(second.output[0]);
    assert.equal(call.approval_request_id, request.id);
    assert.equal(call.arguments, request.arguments);
    assert.match(second.output_text, /Standup/);
    assert.equal(calendar.calls.length, callsBefore + 1);

    // The same approval cannot be answered twice.
    const again = await rejectionOf(
      client.responses.create({
        model: 'gpt-4o-mini',
        previous_response_id: second.id,
        tools: [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url }],
        input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      }),
    );
    assert.ok(again instanceof APIError && again.status === 400);
  });

  void it('does not call a denied tool and explains the denial with its reason', async () => {
    const callsBefore = calendar.calls.length;
    const first = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'List my events tomorrow',
      tools: [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url, require_approval: 'always' }],
    });
    const request = first.output.find((item) => item.type === 'mcp_approval_request');
    assert.ok(request);
    assert.deepEqual(JSON.parse(request.arguments), { date: '2026-11-27' });
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      tools: [{ type: 'mcp', server_label: 'calendar', server_url: calendar.url, require_approval: 'always' }],
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: false, reason: 'Private calendar, do not read it' } as never],
    });
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['message'],
    );
    assert.match(second.output_text, /denied/);
    assert.match(second.output_text, /Private calendar, do not read it/);
    assert.equal(calendar.calls.length, callsBefore);
  });

  void it('honours allowed_tools and require_approval filters', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'weather in Paris and the forecast for Paris for 2 days',
      tools: [
        mcp('weather', weather, {
          allowed_tools: ['get_forecast'],
          require_approval: { never: { tool_names: ['get_forecast'] } },
        }),
      ],
    });
    const listing = response.output[0];
    assert.ok(listing?.type === 'mcp_list_tools');
    const calls = response.output.filter((item) => item.type === 'mcp_call');
    assert.deepEqual(
      calls.map((item) => item.name),
      ['get_forecast'],
    );
    const readOnlyFilter = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'weather in Paris',
      tools: [mcp('weather', weather, { require_approval: { always: { read_only: true } } })],
    });
    assert.deepEqual(
      readOnlyFilter.output.map((item) => item.type),
      ['mcp_list_tools', 'mcp_approval_request'],
    );
  });

  void it('reports tool failures inside a 200: execution, protocol and HTTP errors', async () => {
    const script = JSON.stringify({
      calls: [
        { server: 'errs', tool: 'test_error' },
        { server: 'errs', tool: 'protocol_error' },
        { server: 'errs', tool: 'http_error' },
      ],
    });
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Test error handling',
      tools: [mcp('errs', errors)],
      metadata: { mcpflow_script: script },
    });
    const calls = response.output.filter((item) => item.type === 'mcp_call').map((item) => McpCallItemSchema.parse(item));
    assert.equal(calls.length, 3);
    assert.deepEqual(calls[0]?.error, {
      type: 'mcp_tool_execution_error',
      content: [{ type: 'text', text: "An error occurred invoking 'test_error'." }],
    });
    assert.equal(calls[0]?.output, null);
    assert.equal(calls[0]?.status, 'failed');
    assert.equal(calls[1]?.error?.type, 'mcp_protocol_error');
    assert.ok(calls[1]?.error?.type === 'mcp_protocol_error' && Number.isInteger(calls[1].error.code));
    assert.deepEqual(calls[2]?.error && { type: calls[2].error.type, code: 'code' in calls[2].error ? calls[2].error.code : null }, {
      type: 'http_error',
      code: 503,
    });
    assert.match(response.output_text, /An error occurred invoking 'test_error'/);

    const { events } = await postStream(emulator, {
      model: 'gpt-4o-mini',
      input: 'Test error handling',
      stream: true,
      tools: [mcp('errs', errors)],
    });
    assert.ok(events.some((event) => event.data.type === 'response.mcp_call.failed'));
  });

  void it('fails with 424 external_connector_error when the MCP server is unreachable', async () => {
    const closed = await startFixtureServer({ tools: ['weather'] });
    await closed.close();
    const error = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: 'weather in Paris', tools: [mcp('gone', closed)] }));
    assert.ok(error instanceof APIError, String(error));
    assert.equal(error.status, 424);
    assert.equal(error.code, 'external_connector_error');
    assert.equal(error.type, 'external_connector_error');
    assert.equal(error.param, 'tools');
    assert.match(error.message, /Error retrieving tool list from MCP server: 'gone'/);

    const unauthorized = await rejectionOf(
      client.responses.create({ model: 'gpt-4o-mini', input: 'weather', tools: [mcp('secured', secured, { authorization: 'wrong' })] }),
    );
    assert.ok(unauthorized instanceof APIError && unauthorized.status === 424);
    assert.match(unauthorized.message, /401/);
  });

  void it('answers API errors like the real API', async () => {
    const notFound = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: 'hi', previous_response_id: 'resp_nope' }));
    assert.ok(notFound instanceof APIError);
    assert.equal(notFound.status, 400);
    assert.equal(notFound.code, 'previous_response_not_found');
    assert.equal(notFound.param, 'previous_response_id');

    const model = await rejectionOf(client.responses.create({ model: 'missing-model', input: 'hi' }));
    assert.ok(model instanceof OpenAI.NotFoundError);
    assert.equal(model.code, 'model_not_found');

    const unknownGet = await rejectionOf(client.responses.retrieve('resp_unknown'));
    assert.ok(unknownGet instanceof OpenAI.NotFoundError);

    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
    const badApproval = await rejectionOf(
      client.responses.create({
        model: 'gpt-4o-mini',
        previous_response_id: first.id,
        input: [
          { role: 'user', content: 'x' },
          { type: 'mcp_approval_response', approval_request_id: 'mcpr_unknown', approve: true },
        ],
      }),
    );
    assert.ok(badApproval instanceof OpenAI.BadRequestError);
    assert.equal(badApproval.param, 'input[1].approval_request_id');
    assert.match(badApproval.message, /input\[1\]\.approval_request_id/);

    const badType = await rejectionOf(client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [{ type: 'mcp', server_label: 5 } as never] }));
    assert.ok(badType instanceof OpenAI.BadRequestError);
    assert.equal(badType.param, 'tools[0].server_label');
    assert.match(badType.message, /Invalid type for 'tools\[0\]\.server_label'/);
    assert.equal(badType.type, 'invalid_request_error');
  });

  void it('answers in text when no tool fits, and keeps conversations in a chain', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a joke', tools: [mcp('weather', weather)] });
    assert.deepEqual(
      first.output.map((item) => item.type),
      ['mcp_list_tools', 'message'],
    );
    assert.match(first.output_text, /Tell me a joke/);
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: 'Then what is the weather in Madrid?',
      tools: [mcp('weather', weather)],
    });
    assert.deepEqual(
      second.output.map((item) => item.type),
      ['mcp_call', 'message'],
      'listed once per conversation',
    );
    assert.match(second.output_text, /Madrid/);
    assert.ok((second.usage?.input_tokens ?? 0) > (first.usage?.input_tokens ?? 0), 'context grows along the chain');
  });

  void it('a script names a tool one way for both modes: server + tool, or the direct-mode function name', async () => {
    const functionTool: Tool = {
      type: 'function',
      name: 'weather__get_current_weather',
      description: '[weather] Get the current weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      strict: false,
    };
    const byServer = JSON.stringify({ calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'Oslo' } }] });
    const direct = await client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [functionTool], metadata: { mcpflow_script: byServer } });
    const call = direct.output[0];
    assert.ok(call?.type === 'function_call', JSON.stringify(direct.output));
    assert.equal(call.name, 'weather__get_current_weather');
    assert.deepEqual(JSON.parse(call.arguments), { location: 'Oslo' });

    const byFunctionName = JSON.stringify({ calls: [{ tool: 'weather__get_current_weather', arguments: { location: 'Oslo' } }] });
    const hosted = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'x',
      tools: [mcp('weather', weather)],
      metadata: { mcpflow_script: byFunctionName },
    });
    const mcpCall = hosted.output.find((item) => item.type === 'mcp_call');
    assert.ok(mcpCall?.type === 'mcp_call', JSON.stringify(hosted.output));
    assert.equal(mcpCall.server_label, 'weather');
    assert.equal(mcpCall.name, 'get_current_weather');
    assert.match(mcpCall.output ?? '', /Oslo/);
  });

  void it('round-trips function tools', async () => {
    const tools: Tool[] = [
      {
        type: 'function',
        name: 'get_stock_price',
        description: 'Get the stock price of a ticker symbol',
        parameters: { type: 'object', properties: { symbol: { type: 'string', enum: ['AAPL', 'MSFT'] } }, required: ['symbol'] },
        strict: true,
      },
    ];
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'What is the stock price of MSFT?', tools });
    assert.deepEqual(
      first.output.map((item) => item.type),
      ['function_call'],
    );
    const call = first.output[0];
    assert.ok(call?.type === 'function_call');
    assert.match(call.call_id, /^call_/);
    assert.deepEqual(JSON.parse(call.arguments), { symbol: 'MSFT' });
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      tools,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"price": 412.5}' }],
    });
    assert.match(second.output_text, /412\.5/);

    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'stock price of AAPL', tools });
    const final = await stream.finalResponse();
    const streamed = final.output[0];
    assert.ok(streamed?.type === 'function_call');
    assert.deepEqual(JSON.parse(streamed.arguments), { symbol: 'AAPL' });

    const unknown = await rejectionOf(
      client.responses.create({
        model: 'gpt-4o-mini',
        previous_response_id: first.id,
        tools,
        input: [{ type: 'function_call_output', call_id: 'call_unknown', output: 'x' }],
      }),
    );
    assert.ok(unknown instanceof OpenAI.BadRequestError && unknown.param === 'input[0].call_id');
  });

  void it('counts MCP tool calls per server and tool', () => {
    const stats = emulator.stats();
    assert.ok((stats.mcpToolCalls['weather']?.['get_current_weather'] ?? 0) >= 1);
    assert.ok((stats.mcpToolCalls['calendar']?.['list_events'] ?? 0) >= 1);
    assert.ok(stats.mcpToolCallsTotal >= 3);
    assert.ok(stats.requestsServed > 10);
  });
});
