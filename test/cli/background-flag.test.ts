/** `--background`: its values on query and batch run, and the config key (exit 2 on bad input, no Temporal needed). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, scratchDir } from './harness';

const SERVER = 'weather=http://127.0.0.1:9/mcp';
// Nothing listens there: a usage error must come before any connection attempt.
const OFFLINE = { env: { TEMPORAL_ADDRESS: '127.0.0.1:9' }, via: 'source' as const };

describe('mcpflow --background', () => {
  it('refuses an unknown mode on query and batch run, naming the choices', async () => {
    const query = await runCli(['query', 'hi', '--server', SERVER, '--background', 'sometimes'], OFFLINE);
    assert.equal(query.code, 2);
    assert.match(query.stderr, /--background.*sometimes.*auto.*on.*off/s);
    const file = path.join(scratchDir(), 'lines.txt');
    writeFileSync(file, 'hi\n');
    const batch = await runCli(['batch', 'run', file, '--server', SERVER, '--background', 'always'], OFFLINE);
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /--background.*always.*auto.*on.*off/s);
  });

  it('the config file takes background as a default and refuses other values', async () => {
    const config = path.join(scratchDir(), 'mcpflow.config.json');
    writeFileSync(config, JSON.stringify({ defaults: { background: 'sometimes' } }));
    const run = await runCli(['query', 'hi', '--server', SERVER, '--config', config], OFFLINE);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /defaults\.background/);
  });
});
