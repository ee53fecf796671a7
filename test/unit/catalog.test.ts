import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECORDED_DIR } from '../helpers/recorded';
import { catalogFromListing, outputText, parseArguments, pendingFromApprovalRequest, recordFromMcpCall } from '../../src/core/parser';
import { ResponseSchema } from '../../src/core/schemas';
import { diffCatalogs, discoveredToolFromListed, fnv1a64, formatCatalog, isCatalogFresh, hashToolDefinition, type Catalog } from '../../src/core/tools';
import { readFileSync } from 'node:fs';
import { functionToolsFromCatalog } from '../../src/core/function-tools';
import { isToolAllowed, requiresApproval } from '../../src/core/servers';
import path from 'node:path';

const weatherTool = {
  name: 'get_current_weather',
  description: 'Current weather for a location',
  input_schema: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City name' },
      units: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
    },
    required: ['location'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true },
};

function catalog(tools: (typeof weatherTool)[], fetchedAt = '2026-11-26T10:00:00.000Z'): Catalog {
  return {
    servers: {
      weather: {
        server_label: 'weather',
        status: 'ok',
        stale: false,
        fetched_at: fetchedAt,
        error: null,
        tools: tools.map((tool) => discoveredToolFromListed(tool, 'weather')),
      },
    },
  };
}

describe('discovered tools', () => {
  it('parameters come from input_schema', () => {
    const tool = discoveredToolFromListed(weatherTool, 'weather');
    assert.equal(tool.read_only, true);
    assert.deepEqual(tool.parameters, [
      { name: 'location', type: 'string', description: 'City name', required: true },
      { name: 'units', type: 'string', description: '', required: false, default: 'celsius', enum: ['celsius', 'fahrenheit'] },
    ]);
    assert.equal(
      formatCatalog(catalog([weatherTool])),
      '[weather]\n  get_current_weather: Current weather for a location\n    - location*: string\n    - units: string',
    );
  });

  it('the definition hash ignores key order and sees real changes', () => {
    const reordered = {
      ...weatherTool,
      input_schema: { required: ['location'], additionalProperties: false, properties: weatherTool.input_schema.properties, type: 'object' },
    };
    assert.equal(hashToolDefinition(weatherTool), hashToolDefinition(reordered));
    assert.notEqual(hashToolDefinition(weatherTool), hashToolDefinition({ ...weatherTool, description: 'changed' }));
  });

  it('the definition hash is 64-bit FNV-1a, as computed with BigInt before (hashes in stored catalogs stay valid)', () => {
    const reference = (text: string) => {
      let hash = 0xcbf29ce484222325n;
      for (let index = 0; index < text.length; index++) hash = ((hash ^ BigInt(text.charCodeAt(index))) * 0x100000001b3n) & 0xffffffffffffffffn;
      return hash.toString(16).padStart(16, '0');
    };
    assert.equal(fnv1a64(''), 'cbf29ce484222325');
    assert.equal(fnv1a64('a'), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64('foobar'), '85944171f73967e8');
    for (const text of [
      'weather',
      'é€😀 mixed \u0000 text',
      JSON.stringify(weatherTool),
      'x'.repeat(5_000),
      String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 7919) % 65536)),
    ]) {
      assert.equal(fnv1a64(text), reference(text), text.slice(0, 20));
    }
  });

  it('diff reports added, removed and changed tools, and skips failed servers', () => {
    const forecast = { ...weatherTool, name: 'get_forecast' };
    const alerts = { ...weatherTool, name: 'get_alerts' };
    const before = catalog([weatherTool, forecast]);
    const after = catalog([{ ...weatherTool, description: 'v2' }, alerts]);
    const diff = diffCatalogs(before, after);
    assert.deepEqual(diff.added, [{ server_label: 'weather', name: 'get_alerts' }]);
    assert.deepEqual(diff.removed, [{ server_label: 'weather', name: 'get_forecast' }]);
    assert.equal(diff.changed.length, 1);
    assert.equal(diff.changed[0]!.name, 'get_current_weather');
    const failed: Catalog = { servers: { weather: { ...after.servers.weather!, status: 'error', tools: [] } } };
    assert.deepEqual(diffCatalogs(before, failed), { added: [], removed: [], changed: [] });
  });

  it('freshness follows the TTL and needs every server', () => {
    const cached = catalog([weatherTool], '2026-11-26T10:00:00.000Z');
    const now = Date.parse('2026-11-26T10:29:00.000Z');
    assert.equal(isCatalogFresh(cached, ['weather'], now, 30 * 60_000), true);
    assert.equal(isCatalogFresh(cached, ['weather'], now + 2 * 60_000, 30 * 60_000), false);
    assert.equal(isCatalogFresh(cached, ['weather', 'calendar'], now, 30 * 60_000), false);
  });
});

