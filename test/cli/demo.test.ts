/**
 * `mcpflow demo` without a terminal, as `npm run demo` runs in CI: its own Temporal, emulator,
 * demo servers and worker; the calendar approval is answered automatically. Issue 21, item 9:
 * step 2 uses the tools step 1 listed and says so once; it no longer prints "using cached tools"
 * and then the turn's listing again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from './harness';

describe('mcpflow demo', { timeout: 180_000 }, () => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'mcpflow-demo-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('runs discovery, the query with an automatic approval, the answer and statistics; step 2 does not list the tools again', async () => {
    const run = await runCli(['demo'], { via: 'source', cwd: workDir, timeoutMs: 170_000 });
    assert.equal(run.code, 0, run.stderr);
    const stdout = run.stdout;
    for (const step of ['1. Discovery', '2. Query', '3. Answer', '4. Statistics', '5. Call history'])
      assert.ok(stdout.includes(step), `${step} missing:\n${stdout}`);
    const query = stdout.slice(stdout.indexOf('2. Query'), stdout.indexOf('3. Answer'));
    assert.match(query, /with the tools of step 1/);
    assert.doesNotMatch(query, /using cached tools/);
    // The tools nobody called appear in step 1's table only: step 2 shows calls, not a listing.
    assert.doesNotMatch(query, /get_forecast|create_event/, query);
    assert.match(query, /calendar · list_events approved: approved automatically/);
    assert.match(query, /Completed: answered after 2 model turns/);
  });
});
