/**
 * `npm run bench -- experiments [name ...]`: what worker options, bundler options and dev server
 * flags change. Each experiment gets a fresh stack (dev server, services, worker) and the same
 * small measurement: sequential hosted and direct seed queries (p50 and the history timeline),
 * hosted at concurrency 50 (throughput, worker and server CPU per query), and N runs waiting for
 * approval (worker RSS per waiting run, approve → completion). The baseline is what mcpflow does
 * today; "no-…" rows undo one of its tunings, the others try one more change. Writes
 * test/.tmp/bench-experiments.md. MCPFLOW_BENCH_QUICK=1: smaller sizes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './child';
import { runLoad } from './load';
import { log } from './log';
import { markdownTable, mib, ms, ms1, perSecond, ratio } from './markdown';
import { linearFit, percentile, runPool, sleep, timed } from './measure';
import { rssBytes } from './procfs';
import { checkSeedResult, SEED_QUERY, seedServers } from './scenario';
import { startStack, type Stack } from './stack';
import { fetchTimelines, summarizeTimelines } from './timeline';
import { createVariants } from './variants';
import { withDeadline } from './deadline';
import { recoverWhileWaiting } from './recovery';
import { measureDiscovery } from './scale-discovery';

interface Experiment {
  name: string;
  what: string;
  server?: string[];
  worker?: Record<string, unknown>;
  /** Node flags of the worker process. */
  workerNodeFlags?: string[];
  preloadModules?: string[];
}

/** One experiment may not take longer than this (a broken variant would otherwise wait forever). */
const EXPERIMENT_TIMEOUT_MS = 6 * 60_000;

const dynamicConfig = (pairs: Record<string, string | number | boolean>) =>
  Object.entries(pairs).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);

/** `temporal server start-dev` as the CLI configures it, undoing mcpflow's tuning (src/devserver/args.ts); later flags win. */
const STOCK_QUEUES = dynamicConfig({ 'history.transferProcessorMaxPollRPS': 20, 'history.visibilityProcessorMaxPollRPS': 20 });
const NO_EAGER = dynamicConfig({ 'system.enableActivityEagerExecution': false });
const NO_WAL = ['--sqlite-pragma', 'journal_mode=delete', '--sqlite-pragma', 'synchronous=full'];
/** The worker as the SDK configures it, undoing createWorker's tuning. */
const STOCK_WORKER = { stickyQueueScheduleToStartTimeout: '10s', maxEagerActivityReservationsPerWorkflowTask: 3 };

/**
 * The baseline is mcpflow as it is; "no-…" rows undo one of its tunings (to show what it buys),
 * the others try one more change.
 */
export const EXPERIMENTS: Experiment[] = [
  { name: 'baseline', what: 'mcpflow as it is: createWorker, the dev server as `mcpflow server` starts it' },
  {
    name: 'untuned',
    what: 'the CLI\'s dev server and the SDK\'s worker defaults: every "no-…" row at once',
    server: [...STOCK_QUEUES, ...NO_EAGER, ...NO_WAL],
    worker: STOCK_WORKER,
  },
  {
    name: 'no-queue-rps',
    what: 'dev server: history.transferProcessorMaxPollRPS and visibilityProcessorMaxPollRPS back to 20 (one shard: 20 task-queue reads/s for the whole server)',
    server: STOCK_QUEUES,
  },
  { name: 'no-eager', what: 'dev server: system.enableActivityEagerExecution back to false', server: NO_EAGER },
  { name: 'no-wal', what: 'dev server: SQLite journal_mode=delete, synchronous=full (the defaults)', server: NO_WAL },
  { name: 'sticky-10s', what: 'worker: stickyQueueScheduleToStartTimeout back to 10 s', worker: { stickyQueueScheduleToStartTimeout: '10s' } },
  { name: 'eager-3', what: 'worker: maxEagerActivityReservationsPerWorkflowTask back to 3', worker: { maxEagerActivityReservationsPerWorkflowTask: 3 } },
  {
    name: 'partitions-1',
    what: 'dev server: matching.numTaskqueueRead/WritePartitions 4 → 1',
    server: dynamicConfig({ 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 }),
  },
  {
    name: 'sa-cache',
    what: 'dev server: system.forceSearchAttributesCacheRefreshOnRead false (the CLI turns it on)',
    server: dynamicConfig({ 'system.forceSearchAttributesCacheRefreshOnRead': false }),
  },
  {
    name: 'no-shared-modules',
    what: 'bundle: no preloadModules (zod, src/core and workflows/messages.ts evaluated again for every run, as before src/worker/shared-modules.ts)',
    preloadModules: [],
  },
  {
    name: 'cache-100',
    what: 'worker: maxCachedWorkflows 100 (default 250); runs beyond it are evicted and replayed when approved',
    worker: { maxCachedWorkflows: 100 },
  },
  {
    name: 'heap-320',
    what: 'worker process: node --max-old-space-size=320 (mcpflow derives maxCachedWorkflows from the heap limit: 40 here)',
    workerNodeFlags: ['--max-old-space-size=320'],
  },
  { name: 'activity-polls-50', what: 'worker: maxConcurrentActivityTaskPolls 50 (default 10)', worker: { maxConcurrentActivityTaskPolls: 50 } },
];

