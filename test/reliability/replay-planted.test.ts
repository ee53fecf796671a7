/**
 * Old histories replay, and the replay check would catch a change that breaks them: every
 * fixture of test/fixtures/histories replays against today's workflows, and against a copy of
 * the workflows with a planted non-deterministic change (a timer at the start of runQuery, an
 * extra activity call at the start of mcpSession and runBatch) each one fails with
 * DeterminismViolationError. The real workflows are never touched: the copy lives in test/.tmp.
 * A row of docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { PAYLOAD_CONVERTER_PATH } from '../../src/codec/data-converter';
import { HISTORY_FIXTURES, readHistoryIndex } from '../helpers/histories';
import { reliabilityRows } from '../helpers/reliability-report';
import { getWorkflowBundle, REPO_ROOT } from '../helpers/temporal';

const rows = reliabilityRows(80, 'replay-planted');
after(() => rows.flush());

const WORKFLOWS = path.join(REPO_ROOT, 'workflows');

/** The planted changes: file, the line to find, what to add after it. */
const PLANTS: Array<{ file: string; anchor: string; add: string; imports: string; fixtures: string }> = [
  {
    file: 'query/index.ts',
    anchor: '  registerHandlers(run, approvals);\n',
    add: '  await plantedSleep(1);\n',
    imports: "import { sleep as plantedSleep } from '@temporalio/workflow';\n",
    fixtures: 'query-',
  },
  {
    file: 'session/index.ts',
    anchor: '  const session = new Session(input);\n',
    add: "  await proxyActivities<Record<string, () => Promise<void>>>({ startToCloseTimeout: '1 minute' }).plantedActivity!();\n",
    imports: '',
    fixtures: 'session-',
  },
  {
    file: 'batch/index.ts',
    anchor: "  const input = parseInput(BatchInputSchema, rawInput, 'runBatch');\n",
    add: "  await plantedActivities<Record<string, () => Promise<void>>>({ startToCloseTimeout: '1 minute' }).plantedActivity!();\n",
    imports: "import { proxyActivities as plantedActivities } from '@temporalio/workflow';\n",
    fixtures: 'batch-',
  },
];

const REFUSED_AT_INPUT = /-refused-/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/**
 * A copy of workflows/ in test/.tmp with the plants: imports that leave workflows/ (src/core,
 * activities) point at the originals by absolute path, so the copy bundles like the real thing.
 */
function plantedCopy(): string {
  const dir = path.join(REPO_ROOT, 'test', '.tmp', `planted-workflows-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(WORKFLOWS, dir, { recursive: true });
  for (const copy of filesUnder(dir)) {
    const original = path.join(WORKFLOWS, path.relative(dir, copy));
    let text = readFileSync(copy, 'utf8').replace(/(from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g, (whole, head: string, specifier: string) => {
      const target = path.resolve(path.dirname(original), specifier);
      return target.startsWith(WORKFLOWS + path.sep) ? whole : `${head}'${target}'`;
    });
    const plant = PLANTS.find((each) => path.join(dir, each.file) === copy);
    if (plant) {
      assert.ok(text.includes(plant.anchor), `the plant's anchor is in ${plant.file} (update PLANTS if the workflow changed)`);
      text = plant.imports + text.replace(plant.anchor, plant.anchor + plant.add);
    }
    writeFileSync(copy, text);
  }
  return dir;
}

function fixtureHistories(prefixes: string[]) {
  const index = readHistoryIndex();
  return (
    readdirSync(HISTORY_FIXTURES)
      .filter(
        (file) =>
          file.endsWith('.json') && file !== 'index.json' && prefixes.some((prefix) => file.startsWith(prefix) || file.startsWith(`before-0.2-${prefix}`)),
      )
      // A run its input check refused ends before the plant: it has nothing to diverge on (it still replays in test/replay).
      .filter((file) => !REFUSED_AT_INPUT.test(file))
      .sort()
      .map((file) => ({ file, workflowId: index[file]!, history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORY_FIXTURES, file), 'utf8'))) }))
  );
}

async function replayAll(bundle: Awaited<ReturnType<typeof getWorkflowBundle>>, histories: ReturnType<typeof fixtureHistories>): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle },
    histories.map(({ workflowId, history }) => ({ workflowId, history })),
  ))
    results.push(result);
  return results;
}

describe('reliability: replay', () => {
  it(
    "every fixture replays against today's workflows; a planted non-deterministic change fails each with DeterminismViolationError",
    { timeout: 5 * 60_000 },
    async () => {
      const histories = fixtureHistories(PLANTS.map((plant) => plant.fixtures));
      assert.ok(histories.length >= 10, `fixtures found: ${histories.length}`);
      const today = await replayAll(await getWorkflowBundle(), histories);
      const replayed = today.filter((result) => !result.error).length;

      const dir = plantedCopy();
      let caught = 0;
      let other: string[] = [];
      try {
        const { code } = await bundleWorkflowCode({
          workflowsPath: path.join(dir, 'index.ts'),
          payloadConverterPath: PAYLOAD_CONVERTER_PATH,
          logger: new DefaultLogger('WARN'),
        });
        const planted = await replayAll({ code }, histories);
        caught = planted.filter((result) => result.error instanceof DeterminismViolationError).length;
        other = planted
          .filter((result) => !(result.error instanceof DeterminismViolationError))
          .map((result) => `${result.workflowId}: ${result.error?.message ?? 'replayed without error'}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      rows.push({
        scenario: `old histories replay (${histories.length} fixtures of test/fixtures/histories: queries, sessions, batches, incl. before-0.2 ones) and a planted non-deterministic change (a copy of the workflows with a timer added to runQuery, an activity call added to mcpSession and runBatch) is caught`,
        runs: histories.length * 2,
        completed: replayed + caught,
        lost: 0,
        duplicated: '0',
        expected:
          replayed === histories.length && caught === histories.length
            ? `yes: ${replayed} of ${histories.length} replay today; ${caught} of ${histories.length} fail with DeterminismViolationError against the planted change`
            : 'NO',
      });
      assert.deepEqual(
        today.filter((result) => result.error).map((result) => `${result.workflowId}: ${result.error?.message}`),
        [],
      );
      assert.deepEqual(other, [], 'every history fails on the planted change, as a determinism violation');
      assert.equal(caught, histories.length);
    },
  );
});
