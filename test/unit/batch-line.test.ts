/** The rules of a batch line as an activity (src/core/batch-line.ts): which lines try it, and which calls hand the line back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callEscalation, childOnlyReason, resolveCall } from '../../src/core/batch-line';
import { functionToolsFromCatalog } from '../../src/core/function-tools';
import { listedServerCatalog } from '../../src/core/parser';
import { ServerConfigSchema } from '../../src/core/servers';
import { discoveredToolFromListed, type Catalog } from '../../src/core/tools';

const tool = (name: string, readOnly: boolean) =>
  discoveredToolFromListed({ name, description: name, input_schema: { type: 'object' }, annotations: { readOnlyHint: readOnly } }, 'srv');

const catalog: Catalog = { servers: { srv: listedServerCatalog('srv', [tool('read', true), tool('write', false)], '2026-12-06T00:00:00Z') } };
const { bindings } = functionToolsFromCatalog(catalog, ['srv']);
const server = (require_approval: unknown) => ServerConfigSchema.parse({ label: 'srv', url: 'http://127.0.0.1:1/mcp', require_approval });
const escalation = (name: string, approval: unknown) => callEscalation(name, resolveCall(name, bindings, catalog, [server(approval)]));

describe('batch line as an activity: which lines try it', () => {
  it('hosted lines: servers that all ask for approval, or that never ask in a stateless conversation; mixes and filters start as a child', () => {
    assert.equal(childOnlyReason({ mode: 'hosted', servers: [{ require_approval: 'always' }, {}] }), null, 'absent is the API default, always');
    assert.equal(childOnlyReason({ servers: [{ require_approval: 'never' }] }), null, 'the default mode is hosted; the default conversation stateless');
    assert.equal(childOnlyReason({ servers: [{ require_approval: 'never' }], conversation: 'stored', background: 'off' }), null);
    assert.match(childOnlyReason({ servers: [{ require_approval: 'never' }], conversation: 'stored' }) ?? '', /background/);
    assert.match(childOnlyReason({ servers: [{ require_approval: 'never' }], approval_timeout_ms: 60_000 }) ?? '', /stored/, 'a short approval timeout stores');
    assert.match(childOnlyReason({ servers: [{ require_approval: 'never' }, { require_approval: 'always' }] }) ?? '', /servers that ask/);
    assert.match(childOnlyReason({ servers: [{ require_approval: { never: { read_only: true } } }] }) ?? '', /filter/);
    assert.match(childOnlyReason({ servers: [{}], max_tokens: 5 }) ?? '', /budget/);
  });

  it('direct lines without budgets, fallback, standing approvals or background "on" may; every other line starts as a child', () => {
    assert.equal(childOnlyReason({ mode: 'direct' }), null);
    assert.equal(childOnlyReason({ mode: 'direct', background: 'auto', standing_approvals: [] }), null);
    assert.match(childOnlyReason({ mode: 'direct', background: 'on' }) ?? '', /background/);
    assert.match(childOnlyReason({ mode: 'direct', max_tokens: 10 }) ?? '', /budget/);
    assert.match(childOnlyReason({ mode: 'direct', max_cost_usd: 1 }) ?? '', /budget/);
    assert.match(childOnlyReason({ mode: 'direct', fallback_result: {} }) ?? '', /fallback/);
    assert.match(childOnlyReason({ mode: 'direct', standing_approvals: [{}] }) ?? '', /standing/);
  });
});

describe('batch line as an activity: which calls hand the line back', () => {
  it('a read-only tool needing no approval runs in the activity', () => {
    assert.equal(escalation('srv__read', 'never'), null);
    assert.equal(escalation('srv__read', { never: { read_only: true } }), null);
  });

  it('a tool with side effects, one needing approval, or one not in the catalog goes to the child', () => {
    assert.match(escalation('srv__write', 'never') ?? '', /side effects/, 'even without approval: a retried activity would send it again');
    assert.match(escalation('srv__read', 'always') ?? '', /needs approval/);
    assert.match(escalation('srv__read', { never: { tool_names: ['other'] } }) ?? '', /needs approval/, 'unmatched filters ask');
    assert.match(escalation('srv__gone', 'never') ?? '', /not in the catalog/);
  });
});
