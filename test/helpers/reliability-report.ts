/**
 * The rows of docs/reliability.md. Every test file of test/reliability runs in its own process
 * (node --test), so each one writes its rows to a file of this test run and then renders the
 * report from all the row files the run has so far: whichever file finishes last writes the
 * whole report. `npm run test:reliability` (MCPFLOW_RELIABILITY_REPORT=1) writes the report;
 * under `npm test` the rows are only kept under test/.tmp.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './temporal';

export interface ReliabilityRow {
  scenario: string;
  runs: number;
  completed: number;
  lost: number;
  duplicated: string;
  expected: string;
  /** Where the row is produced: by `npm test` too, or only by `npm run test:reliability` (long scenarios). */
  where?: 'npm test' | 'test:reliability only';
  /** Its place in the report (rows of a kind stay together across files); default: the file's order. */
  section?: number;
}

/** Long scenarios (a 30 s outage, a 50-run dev-server restart) run only under `npm run test:reliability`. */
export const FULL_RELIABILITY = process.env.MCPFLOW_RELIABILITY_REPORT === '1';
/** `it(..., { skip: ONLY_IN_FULL_RUN }, ...)` for a scenario too long for `npm test`. */
export const ONLY_IN_FULL_RUN: string | false = FULL_RELIABILITY ? false : 'a long scenario: runs under `npm run test:reliability`';

/** One directory per test run: node --test runs every file as a child of one runner process. */
function runDir(): string {
  const server = (process.env.MCPFLOW_TEST_TEMPORAL_ADDRESS ?? 'own').replace(/[^A-Za-z0-9]/g, '_');
  return path.join(REPO_ROOT, 'test', '.tmp', 'reliability', `${server}-${process.ppid}`);
}

/** Rows of one test file; `order` places its rows in the report (files finish in any order). */
export function reliabilityRows(order: number, name: string) {
  const rows: ReliabilityRow[] = [];
  return {
    push(row: ReliabilityRow) {
      rows.push({ where: 'npm test', section: order, ...row });
    },
    /** For an `after()` hook: keeps this file's rows and renders the report from every file's so far. */
    flush() {
      const dir = runDir();
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${String(order).padStart(2, '0')}-${name}.json`), JSON.stringify(rows));
      if (FULL_RELIABILITY) writeReport(dir);
    },
  };
}

function readRows(dir: string): ReliabilityRow[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ReliabilityRow[])
    .sort((a, b) => (a.section ?? 0) - (b.section ?? 0)); // stable: a file's rows keep their order
}

function writeReport(dir: string) {
  const rows = readRows(dir);
  const killPoints = rows.filter((row) => row.scenario.startsWith('worker SIGKILL')).length;
  const malformed = rows.filter((row) => /^generated malformed|^hostile Responses/.test(row.scenario)).reduce((sum, row) => sum + row.runs, 0);
  const lost = rows.reduce((sum, row) => sum + row.lost, 0);
  const lines = [
    '# Reliability report',
    '',
    'Written by `npm run test:reliability` (the files of test/reliability) on real components: a Temporal dev server, worker',
    'processes killed with SIGKILL or stopped with SIGTERM, the Responses API emulator, the demo MCP servers, a hostile MCP server',
    'and a hostile Responses API server, all on loopback. "completed" counts runs that ended as they should (a completed query;',
    'a malformed input refused or ignored; a run failed with the classified error it should have). "runs in": `npm test` rows',
    'also run in CI (`npm test` runs the same scenarios as plain tests); the others only under `npm run test:reliability`.',
    '',
    '| scenario | runs | completed | lost | duplicated side effects | errors as expected | runs in |',
    '|---|---:|---:|---:|---|---|---|',
    ...rows.map(
      (row) => `| ${row.scenario} | ${row.runs} | ${row.completed} | ${row.lost} | ${row.duplicated} | ${row.expected} | ${row.where ?? 'npm test'} |`,
    ),
    '',
    `In all: ${rows.length} scenarios, ${lost} runs lost; worker SIGKILL at ${killPoints} distinct points; ${malformed.toLocaleString('en')} generated malformed inputs`,
    '(workflow inputs, updates, signals, config files, CLI arguments, hostile API responses).',
    '',
    'Also covered by tests in test/reliability (not rows here): a 1.1 MB query asked twice in a session is refused by the',
    'executeQuery validator with the size and the limit (sizes.test.ts); twelve queries waiting for approval in one session',
    'while refreshTools, addServer and another query work (test/workflows/session.test.ts); a query waiting for approval',
    'across continue-as-new (same file); every fixture history replays (test/replay).',
    '',
    "Security, covered by tests outside test/reliability: with encryption on, a failure's message and stack (a tool's error",
    'text, an HTTP 401 body) are ciphertext in the stored history and decode with the keys, and a run started without keys on',
    'an encrypting worker fails at once with 0 workflow-task failures (test/codec/encrypted-failures.test.ts); the codec server',
    'refuses a DNS-rebinding-shaped request (foreign Host and Origin) with 403, a caller without the token with 401, and',
    '/encode without the token (test/codec/codec-server.test.ts); `progress` and `answer` with no worker exit 5 in 10 of 10',
    'tries, and a keyed client facing a keyless worker is told the key id and the variable (test/cli/no-worker-detected.test.ts).',
    '',
  ];
  writeFileSync(path.join(REPO_ROOT, 'docs', 'reliability.md'), lines.join('\n'));
}
