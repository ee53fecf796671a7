/** The registry's rules as pure functions: what a workflow input may carry, and what the worker makes of it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { resolveServer, type ServerRegistry } from '../../activities/server-registry';
import { ServerConfigSchema, workflowInputServersProblem, type ServerConfig } from '../../src/core/servers';

const parse = (server: unknown) => ServerConfigSchema.parse(server);
const registry: ServerRegistry = {
  servers: [
    parse({ label: 'api', url: 'http://127.0.0.1:9001/mcp', authorization: { env: 'API_TOKEN' }, require_approval: 'never' }),
    parse({ label: 'files', command: 'node', args: ['files.js'], env: { ROOT: '/srv' } }),
  ],
  allowInline: false,
};

function refusal(server: ServerConfig, from: ServerRegistry = registry): string {
  try {
    resolveServer(server, from);
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure);
    assert.equal(error.nonRetryable, true);
    assert.equal(error.type, 'invalid_arguments');
    return error.message;
  }
  return assert.fail('expected a refusal');
}

describe('workflow input: which servers it may carry', () => {
  it('a label, or a URL without secrets; a command or a secret reference only marked inline', () => {
    assert.equal(workflowInputServersProblem([parse({ label: 'files' }), parse({ label: 'w', url: 'http://127.0.0.1:1/mcp' })]), undefined);
    assert.match(
      workflowInputServersProblem([parse({ label: 'w', url: 'http://127.0.0.1:1/mcp' }), parse({ label: 'x', command: 'sh' })]) ?? '',
      /^servers\[1\]: server "x": a stdio command in workflow input is refused \(rule: .*register it under "servers" in the worker's config/,
    );
    assert.match(
      workflowInputServersProblem([parse({ label: 'x', url: 'http://127.0.0.1:1/mcp', authorization: { env: 'OPENAI_API_KEY' } })]) ?? '',
      /"authorization" in workflow input is refused/,
    );
    assert.match(
      workflowInputServersProblem([parse({ label: 'x', url: 'http://127.0.0.1:1/mcp', auth: { oauth: true } })]) ?? '',
      /"auth" in workflow input is refused/,
    );
    assert.equal(workflowInputServersProblem([parse({ label: 'x', command: 'sh', inline: true })]), undefined);
  });
});

describe('the worker: resolveServer', () => {
  it("a label gets the registered definition with the input's rules", () => {
    const files = resolveServer(parse({ label: 'files', require_approval: 'never', allowed_tools: ['read'] }), registry);
    assert.deepEqual(files, { label: 'files', command: 'node', args: ['files.js'], env: { ROOT: '/srv' }, require_approval: 'never', allowed_tools: ['read'] });
    assert.match(refusal(parse({ label: 'nope' })), /server "nope" is not registered on this worker/);
  });

  it('a registered secret goes only to the URL registered for that label', () => {
    assert.deepEqual(resolveServer(parse({ label: 'api', url: 'http://127.0.0.1:9001/mcp' }), registry).authorization, { env: 'API_TOKEN' });
    const elsewhere = resolveServer(parse({ label: 'api', url: 'http://127.0.0.1:9002/mcp' }), registry);
    assert.equal(elsewhere.authorization, undefined);
    assert.equal(elsewhere.url, 'http://127.0.0.1:9002/mcp');
  });

  it('a definition in the input: refused, marked or not, unless the worker allows inline servers', () => {
    const attack = parse({ label: 'x', command: 'sh', args: ['-c', 'id'] });
    assert.match(refusal(attack), /a stdio command in workflow input is refused/);
    assert.match(refusal({ ...attack, inline: true }), /allow_inline_servers is off/);
    assert.match(
      refusal(parse({ label: 'files', url: 'http://127.0.0.1:9/mcp', headers: { 'x-key': { env: 'OPENAI_API_KEY' } } })),
      /secret references in workflow input are refused/,
    );
    assert.deepEqual(resolveServer({ ...attack, inline: true }, { ...registry, allowInline: true }), { ...attack, inline: true });
  });
});
