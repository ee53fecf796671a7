/**
 * Hundreds of malformed request bodies: each gets an OpenAI-shaped 4xx error naming the bad
 * parameter, and the emulator keeps serving afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateResponseRequestSchema, ErrorBodySchema } from '../../src/core/schemas';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { postJson } from './helpers';

type Json = Record<string, unknown>;

const validBody = (): Json => ({
  model: 'gpt-4o-mini',
  input: [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    { role: 'user', content: 'plain' },
  ],
  instructions: 'Be brief.',
  tools: [
    {
      type: 'mcp',
      server_label: 'weather',
      server_url: 'http://127.0.0.1:9/mcp',
      headers: { 'X-A': 'b' },
      allowed_tools: ['get_current_weather'],
      require_approval: { never: { tool_names: ['x'] } },
    },
    { type: 'function', name: 'fn', parameters: { type: 'object' }, strict: true },
  ],
  stream: false,
  store: true,
  metadata: { a: 'b' },
  max_tool_calls: 3,
});

const PATHS: (string | number)[][] = [
  ['model'],
  ['input'],
  ['input', 0],
  ['input', 0, 'role'],
  ['input', 0, 'content'],
  ['input', 0, 'content', 0],
  ['input', 0, 'content', 0, 'type'],
  ['input', 0, 'content', 0, 'text'],
  ['input', 1, 'content'],
  ['instructions'],
  ['tools'],
  ['tools', 0],
  ['tools', 0, 'type'],
  ['tools', 0, 'server_label'],
  ['tools', 0, 'server_url'],
  ['tools', 0, 'headers'],
  ['tools', 0, 'headers', 'X-A'],
  ['tools', 0, 'allowed_tools'],
  ['tools', 0, 'allowed_tools', 0],
  ['tools', 0, 'require_approval'],
  ['tools', 0, 'require_approval', 'never'],
  ['tools', 0, 'require_approval', 'never', 'tool_names'],
  ['tools', 0, 'authorization'],
  ['tools', 0, 'server_description'],
  ['tools', 1, 'name'],
  ['tools', 1, 'parameters'],
  ['tools', 1, 'strict'],
  ['tools', 1, 'description'],
  ['previous_response_id'],
  ['stream'],
  ['store'],
  ['metadata'],
  ['metadata', 'a'],
  ['max_tool_calls'],
];

const WRONG_VALUES: unknown[] = [42, -1.5, true, null, 'text', '', [], [1], {}, { a: 1 }, 'x'.repeat(600)];

function setAt(body: Json, path: readonly (string | number)[], value: unknown): Json {
  const copy = structuredClone(body);
  let node: Record<string | number, unknown> = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
  return copy;
}

function deleteAt(body: Json, path: readonly (string | number)[]): Json {
  const copy = structuredClone(body);
  let node: Record<string | number, unknown> = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) delete node[last];
  return copy;
}

interface Case {
  name: string;
  raw: string;
  /** The top-level parameter the error must name, when known. */
  root?: string;
  /** The real API's message for an unknown previous_response_id does not repeat the parameter. */
  messageOmitsParam?: boolean;
}

