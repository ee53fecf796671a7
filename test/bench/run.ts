/**
 * `npm run bench`: starts its own stack (stack.ts), measures everything issue #10 asks for in one
 * run, and writes docs/benchmarks.md and docs/benchmarks.json (config.ts: quick mode, outputs,
 * sizes). A phase that fails is reported as failed and the others still run; everything is
 * stopped at the end, on error and on Ctrl-C too. Not part of `npm test`.
 *
 * `npm run bench -- profile` and `npm run bench -- experiments` run profile.ts and experiments.ts;
 * `npm run bench -- render` writes the markdown again from the last run's JSON.
 * `npm run bench -- batch` runs the batch benchmarks (batch.ts → docs/benchmarks-batch.md).
 * `npm run bench -- floor` measures the dev server's own cost per run of a query's shape (floor.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../../src/devserver/cli-path';
import { REPO_ROOT } from './child';
import { elapsedMs, log } from './log';
import { runBatchBench } from './batch';
import { runExperiments } from './experiments';
import { runFloor } from './floor';
import { runProfile } from './profile';
import { readConfig, PHASES, type BenchConfig, type Phase } from './config';
import { runLoad, type LoadResult } from './load';
import { recoverInsideCall, recoverWhileWaiting } from './recovery';
import { renderReport } from './report';
import { BASELINE_FILE } from './changes';
import type { BenchResults, RunMeta } from './results';
import { measureApprovals } from './scale-approvals';
import { describeBreakdown, measureDiscovery } from './scale-discovery';
import { measureSession } from './scale-session';
import { startStack, type Stack } from './stack';
import { fetchTimelines, summarizeTimelines } from './timeline';
import { createVariants, type VariantKey } from './variants';
import { runPool } from './measure';
import { withDeadline } from './deadline';

const MINUTE = 60_000;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

async function temporalVersion(): Promise<string> {
  try {
    return execFileSync(await ensureTemporalCli({ log }), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'temporal (version unknown)';
  }
}

const ORDER: VariantKey[] = ['plain-hosted', 'plain-hosted-stream', 'mcpflow-hosted', 'mcpflow-hosted-background', 'plain-direct', 'mcpflow-direct'];

async function latencyPhase(stack: Stack, config: BenchConfig, results: BenchResults): Promise<void> {
  const { variants, close } = await createVariants(stack);
  try {
    const order = ORDER.filter((key) => !config.latencyVariants || config.latencyVariants.includes(key));
    for (const key of order) await runPool(config.latency.warmup, Math.min(10, config.latency.warmup), () => variants[key].run());
    // Batch sizes outside, variants inside: the floor and mcpflow are measured close in time.
    for (const [concurrency, total] of config.latency.batches) {
      for (const key of order) {
        const load: LoadResult = await runLoad(stack, variants[key], total, concurrency);
        results.latency.push(load);
        log(
          `  ${key.padEnd(19)} concurrency ${String(concurrency).padStart(2)}: p50 ${Math.round(load.latency.p50)} ms, p95 ${Math.round(load.latency.p95)} ms, ${load.throughput.toFixed(1)} q/s, worker ${load.cpuPerQueryMs.worker?.toFixed(1) ?? 'n/a'} / server ${load.cpuPerQueryMs.server?.toFixed(1) ?? 'n/a'} CPU ms per query`,
        );
      }
    }
  } finally {
    await close();
  }
  for (const mode of ['hosted', 'direct'] as const) {
    const sequential = results.latency.find((load) => load.variant === `mcpflow-${mode}` && load.concurrency === 1);
    if (sequential) results.timelines[mode] = summarizeTimelines(await fetchTimelines(sequential.workflowIds.map((id) => stack.client.handle(id))));
  }
}

async function measure(stack: Stack, config: BenchConfig, results: BenchResults): Promise<void> {
  const phase = async (key: Phase, name: string, budgetMs: number, fn: () => Promise<void>) => {
    if (!config.phases.has(key)) return;
    log(`${name}...`);
    const start = performance.now();
    try {
      await withDeadline(stack, budgetMs, name, fn);
      log(`${name}: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${name}: FAILED: ${message}`);
      results.failures.push({ phase: name, error: message });
    }
  };
  await phase('latency', 'latency and throughput', 8 * MINUTE, () => latencyPhase(stack, config, results));
  await phase('discovery', 'discovery of 1, 10, 50 servers', 3 * MINUTE, async () => {
    results.discovery = await measureDiscovery(stack, config.discovery.servers, config.discovery.repeats);
    for (const point of results.discovery) log(`  ${describeBreakdown(point)}`);
  });
  await phase('session', 'session tool cache', 2 * MINUTE, async () => {
    for (const mode of ['hosted', 'direct'] as const) results.sessions.push(await measureSession(stack, mode, config.session.queries));
  });
  await phase('approvals', `${config.approvals.target} runs waiting for approval`, config.approvals.startBudgetMs + 8 * MINUTE, async () => {
    results.approvals = await measureApprovals(stack, { ...config.approvals, log });
  });
  await phase('bundling', 'worker start with bundling', MINUTE, async () => {
    const worker = await stack.startWorker({ bundleAtStart: true });
    results.meta.startupMs.workerBundling = worker.readyAt - worker.spawnedAt;
    await worker.stop();
  });
  await phase('recovery', 'recovery', 5 * MINUTE, async () => {
    for (let index = 0; index < config.recovery.whileWaiting; index++) results.recovery.push(await recoverWhileWaiting(stack));
    for (let index = 0; index < config.recovery.insideCall; index++) {
      const run = await recoverInsideCall(stack, config.recovery.insideCallTimeoutMs);
      results.recovery.push(run);
      log(
        `  inside a Responses call: polling → done ${Math.round(run.fromReadyMs)} ms; after the kill: ${(run.afterKill ?? []).map(({ ms, event }) => `${ms} ${event}`).join(' | ')}`,
      );
    }
  });
}

function emptyResults(config: BenchConfig): BenchResults {
  const cpus = os.cpus();
  const meta: RunMeta = {
    date: new Date().toISOString(),
    quick: config.quick,
    command: `${config.quick ? 'MCPFLOW_BENCH_QUICK=1 ' : ''}${config.phases.size < PHASES.length ? `MCPFLOW_BENCH_PHASES=${[...config.phases].join(',')} ` : ''}npm run bench`,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    uncommittedChanges: git(['status', '--porcelain']).split('\n').filter(Boolean).length,
    node: process.version,
    machine: { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', memoryBytes: os.totalmem(), os: `${os.platform()} ${os.release()} ${os.arch()}` },
    temporalCli: '',
    devServerCommand: '',
    loadAverageAtStart: os.loadavg(),
    loadAverageAtEnd: [],
    runMs: 0,
    startupMs: {},
  };
  return { meta, latency: [], timelines: {}, discovery: [], sessions: [], approvals: undefined, recovery: [], failures: [] };
}

function write(config: BenchConfig, results: BenchResults): void {
  results.meta.runMs = elapsedMs();
  results.meta.loadAverageAtEnd = os.loadavg();
  mkdirSync(path.dirname(config.output.markdown), { recursive: true });
  const markdown = renderReport(results, readBaseline());
  writeFileSync(config.output.markdown, markdown);
  // Raw samples and workflow ids stay out of the JSON: figures only.
  const json = { ...results, latency: results.latency.map(({ samples: _samples, workflowIds: _ids, ...load }) => load) };
  writeFileSync(config.output.json, `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${path.relative(process.cwd(), config.output.markdown)} and ${path.relative(process.cwd(), config.output.json)}`);
}

async function main(): Promise<number> {
  const config = readConfig();
  const results = emptyResults(config);
  results.meta.temporalCli = await temporalVersion();
  let stack: Stack | undefined;
  let stopping: Promise<void> | undefined;
  const stopStack = () => (stopping ??= stack?.stop() ?? Promise.resolve());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping everything`);
    void stopStack().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    log(`the bench did not finish within ${config.timeoutMs} ms (MCPFLOW_BENCH_TIMEOUT_MS): stopping`);
    void stopStack().finally(() => process.exit(1));
  }, config.timeoutMs);
  watchdog.unref();
  try {
    log(`${config.quick ? 'quick mode' : 'full run'}: ${results.meta.command}`);
    stack = await startStack({
      log,
      extraServers: Math.max(...config.discovery.servers),
      maxConversations: config.approvals.target * 2 + 10_000,
      ...(config.serverArgs.length ? { devServer: { extraArgs: config.serverArgs } } : {}),
      ...(config.workerOptions || config.workerNodeFlags.length
        ? { worker: { ...(config.workerOptions ? { options: config.workerOptions } : {}), nodeFlags: config.workerNodeFlags } }
        : {}),
    });
    results.meta.devServerCommand = stack.devServer.command;
    results.meta.startupMs = { ...stack.startupMs };
    await measure(stack, config, results);
    write(config, results);
    return results.failures.length ? 1 : 0;
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    log('stopping the stack');
    await stopStack();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The run before the changes of issue #10 (test/bench/changes.ts), for the before/after table. */