interface ExperimentResult {
  experiment: Experiment;
  hostedP50: number;
  directP50: number;
  hostedFirstTaskMs: number;
  hostedPickupMs: number;
  directPickupMs: number;
  hostedC50: number;
  workerCpu: number | undefined;
  serverCpu: number | undefined;
  rssPerWaitingRun: number;
  waitingRss: number | undefined;
  approveP50: number;
  /** SIGKILL while waiting for approval: new worker spawned → the query done. */
  recoveryMs: number;
  /** discoverTools of 50 servers (direct) relative to 1 server. */
  discovery50: number;
  error?: string;
}

async function waitingRuns(stack: Stack, count: number) {
  const ids = await runPool(count, 20, () => stack.client.startQuery({ query: SEED_QUERY, servers: seedServers(stack.services, 'always') }));
  const points: Array<readonly [number, number]> = [];
  const query = `TaskQueue = "${stack.taskQueue}" AND McpState = "waiting_approval" AND ExecutionStatus = "Running"`;
  log(`  ${ids.length} runs started; waiting for them to ask for approval`);
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    const { count: waiting } = await stack.temporal.workflow.count(query);
    const rss = rssBytes(stack.worker.pid);
    if (rss !== undefined) points.push([waiting, rss]);
    if (waiting >= count) break;
    await sleep(500);
  }
  const latencies = await runPool(
    ids.length,
    50,
    async (index) =>
      (
        await timed(async () => {
          await stack.client.approve(ids[index]!);
          checkSeedResult((await stack.client.waitForQuery(ids[index]!)).result, 'approved run');
        })
      ).ms,
  );
  return { rssPerRun: linearFit(points).slope, rss: points.at(-1)?.[1], approveP50: percentile(latencies, 50) };
}

async function runExperiment(experiment: Experiment, sizes: { sequential: number; concurrent: number; waiting: number }): Promise<ExperimentResult> {
  const stack = await startStack({
    log: () => undefined,
    extraServers: 50,
    maxConversations: 20_000,
    devServer: { extraArgs: experiment.server ?? [] },
    worker: { options: experiment.worker, nodeFlags: experiment.workerNodeFlags },
    preloadModules: experiment.preloadModules,
  });
  const { variants, close } = await createVariants(stack);
  try {
    // A variant that breaks the workflows shows in the first queries: fail fast then.
    await withDeadline(stack, 60_000, `${experiment.name} (warm-up)`, async () => {
      await runPool(10, 5, () => variants['mcpflow-hosted'].run());
      await runPool(5, 5, () => variants['mcpflow-direct'].run());
    });
    return await withDeadline(stack, EXPERIMENT_TIMEOUT_MS, experiment.name, () => measureExperiment(experiment, stack, variants, sizes));
  } finally {
    await close();
    await stack.stop();
  }
}

async function measureExperiment(
  experiment: Experiment,
  stack: Stack,
  variants: Awaited<ReturnType<typeof createVariants>>['variants'],
  sizes: { sequential: number; concurrent: number; waiting: number },
): Promise<ExperimentResult> {
  {
    await sleep(3_000); // let the server's rate limiters refill, as in the main bench's first batch
    const hosted = await runLoad(stack, variants['mcpflow-hosted'], sizes.sequential, 1);
    const direct = await runLoad(stack, variants['mcpflow-direct'], Math.ceil(sizes.sequential / 2), 1);
    const hostedTimeline = summarizeTimelines(await fetchTimelines(hosted.workflowIds.map((id) => stack.client.handle(id))));
    const directTimeline = summarizeTimelines(await fetchTimelines(direct.workflowIds.map((id) => stack.client.handle(id))));
    const c50 = await runLoad(stack, variants['mcpflow-hosted'], sizes.concurrent, 50);
    const discovery = await measureDiscovery(stack, [1, 50], 3, ['direct']);
    const waiting = await waitingRuns(stack, sizes.waiting);
    const recovery = await recoverWhileWaiting(stack);
    return {
      experiment,
      hostedP50: hosted.latency.p50,
      directP50: direct.latency.p50,
      hostedFirstTaskMs: hostedTimeline.steps[0]?.workMs ?? Number.NaN,
      hostedPickupMs: hostedTimeline.totals.workflowTaskPickupMs + hostedTimeline.totals.activityPickupMs,
      directPickupMs: directTimeline.totals.workflowTaskPickupMs + directTimeline.totals.activityPickupMs,
      hostedC50: c50.throughput,
      workerCpu: c50.cpuPerQueryMs.worker,
      serverCpu: c50.cpuPerQueryMs.server,
      rssPerWaitingRun: waiting.rssPerRun,
      waitingRss: waiting.rss,
      approveP50: waiting.approveP50,
      recoveryMs: recovery.fromSpawnMs,
      discovery50: discovery.find((point) => point.servers === 50)?.relativeToOne ?? Number.NaN,
    };
  }
}

