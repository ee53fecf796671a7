/**
 * Many runQuery runs waiting for approval at once (the seed scenario: calendar `always`): how much
 * memory the worker holds and how big the Temporal database grows, then every run approved and
 * approve → completion measured. Runs are started as fast as the worker takes them, within a time
 * budget; when the budget ends first, the figures for the target count are extrapolated linearly
 * from samples taken on the way (and the report says so).
 */
import { maxCachedWorkflowsFor } from '../../src/worker/worker';
import { statSync } from 'node:fs';
import { linearFit, percentile, runPool, sleep, timed } from './measure';
import { peakRssBytes, rssBytes } from './procfs';
import { approveUpdate } from '../../workflows/messages';
import { checkSeedResult, SEED_QUERY, seedServers } from './scenario';
import type { Stack } from './stack';

export interface ApprovalSample {
  atMs: number;
  started: number;
  waiting: number;
  workerRss: number | undefined;
  serverRss: number | undefined;
  dbBytes: number | undefined;
}

export interface ApprovalFigures {
  target: number;
  maxBacklog: number;
  startBudgetMs: number;
  started: number;
  waiting: number;
  /** Start of the first run → the last one waiting. */
  toWaitingMs: number;
  workerRss: number | undefined;
  workerPeakRss: number | undefined;
  serverRss: number | undefined;
  dbBytes: number | undefined;
  samples: ApprovalSample[];
  /** Linear fits over the samples: bytes per waiting run (worker: while the cache is not full). */
  workerRssPerRun: number;
  /** The worker's workflow cache size (SDK default for this machine): RSS stops growing there. */
  cacheLimit: number;
  /** Worker bytes per waiting run beyond the cache limit, when measured that far. */
  workerRssPerRunBeyondCache: number | undefined;
  dbBytesPerRun: number;
  /** At `target` waiting runs: measured when reached, else extrapolated. */
  atTarget: { workerRss: number | undefined; dbBytes: number | undefined; extrapolated: boolean };
  approve: { concurrency: number; total: number; p50: number; p95: number; max: number; wallMs: number; failed: number };
}

export interface ApprovalOptions {
  target: number;
  /** Stop starting runs after this long (the rest is extrapolated). */
  startBudgetMs: number;
  startConcurrency: number;
  /** Runs started but not yet waiting, at most. */
  maxBacklog: number;
  approveConcurrency: number;
  log: (line: string) => void;
}

/**
 * The worker's maxCachedWorkflows on this machine: MCPFLOW_MAX_CACHED_WORKFLOWS (passed on to the
 * bench's worker) or createWorker's default; the worker is a Node process like this one, so it
 * has the same heap limit.
 */
export function defaultMaxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number {
  return env.MCPFLOW_MAX_CACHED_WORKFLOWS ? Number(env.MCPFLOW_MAX_CACHED_WORKFLOWS) : maxCachedWorkflowsFor();
}

