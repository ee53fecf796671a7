/** `--conversation`: its values, its refusal with `--session`, and the config key (exit 2 on bad input, no Temporal needed). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, scratchDir } from './harness';

const SERVER = 'weather=http://127.0.0.1:9/mcp';
// Nothing listens there: a usage error must come before any connection attempt.
const OFFLINE = { env: { TEMPORAL_ADDRESS: '127.0.0.1:9' }, via: 'source' as const };

describe('mcpflow query --conversation', () => {
  it('refuses an unknown mode and the combination with --session, naming the fix', async () => {
    const bad = await runCli(['query', 'hi', '--server', SERVER, '--conversation', 'forever'], OFFLINE);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--conversation.*forever.*(stored|stateless)/s);
    const withSession = await runCli(['query', 'hi', '--session', 'team', '--conversation', 'stored'], OFFLINE);
    assert.equal(withSession.code, 2);
    assert.match(withSession.stderr, /--conversation applies to a query run on its own/);
  });

  it('the config file takes conversation as a default and refuses other values', async () => {
    const dir = scratchDir();
    const config = path.join(dir, 'mcpflow.config.json');
    writeFileSync(config, JSON.stringify({ defaults: { conversation: 'sometimes' } }));
    const run = await runCli(['query', 'hi', '--server', SERVER, '--config', config], OFFLINE);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /defaults\.conversation/);
  });
});