function render(results: readonly ExperimentResult[], sizes: { sequential: number; concurrent: number; waiting: number }): string {
  return [
    '# Experiments: worker options, bundler options, dev server flags',
    '',
    `\`npm run bench -- experiments\`; each row a fresh stack. Sequential: ${sizes.sequential} hosted and ${Math.ceil(sizes.sequential / 2)} direct seed queries (p50, and the summed pickup of their workflow and activity tasks from the histories); ${sizes.concurrent} hosted at concurrency 50; ${sizes.waiting} runs waiting for approval (worker RSS growth per waiting run, then approved 50 at a time); one run SIGKILLed while waiting for approval and finished by a new worker (spawn → done); discoverTools of 50 servers against 1 (direct, p50 of 3).`,
    '',
    markdownTable(
      [
        'experiment',
        'hosted seq p50 ms',
        'hosted: task 1 ms',
        'hosted pickups ms',
        'direct seq p50 ms',
        'direct pickups ms',
        'hosted c50 q/s',
        'worker CPU ms/q',
        'server CPU ms/q',
        'worker KiB per waiting run',
        `worker RSS MiB, ${sizes.waiting} waiting`,
        'approve → done p50 ms',
        'recovery ms (killed while waiting)',
        'discovery 50 / 1 server (direct)',
      ],
      results.map((r) =>
        r.error
          ? [r.experiment.name, `failed: ${r.error.split('\n')[0]!.replace(/; the worker.*$/, '')}`]
          : [
              r.experiment.name,
              ms(r.hostedP50),
              ms1(r.hostedFirstTaskMs),
              ms(r.hostedPickupMs),
              ms(r.directP50),
              ms(r.directPickupMs),
              perSecond(r.hostedC50),
              ms1(r.workerCpu),
              ms1(r.serverCpu),
              (r.rssPerWaitingRun / 1024).toFixed(0),
              mib(r.waitingRss),
              ms(r.approveP50),
              ms(r.recoveryMs),
              ratio(r.discovery50),
            ],
      ),
    ),
    '',
    ...results.map((r) => `- **${r.experiment.name}**: ${r.experiment.what}`),
    '',
  ].join('\n');
}

export async function runExperiments(): Promise<number> {
  const quick = process.env.MCPFLOW_BENCH_QUICK === '1';
  const sizes = quick ? { sequential: 10, concurrent: 50, waiting: 100 } : { sequential: 20, concurrent: 150, waiting: 300 };
  const names = process.argv.slice(3);
  const chosen = names.length ? EXPERIMENTS.filter((experiment) => names.includes(experiment.name)) : EXPERIMENTS;
  const results: ExperimentResult[] = [];
  for (const experiment of chosen) {
    log(`experiment ${experiment.name}: ${experiment.what}`);
    try {
      const result = await runExperiment(experiment, sizes);
      results.push(result);
      log(
        `  hosted p50 ${ms(result.hostedP50)} ms, direct p50 ${ms(result.directP50)} ms, c50 ${perSecond(result.hostedC50)} q/s, worker ${ms1(result.workerCpu)} / server ${ms1(result.serverCpu)} CPU ms/q, ${(result.rssPerWaitingRun / 1024).toFixed(0)} KiB per waiting run`,
      );
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`  failed: ${message}`);
      results.push({ experiment, error: message } as ExperimentResult);
    }
  }
  const markdown = render(results, sizes);
  const file = path.join(REPO_ROOT, 'test', '.tmp', 'bench-experiments.md');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${path.relative(REPO_ROOT, file)}`);
  return results.some((r) => r.error) ? 1 : 0;
}
