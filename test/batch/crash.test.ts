/**
 * Acceptance: a batch survives two worker SIGKILLs and a dev server restart. Every line has
 * exactly one result in --out; each approved side effect ran exactly once; after the last
 * restart no line ran its read-only call twice. `npm test` runs 200 lines at concurrency 20;
 * the bench (`npm run bench -- batch`) the 1,000 (MCPFLOW_BATCH_CRASH_LINES to change).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCrashScenario } from './crash-scenario';

const LINES = Number(process.env.MCPFLOW_BATCH_CRASH_LINES ?? 200);

describe('a batch through worker crashes and a dev server restart', () => {
  it(`${LINES} lines at concurrency 20: one result per line, side effects exactly once`, { timeout: 15 * 60_000 }, async () => {
    const outcome = await runCrashScenario({ lines: LINES, concurrency: 20, log: (line) => console.log(`# ${line}`) });
    assert.equal(outcome.exitCode, 0, outcome.cliOutput);
    assert.equal(outcome.results.length, LINES, 'one result per line');
    const ids = new Set(outcome.results.map((result) => result.id));
    assert.equal(ids.size, LINES, 'no line twice');
    for (let i = 1; i <= LINES; i++) assert.ok(ids.has(`l-${i}`), `line l-${i} has its result`);
    assert.ok(outcome.results.every((result) => result.success), 'every line succeeded');
    assert.equal(outcome.sideEffectCalls, outcome.sideEffectLines, 'each approved side effect ran exactly once');
    assert.ok(
      outcome.readOnlyCallsAfterRestart <= outcome.readOnlyLinesAfterRestart,
      `read-only calls after the last restart (${outcome.readOnlyCallsAfterRestart}) at most one per line left (${outcome.readOnlyLinesAfterRestart})`,
    );
    assert.equal(outcome.events.length, 3);
    assert.ok(outcome.doneAtRestart < LINES, `the dev server restarted mid-run (${outcome.doneAtRestart} of ${LINES} done)`);
  });
});
