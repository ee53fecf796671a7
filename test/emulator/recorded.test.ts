/**
 * The recorded real traffic (test/fixtures/openai-responses/recorded) replayed against the
 * emulator: same request shapes, server_url pointed at a local fixture with the same tool names;
 * the answers must pass the same zod schemas as the recorded answers and carry the same fields.
 */
import { after, before, describe, it } from 'node:test';
import { RECORDED_DIR } from '../helpers/recorded';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResponseSchema } from '../../src/core/schemas';
import { ResponseStreamEventSchema } from '../../src/core/stream-events';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startFixtureServer, type FixtureServer } from './fixtures/mcp-fixture-server';
import { collapseDeltas, postJson, postStream } from './helpers';

const RECORDED = RECORDED_DIR;

type Json = Record<string, unknown>;
const load = (name: string): Json => JSON.parse(readFileSync(join(RECORDED, name), 'utf8')) as Json;

function recordedEvents(name: string): Json[] {
  return readFileSync(join(RECORDED, name), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Json);
}

function withServerUrl(request: Json, url: string): Json {
  const tools = (request['tools'] as Json[]).map((tool) => ({ ...tool, server_url: url }));
  return { ...request, tools };
}

/** Every field of the recorded object is present in ours (values may differ). */
function assertHasFieldsOf(ours: Json, recorded: Json, where: string): void {
  for (const key of Object.keys(recorded)) assert.ok(key in ours, `${where}: missing field '${key}'`);
}

function outputOf(response: Json): Json[] {
  return response['output'] as Json[];
}

function assertItemsHaveRecordedFields(ours: Json, recorded: Json): void {
  for (const item of outputOf(recorded)) {
    const same = outputOf(ours).find((candidate) => candidate['type'] === item['type']);
    if (same) assertHasFieldsOf(same, item, `item ${String(item['type'])}`);
  }
}

void describe('emulator replays the recorded exchanges', () => {
  let emulator: EmulatorHandle;
  let deepwiki: FixtureServer;
  let mymcp: FixtureServer;
  const post = async (body: Json) => {
    const result = await postJson(`${emulator.url}/responses`, JSON.stringify(body));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    return result.body as Json;
  };

  before(async () => {
    emulator = await startEmulator();
    deepwiki = await startFixtureServer({ tools: ['deepwiki'] });
    mymcp = await startFixtureServer({ tools: ['errors'] });
  });
  after(async () => {
    await emulator.close();
    await deepwiki.close();
    await mymcp.close();
  });

  void it('the recorded responses pass the schemas (sanity check of the schemas)', () => {
    for (const name of ['no-approval.1-response.json', 'approval.1-response.json', 'approval.2-response.json', 'tool-error.1-response.json']) {
      ResponseSchema.parse(load(name));
    }
    for (const event of recordedEvents('no-approval-stream.1-response.sse.txt')) ResponseStreamEventSchema.parse(event);
  });

  void it('no-approval: list, call(s), message', async () => {
    const recorded = load('no-approval.1-response.json');
    const ours = await post(withServerUrl(load('no-approval.1-request.json'), deepwiki.url));
    ResponseSchema.parse(ours);
    assertHasFieldsOf(ours, recorded, 'response');
    assertItemsHaveRecordedFields(ours, recorded);
    const types = outputOf(ours).map((item) => item['type']);
    assert.equal(types[0], 'mcp_list_tools');
    assert.equal(types.at(-1), 'message');
    assert.ok(types.slice(1, -1).length >= 1 && types.slice(1, -1).every((type) => type === 'mcp_call'));
    const listed = (outputOf(ours)[0]?.['tools'] as Json[]).map((tool) => tool['name']);
    assert.deepEqual(listed, ['read_wiki_structure', 'read_wiki_contents', 'ask_question']);
    const call = outputOf(ours)[1] as Json;
    assert.deepEqual(JSON.parse(String(call['arguments'])), { repoName: 'dotnet/extensions' });
    assert.deepEqual(ours['tools'], [{ ...(recorded['tools'] as Json[])[0], server_url: deepwiki.url }]);
  });

  void it('no-approval-stream: the same event sequence as recorded (scripted to the same two calls)', async () => {
    const recorded = recordedEvents('no-approval-stream.1-response.sse.txt');
    const script = JSON.stringify({
      calls: [
        { server: 'deepwiki', tool: 'read_wiki_structure', arguments: { repoName: 'dotnet/extensions' } },
        { server: 'deepwiki', tool: 'ask_question', arguments: { repoName: 'dotnet/extensions', question: 'What is the path to the README.md?' } },
      ],
    });
    const request = withServerUrl(load('no-approval-stream.1-request.json'), deepwiki.url);
    const scripted = await postStream(emulator, { ...request, metadata: { mcpflow_script: script } });
    const natural = await postStream(emulator, request);
    for (const { events } of [scripted, natural]) {
      events.forEach((event, index) => {
        ResponseStreamEventSchema.parse(event.data);
        assert.equal(event.data.sequence_number, index);
        const twin = recorded.find((candidate) => candidate['type'] === event.data.type);
        if (twin) assertHasFieldsOf(event.data, twin, `event ${event.data.type}`);
      });
    }
    assert.deepEqual(collapseDeltas(scripted.events.map((event) => event.data.type)), collapseDeltas(recorded.map((event) => String(event['type']))));
    const final = scripted.events.at(-1)?.data['response'] as Json;
    ResponseSchema.parse(final);
    assertHasFieldsOf(final, recorded.at(-1)?.['response'] as Json, 'completed response');
  });

  void it('approval.1 then approval.2: request, then the approved call and the answer', async () => {
    const first = await post(withServerUrl(load('approval.1-request.json'), deepwiki.url));
    ResponseSchema.parse(first);
    assertHasFieldsOf(first, load('approval.1-response.json'), 'response');
    assertItemsHaveRecordedFields(first, load('approval.1-response.json'));
    const approval = outputOf(first).at(-1) as Json;
    assert.equal(approval['type'], 'mcp_approval_request');

    const followUp = withServerUrl(load('approval.2-request.json'), deepwiki.url);
    const input = (followUp['input'] as Json[]).map((item) => ({ ...item, approval_request_id: approval['id'] }));
    const second = await post({ ...followUp, previous_response_id: first['id'], input });
    ResponseSchema.parse(second);
    const recorded = load('approval.2-response.json');
    assertHasFieldsOf(second, recorded, 'response');
    assertItemsHaveRecordedFields(second, recorded);
    assert.deepEqual(
      outputOf(second).map((item) => item['type']),
      outputOf(recorded).map((item) => item['type']),
    );
    assert.equal(outputOf(second)[0]?.['approval_request_id'], approval['id']);
  });

  void it('tool-error: the failing call arrives as mcp_tool_execution_error inside a 200', async () => {
    const recorded = load('tool-error.1-response.json');
    const ours = await post(withServerUrl(load('tool-error.1-request.json'), mymcp.url));
    ResponseSchema.parse(ours);
    assertHasFieldsOf(ours, recorded, 'response');
    assertItemsHaveRecordedFields(ours, recorded);
    assert.deepEqual(
      outputOf(ours).map((item) => item['type']),
      outputOf(recorded).map((item) => item['type']),
    );
    const call = outputOf(ours)[1] as Json;
    assert.equal(call['name'], 'test_error');
    assert.deepEqual(call['error'], {
      type: 'mcp_tool_execution_error',
      content: [{ type: 'text', text: "An error occurred invoking 'test_error'." }],
    });
    assert.equal(call['output'], null);
  });
});