function readBaseline(): BenchResults | undefined {
  try {
    return JSON.parse(readFileSync(path.join(REPO_ROOT, BASELINE_FILE), 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

/** `npm run bench -- render`: the markdown again from the JSON of the last run (after a change to report.ts). */
async function render(): Promise<number> {
  const config = readConfig();
  const results = JSON.parse(readFileSync(config.output.json, 'utf8')) as BenchResults;
  writeFileSync(config.output.markdown, renderReport(results, readBaseline()));
  log(
    `rendered ${path.relative(process.cwd(), config.output.markdown)} from ${path.relative(process.cwd(), config.output.json)} (run of ${results.meta.date})`,
  );
  return 0;
}

const subcommand = process.argv[2];
const SUBCOMMANDS: Record<string, () => Promise<number>> = { profile: runProfile, experiments: runExperiments, render, batch: runBatchBench, floor: runFloor };
const run = subcommand ? SUBCOMMANDS[subcommand] : main;
if (!run) {
  process.stderr.write(
    `unknown subcommand ${subcommand}: use none, ${Object.keys(SUBCOMMANDS)
      .map((name) => `"${name}"`)
      .join(', ')}\n`,
  );
  process.exitCode = 2;
} else {
  void run().then((code) => {
    process.exitCode = code;
    // Only fires if a leaked handle keeps the process alive after teardown.
    setTimeout(() => {
      log('a handle kept the process alive after teardown: exiting');
      process.exit(code);
    }, 5_000).unref();
  });
}
