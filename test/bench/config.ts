/**
 * What one benchmark run does, from the environment:
 *   MCPFLOW_BENCH_QUICK=1          small sizes everywhere (a smoke run of the bench itself, ~2 min);
 *                                  writes test/.tmp/benchmarks-quick.{md,json} unless told otherwise
 *   MCPFLOW_BENCH_OUTPUT           the markdown file (default docs/benchmarks.md); the JSON goes next
 *                                  to it with the extension .json
 *   MCPFLOW_BENCH_TIMEOUT_MS       give up after this long (default 20 min, quick 8 min)
 *   MCPFLOW_BENCH_APPROVALS        runs waiting for approval at once (default 5000)
 *   MCPFLOW_BENCH_APPROVAL_BUDGET_MS  time to start them before extrapolating (default 150 s, quick 20 s)
 *   MCPFLOW_BENCH_PHASES           only these phases, comma-separated (latency, discovery, session,
 *                                  approvals, bundling, recovery), for work on the bench itself
 *   MCPFLOW_BENCH_VARIANTS         only these variants of the latency phase, comma-separated (e.g.
 *                                  plain-hosted,mcpflow-hosted,mcpflow-hosted-background; variants.ts)
 *   MCPFLOW_BENCH_SERVER_ARGS      more `temporal server start-dev` arguments, space-separated (trying a flag
 *                                  in a partial run; the report's command line shows them)
 *   MCPFLOW_BENCH_WORKER_OPTIONS   JSON of WorkerOptions fields over createWorker's (trying an option)
 *   MCPFLOW_BENCH_WORKER_NODE_FLAGS  Node flags of the worker process, space-separated (e.g. --max-semi-space-size=4)
 *   MCPFLOW_BENCH_RECOVERY         recovery runs as `<waiting for approval>,<inside a call>` (default 3,1)
 */
import path from 'node:path';
import { REPO_ROOT } from './child';

export const PHASES = ['latency', 'discovery', 'session', 'approvals', 'bundling', 'recovery'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchConfig {
  quick: boolean;
  phases: ReadonlySet<Phase>;
  output: { markdown: string; json: string };
  timeoutMs: number;
  latency: {
    /** Unmeasured queries before each variant's first batch. */
    warmup: number;
    /** [concurrency, queries] per batch; concurrency 1 is the sequential figure. */
    batches: ReadonlyArray<readonly [concurrency: number, total: number]>;
  };
  /** Only these variants in the latency phase (MCPFLOW_BENCH_VARIANTS); all when absent. */
  latencyVariants: readonly string[] | undefined;
  discovery: { servers: number[]; repeats: number };
  session: { queries: number };
  approvals: { target: number; startBudgetMs: number; startConcurrency: number; maxBacklog: number; approveConcurrency: number };
  recovery: { whileWaiting: number; insideCall: number; insideCallTimeoutMs: number | undefined };
  /** Trying a dev server flag or worker option in a partial run (MCPFLOW_BENCH_SERVER_ARGS / _WORKER_OPTIONS). */
  serverArgs: string[];
  workerOptions: Record<string, unknown> | undefined;
  workerNodeFlags: string[];
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.MCPFLOW_BENCH_QUICK === '1';
  const markdown = path.resolve(env.MCPFLOW_BENCH_OUTPUT ?? path.join(REPO_ROOT, quick ? 'test/.tmp/benchmarks-quick.md' : 'docs/benchmarks.md'));
  const approvals = Number(env.MCPFLOW_BENCH_APPROVALS ?? 5000);
  const phases = env.MCPFLOW_BENCH_PHASES ? env.MCPFLOW_BENCH_PHASES.split(',').map((phase) => phase.trim()) : [...PHASES];
  const unknown = phases.filter((phase) => !(PHASES as readonly string[]).includes(phase));
  if (unknown.length) throw new Error(`MCPFLOW_BENCH_PHASES: unknown phase(s) ${unknown.join(', ')}; use ${PHASES.join(', ')}`);
  return {
    quick,
    phases: new Set(phases as Phase[]),
    output: { markdown, json: markdown.replace(/\.md$/, '') + '.json' },
    timeoutMs: Number(env.MCPFLOW_BENCH_TIMEOUT_MS ?? (quick ? 8 : 20) * 60_000),
    latency: quick
      ? {
          warmup: 3,
          batches: [
            [1, 8],
            [10, 20],
            [50, 50],
          ],
        }
      : {
          warmup: 10,
          batches: [
            [1, 40],
            [10, 100],
            [50, 150],
          ],
        },
    latencyVariants: env.MCPFLOW_BENCH_VARIANTS?.split(',').map((key) => key.trim()),
    discovery: { servers: [1, 10, 50], repeats: quick ? 2 : 5 },
    session: { queries: quick ? 3 : 5 },
    approvals: {
      target: approvals,
      startBudgetMs: Number(env.MCPFLOW_BENCH_APPROVAL_BUDGET_MS ?? (quick ? 20_000 : 150_000)),
      startConcurrency: 20,
      maxBacklog: 300,
      approveConcurrency: 50,
    },
    // Quick mode shortens the call timeout (and so the heartbeat timeout) of the mid-call crash.
    workerNodeFlags: (env.MCPFLOW_BENCH_WORKER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
    serverArgs: (env.MCPFLOW_BENCH_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean),
    workerOptions: env.MCPFLOW_BENCH_WORKER_OPTIONS ? (JSON.parse(env.MCPFLOW_BENCH_WORKER_OPTIONS) as Record<string, unknown>) : undefined,
    recovery: { ...recoveryRuns(env.MCPFLOW_BENCH_RECOVERY, quick ? [1, 1] : [3, 1]), insideCallTimeoutMs: quick ? 10_000 : undefined },
  };
}

function recoveryRuns(value: string | undefined, [whileWaiting, insideCall]: [number, number]): { whileWaiting: number; insideCall: number } {
  if (value === undefined) return { whileWaiting, insideCall };
  const counts = value.split(',').map(Number);
  if (counts.length !== 2 || counts.some((count) => !Number.isInteger(count) || count < 0)) {
    throw new Error(`MCPFLOW_BENCH_RECOVERY: "${value}" is not two counts; use e.g. 3,1 (runs waiting for approval, runs inside a Responses call)`);
  }
  return { whileWaiting: counts[0]!, insideCall: counts[1]! };
}
