/**
 * `npm run bench -- batch`: the batch benchmarks of issue #11, written to docs/benchmarks-batch.md
 * and docs/benchmarks-batch.json.
 *
 *   1. A large batch (default 100,000 tiny scripted lines, concurrency 200) through the bench's own
 *      stack (dev server, services and worker in their own processes): duration, queries/s, and
 *      every run of the continue-as-new chain measured against Temporal's history warnings
 *      (10,240 events, 10 MiB). With a time budget (MCPFLOW_BENCH_BATCH_BUDGET_MIN, default 20):
 *      past it the batch is cancelled, and the full size is extrapolated from the rate measured.
 *   2. The acceptance scenario (test/batch/crash-scenario.ts) at 1,000 lines, concurrency 20, two
 *      worker SIGKILLs and a dev server restart.
 *
 * Sizes: MCPFLOW_BENCH_BATCH_LINES, MCPFLOW_BENCH_BATCH_CONCURRENCY, MCPFLOW_BATCH_CRASH_LINES;
 * MCPFLOW_BENCH_BATCH_PARTS=cost,large,crash picks parts; the per-line cost (batch-lines.ts) takes
 * MCPFLOW_BENCH_BATCH_COST_LINES (1,000), MCPFLOW_BENCH_BATCH_COST_CONCURRENCY (50), MCPFLOW_BENCH_BATCH_COST_ROUNDS (3),
 * MCPFLOW_BENCH_BATCH_PROTOTYPE (lines per activity of the prototypes measured beside it, "1,10"; "" for none; direct mode only),
 * MCPFLOW_BENCH_BATCH_COST_MODE (direct, the default, or hosted: the lines, the batch and the plain loop in that mode).
 * MCPFLOW_BENCH_BATCH_MODE (hosted, the default, or direct) is the large batch's mode: direct lines
 * run as activities of the batch (issue 26), hosted ones as runQuery children.
 * The `cluster` part (not a default: it needs PostgreSQL) runs a batch on the PostgreSQL topology with
 * three workers (batch-cluster.ts): MCPFLOW_BENCH_BATCH_CLUSTER_LINES (10,000), MCPFLOW_BENCH_BATCH_CLUSTER_CONCURRENCY (200),
 * MCPFLOW_BENCH_BATCH_CLUSTER_BUDGET_MIN (40: past it the batch is cancelled).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { BatchLine } from '../../workflows/batch/messages';
import { runCrashScenario, type CrashScenarioOutcome } from '../batch/crash-scenario';
import { clusterBatch, type ClusterBatchResult } from './batch-cluster';
import { renderClusterBatch } from './batch-cluster-report';
import { batchLinesCost, type BatchLinesResult } from './batch-lines';
import { costSummary, renderBatchLines, renderCostRuns, type CostSummary } from './batch-lines-report';
import { REPO_ROOT } from './child';
import { feedAndFollow } from './batch-feed';
import { log } from './log';
import { startStack } from './stack';

const HISTORY_EVENTS_WARNING = 10_240;
const HISTORY_BYTES_WARNING = 10 * 1024 * 1024;

interface ChainRun {
  run_id: string;
  status: string;
  history_events: number;
  history_bytes: number | null;
}

/** When, on which commit and on how busy a machine a part ran (each part keeps its own when only others run again). */
interface RunStamp {
  ran?: { date: string; commit: string; load_average: number; command: string };
}

interface LargeBatchResult extends RunStamp {
  /** The lines' mode (absent: hosted). */
  mode?: 'hosted' | 'direct';
  lines: number;
  concurrency: number;
  completed: boolean;
  done: number;
  failed: number;
  duration_ms: number;
  queries_per_second: number;
  /** Full size at the measured rate, when the budget cut the run short. */
  extrapolated_duration_ms: number | null;
  chain: ChainRun[];
  max_history_events: number;
  max_history_bytes: number;
  under_warnings: boolean;
}

export interface BatchBenchResults {
  date: string;
  commit: string;
  large?: LargeBatchResult;
  /** Per-line cost beside a plain loop (batch-lines.ts), with the commit it ran on. */
  cost?: BatchLinesResult & { date: string; commit: string };
  /** Earlier per-line cost runs in brief (the candidates measured), oldest first. */
  cost_runs?: CostSummary[];
  /** A batch on the PostgreSQL topology with three workers, with its own date and commit. */
  cluster?: ClusterBatchResult;
  crash?: Omit<CrashScenarioOutcome, 'results' | 'cliOutput'> & RunStamp & { results: number; unique_results: number; all_succeeded: boolean };
  failures: string[];
}