function generateCases(): Case[] {
  const cases: Case[] = [];
  for (const path of PATHS) {
    for (const value of WRONG_VALUES) {
      const body = setAt(validBody(), path, value);
      // Only bodies the API's schema rejects: a wrong value that happens to be valid is not a case.
      if (CreateResponseRequestSchema.safeParse(body).success) continue;
      cases.push({ name: `${path.join('.')} = ${JSON.stringify(value).slice(0, 20)}`, raw: JSON.stringify(body), root: String(path[0]) });
    }
  }
  for (const required of [['model'], ['input', 0, 'role'], ['tools', 0, 'type'], ['tools', 0, 'server_label'], ['tools', 1, 'name'], ['input', 0, 'content']]) {
    cases.push({ name: `missing ${required.join('.')}`, raw: JSON.stringify(deleteAt(validBody(), required)), root: String(required[0]) });
  }
  const badTools: unknown[] = [
    { type: 'web_browser' },
    { type: 'mcp' },
    { type: 'mcp', server_label: '' },
    { type: 'mcp', server_label: 'a', server_url: 'not a url' },
    { type: 'mcp', server_label: 'a', require_approval: 'sometimes' },
    { type: 'mcp', server_label: 'a', require_approval: { maybe: {} } },
    { type: 'mcp', server_label: 'a', allowed_tools: { tool_names: 'x' } },
    { type: 'mcp', server_label: 'a', allowed_tools: { names: ['x'] } },
    { type: 'function' },
    { type: 'function', name: '' },
  ];
  badTools.forEach((tool, index) => cases.push({ name: `bad tool ${index}`, raw: JSON.stringify({ model: 'm', input: 'x', tools: [tool] }), root: 'tools' }));
  const badInputs: unknown[] = [
    { role: 'robot', content: 'x' },
    { type: 'mcp_approval_response', approve: true },
    { type: 'mcp_approval_response', approval_request_id: 'mcpr_x' },
    { type: 'mcp_approval_response', approval_request_id: '', approve: true },
    { type: 'function_call_output', call_id: 'c' },
    { type: 'function_call_output', output: 'x' },
    { type: 'unknown_item' },
    { role: 'user', content: [{ type: 'input_image' }] },
    { role: 'user', content: 5 },
    7,
  ];
  badInputs.forEach((item, index) =>
    // The API names an unknown item type in the message ("Invalid value: 'unknown_item'. Supported values are: ..."), not the parameter.
    cases.push({ name: `bad input ${index}`, raw: JSON.stringify({ model: 'm', input: [item] }), root: 'input', messageOmitsParam: index === 6 }),
  );
  for (const raw of ['', 'not json', '{', '{"model":', "{'model':'x'}", '[1,2', 'undefined', 'NaN', '{"model":"x",}', '\u0000']) {
    cases.push({ name: `non-JSON ${JSON.stringify(raw)}`, raw });
  }
  for (const raw of ['null', '[]', '[{"model":"x"}]', '42', '"text"', 'true', '{}', '{"input":"hi"}', '{"model":""}', '{"model":null,"input":"x"}']) {
    cases.push({ name: `wrong body ${raw}`, raw });
  }
  // Accepted by the schema, rejected by the API's own rules.
  cases.push({ name: 'mcp without server_url', raw: JSON.stringify({ model: 'm', input: 'x', tools: [{ type: 'mcp', server_label: 'a' }] }), root: 'tools' });
  cases.push({
    name: 'duplicate server_label',
    raw: JSON.stringify({ model: 'm', input: 'x', tools: [0, 1].map(() => ({ type: 'mcp', server_label: 'a', server_url: 'http://127.0.0.1:9/mcp' })) }),
    root: 'tools',
  });
  cases.push({ name: 'bad script', raw: JSON.stringify({ model: 'm', input: 'x', metadata: { mcpflow_script: '{nope' } }), root: 'metadata' });
  cases.push({
    name: 'unknown previous id',
    raw: JSON.stringify({ model: 'm', input: 'x', previous_response_id: 'resp_x' }),
    root: 'previous_response_id',
    messageOmitsParam: true,
  });
  return cases;
}

void describe('emulator: malformed requests', () => {
  let emulator: EmulatorHandle;
  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await emulator.close();
  });

  void it('answers at least 200 malformed bodies with OpenAI-shaped 4xx errors and keeps serving', async () => {
    const cases = generateCases();
    assert.ok(cases.length >= 200, `only ${cases.length} cases generated`);
    console.log(`${cases.length} malformed bodies`);
    for (const testCase of cases) {
      const { status, body, headers } = await postJson(`${emulator.url}/responses`, testCase.raw);
      assert.ok(status >= 400 && status < 500, `${testCase.name}: status ${status} ${JSON.stringify(body)}`);
      const error = ErrorBodySchema.parse(body, { reportInput: true }).error;
      assert.equal(error.type, 'invalid_request_error', testCase.name);
      assert.ok(headers.get('x-request-id')?.startsWith('req_'), testCase.name);
      if (testCase.root) {
        assert.ok(error.param?.startsWith(testCase.root), `${testCase.name}: param ${error.param} should name ${testCase.root}`);
        // The API names a value outside an enum, not the parameter: "Invalid value: 'x'. Supported values are: ...".
        const namesValue = error.code === 'invalid_value' && error.message.startsWith('Invalid value: ');
        if (!testCase.messageOmitsParam && !namesValue)
          assert.ok(error.message.includes(error.param ?? '\u0000'), `${testCase.name}: message should name ${error.param}: ${error.message}`);
      }
    }
    const still = await postJson(`${emulator.url}/responses`, JSON.stringify({ model: 'gpt-4o-mini', input: 'hello' }));
    assert.equal(still.status, 200);
  });

  void it('answers unknown routes and methods with 404 Invalid URL', async () => {
    for (const [method, path] of [
      ['GET', '/v1/unknown'],
      ['POST', '/v1/chat'],
      ['PUT', '/v1/responses'],
      ['GET', '/'],
      ['POST', '/v1/responses/x/y'],
    ]) {
      const response = await fetch(`${emulator.url.replace(/\/v1$/, '')}${path}`, { method: method ?? 'GET' });
      assert.equal(response.status, 404);
      const error = ErrorBodySchema.parse(await response.json()).error;
      assert.match(error.message, /Invalid URL/);
    }
  });
});