describe('response parser', () => {
  const recorded = RECORDED_DIR;
  const load = (file: string) => ResponseSchema.parse(JSON.parse(readFileSync(path.join(recorded, file), 'utf8')));

  it('maps a recorded listing and call to a catalog entry and a call record', () => {
    const response = load('no-approval.1-response.json');
    assert.ok(outputText(response).length > 0);
    const listing = response.output.find((item) => item.type === 'mcp_list_tools');
    assert.ok(listing?.type === 'mcp_list_tools');
    const entry = catalogFromListing(listing, '2026-11-30T00:00:00.000Z');
    assert.equal(entry.status, 'ok');
    assert.equal(entry.tools.length, listing.tools.length);
    assert.equal(entry.tools[0]?.server_label, listing.server_label);
    const call = response.output.find((item) => item.type === 'mcp_call');
    assert.ok(call?.type === 'mcp_call');
    const { record, error } = recordFromMcpCall(call, { started_at: '2026-11-30T00:00:00.000Z', completed_at: '2026-11-30T00:00:00.400Z' });
    assert.equal(typeof record.arguments, 'object');
    assert.equal(record.status, 'completed');
    assert.equal(record.duration_ms, 400);
    assert.equal(error, null);
  });

  it('reads an approval request with parsed arguments', () => {
    const request = load('approval.1-response.json').output.find((item) => item.type === 'mcp_approval_request');
    assert.ok(request?.type === 'mcp_approval_request');
    assert.deepEqual(pendingFromApprovalRequest(request, 'now'), {
      id: 'mcpr_04e29d5bdd80bd9f0068e6b022a9c081a2ae898104b7a75051',
      server: 'deepwiki',
      tool: 'ask_question',
      arguments: { repoName: 'dotnet/extensions' },
      requested_at: 'now',
    });
  });

  it('classifies a tool execution error on its call', () => {
    const response = load('tool-error.1-response.json');
    const call = response.output.find((item) => item.type === 'mcp_call');
    assert.ok(call?.type === 'mcp_call');
    const { record, error } = recordFromMcpCall(call, undefined);
    assert.equal(record.status, 'failed');
    assert.equal(record.error_type, 'execution_error');
    assert.deepEqual(error, { type: 'execution_error', message: "An error occurred invoking 'test_error'.", retryable: false });
    assert.equal(outputText(response), 'The tool encountered an error during execution.');
  });

  it('keeps arguments that are not a JSON object', () => {
    assert.deepEqual(parseArguments('not json'), { _raw: 'not json' });
    assert.deepEqual(parseArguments(''), {});
  });
});

describe('server rules', () => {
  it('allowed_tools as a list or a filter; require_approval as a string or filters', () => {
    assert.equal(isToolAllowed({ allowed_tools: ['query'] }, 'query', true), true);
    assert.equal(isToolAllowed({ allowed_tools: ['query'] }, 'drop', false), false);
    assert.equal(isToolAllowed({ allowed_tools: { read_only: true } }, 'query', true), true);
    assert.equal(isToolAllowed({ allowed_tools: { read_only: true } }, 'create_event', false), false);
    assert.equal(isToolAllowed({}, 'anything', false), true);
    assert.equal(requiresApproval({ require_approval: 'never' }, 'x', false), false);
    assert.equal(requiresApproval({ require_approval: 'always' }, 'x', true), true);
    const filters = { require_approval: { never: { read_only: true }, always: { tool_names: ['create_event'] } } };
    assert.equal(requiresApproval(filters, 'list_events', true), false);
    assert.equal(requiresApproval(filters, 'create_event', false), true);
    assert.equal(
      requiresApproval({ require_approval: { never: { tool_names: ['a'] } } }, 'b', false),
      true,
      'unmatched tools fall back to the default: always',
    );
  });
});

describe('function tools for direct mode', () => {
  it('names are valid, unique even when cleaning makes them collide, and bound to their tool', () => {
    const tool = (server: string, name: string) => discoveredToolFromListed({ name, input_schema: { type: 'object', properties: {} } }, server);
    const catalog: Catalog = {
      servers: {
        a__b: { server_label: 'a__b', status: 'ok', stale: false, fetched_at: null, error: null, tools: [tool('a__b', 'c')] },
        a: {
          server_label: 'a',
          status: 'ok',
          stale: false,
          fetched_at: null,
          error: null,
          tools: [tool('a', 'b__c'), tool('a', 'x.y'), tool('a', 'x_y'), tool('a', 'n'.repeat(80))],
        },
      },
    };
    const { tools, bindings } = functionToolsFromCatalog(catalog, ['a__b', 'a']);
    const names = tools.map((each) => each.name);
    assert.equal(new Set(names).size, names.length, `unique: ${names.join(', ')}`);
    for (const name of names) assert.match(name, /^[A-Za-z0-9_-]{1,64}$/);
    assert.deepEqual(
      Object.values(bindings)
        .map((binding) => `${binding.server}/${binding.tool}`)
        .sort(),
      ['a/b__c', `a/${'n'.repeat(80)}`, 'a/x.y', 'a/x_y', 'a__b/c'].sort(),
    );
  });
});
