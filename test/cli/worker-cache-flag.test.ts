/** `mcpflow worker --max-cached-workflows` / MCPFLOW_MAX_CACHED_WORKFLOWS and MCPFLOW_HEAP_GROWING_PERCENT: bad values exit 2 before any connection. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './harness';

// Nothing listens there: a usage error must come before any connection attempt.
const OFFLINE = { env: { TEMPORAL_ADDRESS: '127.0.0.1:9' }, via: 'source' as const };

describe('mcpflow worker --max-cached-workflows', () => {
  it('refuses a value that is not a positive whole number, naming the flag', async () => {
    for (const value of ['0', '-5', 'many', '2.5']) {
      const run = await runCli(['worker', '--max-cached-workflows', value], OFFLINE);
      assert.equal(run.code, 2, `${value}: ${run.stderr}`);
      assert.match(run.stderr, /--max-cached-workflows/);
      assert.match(run.stderr, /positive whole number/);
    }
  });

  it('reads MCPFLOW_MAX_CACHED_WORKFLOWS the same way', async () => {
    const run = await runCli(['worker'], { ...OFFLINE, env: { ...OFFLINE.env, MCPFLOW_MAX_CACHED_WORKFLOWS: 'lots' } });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /max-cached-workflows/);
  });
});

describe('MCPFLOW_HEAP_GROWING_PERCENT', () => {
  it('refuses a value that is not a whole percentage before connecting, naming the variable', async () => {
    const run = await runCli(['worker'], { ...OFFLINE, env: { ...OFFLINE.env, MCPFLOW_HEAP_GROWING_PERCENT: 'fast' } });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /MCPFLOW_HEAP_GROWING_PERCENT: "fast" is not a whole number/);
    assert.doesNotMatch(run.stderr, /unreachable/i);
  });
});