/** The SQLite file and its journal / WAL, in bytes. */
export function databaseBytes(file: string | undefined): number | undefined {
  if (!file) return undefined;
  let total = 0;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      total += statSync(file + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

/** The worker's own account of its memory (test/bench/worker-main.ts prints it on SIGUSR2). */
export async function workerMemory(stack: Stack): Promise<string> {
  try {
    process.kill(stack.worker.pid, 'SIGUSR2');
  } catch {
    return 'worker memory: n/a';
  }
  await sleep(200);
  return (
    stack.worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('memory '))
      .at(-1) ?? 'worker memory: n/a'
  );
}

async function countWaiting(stack: Stack): Promise<number> {
  return stack.temporal.workflow
    .count(`TaskQueue = "${stack.taskQueue}" AND WorkflowType = "runQuery" AND McpState = "waiting_approval" AND ExecutionStatus = "Running"`)
    .then((result) => result.count);
}

export async function measureApprovals(stack: Stack, options: ApprovalOptions): Promise<ApprovalFigures> {
  const { log } = options;
  const ids: string[] = [];
  const samples: ApprovalSample[] = [];
  const begin = performance.now();
  let waiting = await countWaiting(stack);
  const baseline = waiting;
  if (baseline) log(`${baseline} runs were already waiting on this task queue; they are counted out`);
  const sample = () => {
    samples.push({
      atMs: performance.now() - begin,
      started: ids.length,
      waiting: waiting - baseline,
      workerRss: rssBytes(stack.worker.pid),
      serverRss: rssBytes(stack.devServer.pid),
      dbBytes: databaseBytes(stack.devServer.dbFilename),
    });
  };
  let starting = true;
  const monitor = (async () => {
    let lastLog = 0;
    while (starting || waiting - baseline < ids.length) {
      await sleep(1_000);
      waiting = await countWaiting(stack);
      sample();
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(
          `  approvals: ${ids.length} started, ${waiting - baseline} waiting, worker RSS ${Math.round((samples.at(-1)?.workerRss ?? 0) / 1048576)} MiB; ${await workerMemory(stack)}`,
        );
      }
      if (!starting && performance.now() - begin > options.startBudgetMs + 120_000)
        throw new Error(`only ${waiting - baseline} of ${ids.length} runs reached the approval wait`);
    }
  })();
  monitor.catch(() => undefined);

  const deadline = begin + options.startBudgetMs;
  await runPool(options.target, options.startConcurrency, async () => {
    while (ids.length - (waiting - baseline) > options.maxBacklog && performance.now() < deadline) await sleep(100);
    if (performance.now() >= deadline) return;
    ids.push(await stack.client.startQuery({ query: SEED_QUERY, servers: seedServers(stack.services, 'always') }));
  });
  starting = false;
  await monitor;
  const toWaitingMs = performance.now() - begin;
  log(`  approvals: all waiting; ${await workerMemory(stack)}`);
  waiting = await countWaiting(stack);
  sample();
  const last = samples.at(-1)!;
  const workerPeakRss = peakRssBytes(stack.worker.pid);
  const points = (pick: (s: ApprovalSample) => number | undefined) =>
    samples.flatMap((s) => (pick(s) === undefined || s.waiting <= 0 ? [] : [[s.waiting, pick(s)!] as const]));
  const cacheLimit = defaultMaxCachedWorkflows();
  const rssPoints = points((s) => s.workerRss);
  const rssFit = linearFit(rssPoints.filter(([waitingRuns]) => waitingRuns <= cacheLimit));
  const beyond = rssPoints.filter(([waitingRuns]) => waitingRuns > cacheLimit * 1.05);
  const rssBeyondCache = beyond.length >= 5 ? linearFit(beyond).slope : undefined;
  const dbFit = linearFit(points((s) => s.dbBytes));
  const reached = last.waiting >= options.target;
  // Worker RSS grows per run until the cache is full, then (as far as measured) by the slope beyond it.
  const rssAt = (target: number) => {
    if (last.workerRss === undefined) return undefined;
    const cachedMore = Math.max(0, Math.min(target, cacheLimit) - last.waiting);
    const uncachedMore = Math.max(0, target - Math.max(cacheLimit, last.waiting));
    return last.workerRss + rssFit.slope * cachedMore + (rssBeyondCache ?? 0) * uncachedMore;
  };
  const atTarget = reached
    ? { workerRss: last.workerRss, dbBytes: last.dbBytes, extrapolated: false }
    : {
        workerRss: rssAt(options.target),
        dbBytes: last.dbBytes === undefined ? undefined : last.dbBytes + dbFit.slope * (options.target - last.waiting),
        extrapolated: true,
      };
  log(`  approvals: ${last.waiting} waiting after ${Math.round(toWaitingMs / 1000)} s; approving them, ${options.approveConcurrency} at a time`);

  // Each run: the approve update (no deadline on its acceptance: an evicted run is replayed
  // first, and a busy worker may take longer than McpflowClient's 10 s), then its result. A run
  // that fails is counted and reported, the others go on.
  let failed = 0;
  let retries = 0;
  const { value: outcomes, ms: wallMs } = await timed(() =>
    runPool(ids.length, options.approveConcurrency, async (index) => {
      const id = ids[index]!;
      const { value: ok, ms } = await timed(async () => {
        try {
          await stack.client.handle(id).executeUpdate(approveUpdate, { args: [{}] });
          const { result } = await stack.client.waitForQuery(id);
          checkSeedResult(result, `approved run ${id}`);
          // Retried attempts (e.g. a Responses call whose heartbeat timed out on the flooded worker).
          retries += result?.retries ?? 0;
          return true;
        } catch (error) {
          failed++;
          if (failed <= 3) log(`  ${id}: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        }
      });
      return ok ? ms : undefined;
    }),
  );
  const latencies = outcomes.filter((value): value is number => value !== undefined);
  log(`  approvals: ${latencies.length} runs completed with ${retries} retried attempts between them`);
  return {
    target: options.target,
    maxBacklog: options.maxBacklog,
    startBudgetMs: options.startBudgetMs,
    started: ids.length,
    waiting: last.waiting,
    toWaitingMs,
    workerRss: last.workerRss,
    workerPeakRss,
    serverRss: last.serverRss,
    dbBytes: last.dbBytes,
    samples,
    workerRssPerRun: rssFit.slope,
    cacheLimit,
    workerRssPerRunBeyondCache: rssBeyondCache,
    dbBytesPerRun: dbFit.slope,
    atTarget,
    approve: {
      concurrency: options.approveConcurrency,
      total: ids.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: Math.max(...latencies),
      wallMs,
      failed,
    },
  };
}