function tinyLine(n: number): BatchLine {
  return { n, key: `l-${n}`, query: `q${n}`, metadata: { mcpflow_script: JSON.stringify({ calls: [], answer: `a${n}` }) } };
}

const LARGE_MODE = process.env.MCPFLOW_BENCH_BATCH_MODE === 'direct' ? 'direct' : 'hosted';

function runStamp(results: BatchBenchResults, variables: string): RunStamp {
  return {
    ran: { date: results.date, commit: results.commit, load_average: Math.round(loadavg()[0]! * 100) / 100, command: `${variables} npm run bench -- batch` },
  };
}

function stampLine(part: RunStamp): string[] {
  return part.ran
    ? [`Run of ${part.ran.date}, commit ${part.ran.commit}, load average ${part.ran.load_average} at the start: \`${part.ran.command}\`.`, '']
    : [];
}

async function largeBatch(lines: number, concurrency: number, budgetMs: number): Promise<LargeBatchResult> {
  const stack = await startStack({ log, extraServers: 0, maxConversations: 2_000 });
  try {
    const client = stack.client;
    const batchId = `bench-batch-${stack.taskQueue}`;
    const all = Array.from({ length: lines }, (_, i) => tinyLine(i + 1));
    const started = Date.now();
    await client.batches.startOrAttach(batchId, {
      total: lines,
      servers: [{ label: 'weather', url: stack.services.weather.url, require_approval: 'never' }],
      concurrency,
      stream: false,
      mode: LARGE_MODE,
    });
    const { final, endedAt } = await feedAndFollow(client, batchId, all, started, budgetMs);
    const duration = endedAt - started;
    const chain: ChainRun[] = [];
    for await (const run of client.temporal.workflow.list({ query: `WorkflowId = '${batchId}'` })) {
      chain.push({ run_id: run.runId, status: run.status.name, history_events: run.historyLength, history_bytes: run.historySize ?? null });
    }
    const maxEvents = Math.max(...chain.map((run) => run.history_events));
    const maxBytes = Math.max(...chain.map((run) => run.history_bytes ?? 0));
    const rate = (final.done * 1000) / duration;
    const completed = final.status === 'completed';
    return {
      lines,
      concurrency,
      completed,
      done: final.done,
      failed: final.failed,
      duration_ms: duration,
      queries_per_second: Math.round(rate * 10) / 10,
      extrapolated_duration_ms: completed || rate === 0 ? null : Math.round((lines / rate) * 1000),
      chain,
      max_history_events: maxEvents,
      max_history_bytes: maxBytes,
      under_warnings: maxEvents < HISTORY_EVENTS_WARNING && maxBytes < HISTORY_BYTES_WARNING,
    };
  } finally {
    await stack.stop();
  }
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function render(results: BatchBenchResults): string {
  const out = [`# Batch benchmarks`, '', `Run of ${results.date}, commit ${results.commit}, \`npm run bench -- batch\` (test/bench/batch.ts).`, ''];
  if (results.cost) {
    out.push(...renderBatchLines(results.cost));
    out.push(
      `Run of ${results.cost.date}, commit ${results.cost.commit}: \`MCPFLOW_BENCH_BATCH_PARTS=cost MCPFLOW_BENCH_BATCH_COST_MODE=${results.cost.mode ?? 'direct'} MCPFLOW_BENCH_BATCH_COST_LINES=${results.cost.lines} MCPFLOW_BENCH_BATCH_COST_CONCURRENCY=${results.cost.concurrency} MCPFLOW_BENCH_BATCH_COST_ROUNDS=${results.cost.rounds.length} MCPFLOW_BENCH_BATCH_PROTOTYPE=${(results.cost.rounds[0]?.prototype ?? []).map((run) => run.group).join(',')} npm run bench -- batch\`.`,
      '',
    );
  }
  const large = results.large;
  if (large) {
    out.push(`## ${large.lines.toLocaleString('en')} tiny scripted lines (${large.mode ?? 'hosted'} mode), concurrency ${large.concurrency}`, '');
    out.push(`| | |`, `|---|---:|`);
    out.push(
      `| lines done | ${large.done.toLocaleString('en')} of ${large.lines.toLocaleString('en')}${large.completed ? '' : ' (time budget reached, cancelled)'} |`,
    );
    out.push(`| failed | ${large.failed} |`);
    out.push(`| duration | ${minutes(large.duration_ms)} |`);
    out.push(`| queries/s | ${large.queries_per_second} |`);
    if (large.extrapolated_duration_ms !== null) out.push(`| full size at that rate (extrapolated) | ${minutes(large.extrapolated_duration_ms)} |`);
    out.push(`| runs in the continue-as-new chain | ${large.chain.length} |`);
    out.push(`| largest run's history | ${large.max_history_events.toLocaleString('en')} events, ${(large.max_history_bytes / 1024 / 1024).toFixed(2)} MiB |`);
    out.push(`| under Temporal's warnings (10,240 events, 10 MiB) in every run | ${large.under_warnings ? 'yes' : '**no**'} |`, '', ...stampLine(large));
  }
  if (results.cluster) out.push(...renderClusterBatch(results.cluster));
  const crash = results.crash;
  if (crash) {
    out.push(`## Acceptance: ${crash.total} lines, concurrency 20, two worker SIGKILLs and a dev server restart`, '');
    out.push(`| | |`, `|---|---:|`);
    out.push(`| exit code of \`mcpflow batch run\` | ${crash.exitCode} |`);
    out.push(`| results in --out (unique ids) | ${crash.results} (${crash.unique_results}) |`);
    out.push(`| every line succeeded | ${crash.all_succeeded ? 'yes' : '**no**'} |`);
    out.push(`| side-effect calls / approved side-effect lines | ${crash.sideEffectCalls} / ${crash.sideEffectLines} |`);
    out.push(`| read-only calls after the last restart / lines left then | ${crash.readOnlyCallsAfterRestart} / ${crash.readOnlyLinesAfterRestart} |`);
    out.push(`| duration | ${minutes(crash.durationMs)} |`);
    out.push(`| outages | ${crash.events.join('; ')} |`, '', ...stampLine(crash));
  }
  if (results.cost_runs?.length) out.push(...renderCostRuns(results.cost_runs));
  if (results.failures.length) out.push('## Failures', '', ...results.failures.map((failure) => `- ${failure}`), '');
  return out.join('\n');
}

export async function runBatchBench(): Promise<number> {
  const parts = new Set((process.env.MCPFLOW_BENCH_BATCH_PARTS ?? 'cost,large,crash').split(','));
  const { execFileSync } = await import('node:child_process');
  const results: BatchBenchResults = {
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim(),
    failures: [],
  };
  if (parts.has('cost')) {
    const lines = Number(process.env.MCPFLOW_BENCH_BATCH_COST_LINES ?? 1_000);
    const concurrency = Number(process.env.MCPFLOW_BENCH_BATCH_COST_CONCURRENCY ?? 50);
    const rounds = Number(process.env.MCPFLOW_BENCH_BATCH_COST_ROUNDS ?? 3);
    // The candidate "lines as activities", by lines per activity ("" for none).
    const prototypeGroups = (process.env.MCPFLOW_BENCH_BATCH_PROTOTYPE ?? '1,10').split(',').filter(Boolean).map(Number);
    const mode = process.env.MCPFLOW_BENCH_BATCH_COST_MODE === 'hosted' ? 'hosted' : 'direct';
    log(`per-line cost: ${lines} one-tool ${mode} lines at concurrency ${concurrency}, ${rounds} round(s), beside a plain loop...`);
    const stack = await startStack({ log, extraServers: 0, maxConversations: Math.max(2_000, lines * 2) });
    try {
      results.cost = {
        date: new Date().toISOString(),
        commit: results.commit,
        ...(await batchLinesCost(stack, lines, concurrency, rounds, prototypeGroups, mode)),
      };
    } catch (error) {
      results.failures.push(`per-line cost: ${(error as Error).message}`);
    } finally {
      await stack.stop();
    }
  }
  if (parts.has('large')) {
    const lines = Number(process.env.MCPFLOW_BENCH_BATCH_LINES ?? 100_000);
    const concurrency = Number(process.env.MCPFLOW_BENCH_BATCH_CONCURRENCY ?? 200);
    const budget = Number(process.env.MCPFLOW_BENCH_BATCH_BUDGET_MIN ?? 20) * 60_000;
    log(`batch of ${lines} lines at concurrency ${concurrency}...`);
    try {
      const stamp = runStamp(results, `MCPFLOW_BENCH_BATCH_PARTS=large MCPFLOW_BENCH_BATCH_LINES=${lines} MCPFLOW_BENCH_BATCH_CONCURRENCY=${concurrency}`);
      results.large = { ...(await largeBatch(lines, concurrency, budget)), mode: LARGE_MODE, ...stamp };
      log(
        `  ${results.large.done} done in ${minutes(results.large.duration_ms)}, ${results.large.queries_per_second} q/s, ${results.large.chain.length} runs, max ${results.large.max_history_events} events`,
      );
    } catch (error) {
      results.failures.push(`large batch: ${(error as Error).message}`);
    }
  }
  if (parts.has('cluster')) {
    const lines = Number(process.env.MCPFLOW_BENCH_BATCH_CLUSTER_LINES ?? 10_000);
    const concurrency = Number(process.env.MCPFLOW_BENCH_BATCH_CLUSTER_CONCURRENCY ?? 200);
    const budgetMs = Number(process.env.MCPFLOW_BENCH_BATCH_CLUSTER_BUDGET_MIN ?? 40) * 60_000;
    log(`cluster: ${lines} lines at concurrency ${concurrency} on PostgreSQL with three workers...`);
    try {
      results.cluster = await clusterBatch({ lines, concurrency, budgetMs, commit: results.commit, log });
      log(
        `  ${results.cluster.done} done in ${minutes(results.cluster.duration_ms)}, ${results.cluster.lines_per_second} lines/s, ${results.cluster.chain.length} runs`,
      );
    } catch (error) {
      results.failures.push(`cluster batch: ${(error as Error).message}`);
    }
  }
  if (parts.has('crash')) {
    const lines = Number(process.env.MCPFLOW_BATCH_CRASH_LINES ?? 1_000);
    log(`acceptance scenario with ${lines} lines...`);
    try {
      const stamp = runStamp(results, `MCPFLOW_BENCH_BATCH_PARTS=crash MCPFLOW_BATCH_CRASH_LINES=${lines}`);
      const outcome = await runCrashScenario({ lines, concurrency: 20, log: (line) => log(`  ${line}`) });
      const { results: lineResults, cliOutput: _output, ...rest } = outcome;
      results.crash = {
        ...rest,
        ...stamp,
        results: lineResults.length,
        unique_results: new Set(lineResults.map((result) => result.id)).size,
        all_succeeded: lineResults.every((result) => result.success),
      };
      log(`  ${results.crash.results} results, ${results.crash.sideEffectCalls}/${results.crash.sideEffectLines} side effects, ${minutes(outcome.durationMs)}`);
    } catch (error) {
      results.failures.push(`acceptance scenario: ${(error as Error).message}`);
    }
  }
  // A part not run this time keeps its last recorded result (marked with its own date and commit).
  const jsonPath = path.join(REPO_ROOT, 'docs', 'benchmarks-batch.json');
  if (existsSync(jsonPath)) {
    const previous = JSON.parse(readFileSync(jsonPath, 'utf8')) as BatchBenchResults;
    if (!parts.has('cost') && previous.cost) results.cost = previous.cost;
    results.cost_runs = previous.cost_runs ?? [];
    if (!parts.has('large') && previous.large) results.large = previous.large;
    if (!parts.has('crash') && previous.crash) results.crash = previous.crash;
    if (!parts.has('cluster') && previous.cluster) results.cluster = previous.cluster;
  }
  // Every per-line cost run is kept in a short table: the candidates of issue 26, each with its commit.
  if (parts.has('cost') && results.cost) results.cost_runs = [...(results.cost_runs ?? []), costSummary(results.cost)].slice(-12);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  // Hand-written notes (from a line starting "Notes" to the end) stay below the regenerated tables.
  const mdPath = path.join(REPO_ROOT, 'docs', 'benchmarks-batch.md');
  const previousMd = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '';
  const notesAt = previousMd.search(/^Notes/m);
  writeFileSync(mdPath, `${render(results)}\n${notesAt >= 0 ? previousMd.slice(notesAt) : ''}`);
  log('wrote docs/benchmarks-batch.md and docs/benchmarks-batch.json');
  return results.failures.length ? 1 : 0;
}
