/**
 * `npm run bench` (tsx test/bench/run.ts): starts its own stack, runs the scenarios, writes
 * test/bench/results.md and prints it. Everything is stopped at the end, on error too.
 *
 * Environment:
 *   MCPFLOW_BENCH_QUICK=1        smaller N everywhere (a smoke run of the bench itself)
 *   MCPFLOW_BENCH_TIMEOUT_MS     give up after this long (default 280000: under 5 minutes)
 *   MCPFLOW_BENCH_OUTPUT         where to write the markdown (default test/bench/results.md)
 */
import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { breakdownOf } from './breakdown';
import { processRssBytes, renderReport, type BenchResults } from './report';
import { concurrentHosted, emulatorAlone, seedWithApproval, sequentialWeather } from './scenarios';
import { startBenchStack, type BenchStack } from './stack';

const quick = process.env.MCPFLOW_BENCH_QUICK === '1';
const sizes = quick
  ? { hosted: 5, direct: 5, seed: 3, concurrent: 10, concurrentWarmup: 3, emulator: 40, emulatorWarmup: 10, emulatorConcurrency: 10 }
  : { hosted: 20, direct: 20, seed: 10, concurrent: 50, concurrentWarmup: 10, emulator: 200, emulatorWarmup: 20, emulatorConcurrency: 10 };
const budgetMs = Number(process.env.MCPFLOW_BENCH_TIMEOUT_MS ?? 280_000);
const output = path.resolve(process.env.MCPFLOW_BENCH_OUTPUT ?? path.join(__dirname, 'results.md'));

const benchStart = performance.now();
function log(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  log(`${what}...`);
  const start = performance.now();
  const value = await fn();
  log(`${what}: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return value;
}

async function measure(stack: BenchStack): Promise<BenchResults> {
  const startedAt = new Date();
  const loadAverage = os.loadavg();
  const hosted = await step(`1. hosted, ${sizes.hosted} sequential`, () => sequentialWeather(stack, 'hosted', sizes.hosted));
  const direct = await step(`2. direct, ${sizes.direct} sequential`, () => sequentialWeather(stack, 'direct', sizes.direct));
  const seed = await step(`3. seed with approval, ${sizes.seed} sequential`, () => seedWithApproval(stack, sizes.seed));
  const throughput = await step(`4+5. ${sizes.concurrent} concurrent hosted`, () => concurrentHosted(stack, sizes.concurrent, sizes.concurrentWarmup));
  const emulator = await step(`6. emulator alone, ${sizes.emulator} requests`, () =>
    emulatorAlone(stack, sizes.emulator, sizes.emulatorConcurrency, sizes.emulatorWarmup));
  const [hostedBreakdown, directBreakdown] = await step('reading histories', () =>
    Promise.all([breakdownOf(hosted.handles, hosted.samples), breakdownOf(direct.handles, direct.samples)]));
  return {
    quick, startedAt, loadAverage, benchMs: performance.now() - benchStart, startupMs: stack.startupMs,
    hosted, direct, seed, throughput, emulator, hostedBreakdown, directBreakdown,
    devServerRssBytes: processRssBytes(stack.devServer.pid),
  };
}

/** How long teardown waits for the cancelled measurements to settle after a timeout. */
const SETTLE_AFTER_ABORT_MS = 5_000;

async function main(): Promise<number> {
  let stackStarting: Promise<BenchStack> | undefined;
  let measuring: Promise<unknown> | undefined;
  const abort = new AbortController();
  // Every gRPC call of the bench listens on this one signal (the SDK does not always remove its listener).
  setMaxListeners(0, abort.signal);
  let timer: NodeJS.Timeout | undefined;
  const stopStack = async () => {
    const stack = await stackStarting?.catch(() => undefined);
    await stack?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping everything`);
    abort.abort();
    void stopStack().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort(); // cancels the client's in-flight calls, so nothing retries into a closed channel
        reject(new Error(`the bench did not finish within ${budgetMs} ms (MCPFLOW_BENCH_TIMEOUT_MS)`));
      }, budgetMs);
    });
    const results = await Promise.race([
      (async () => {
        stackStarting = step('starting the stack', () => startBenchStack(log));
        const stack = await stackStarting;
        measuring = stack.connection.withAbortSignal(abort.signal, () => measure(stack));
        return (await measuring) as BenchResults;
      })(),
      watchdog,
    ]);
    const markdown = renderReport(results);
    writeFileSync(output, markdown);
    process.stdout.write(`${markdown}\n`);
    log(`wrote ${path.relative(process.cwd(), output)}`);
    return 0;
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    if (abort.signal.aborted && measuring) {
      const settled = measuring.then(() => undefined, () => undefined);
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_ABORT_MS).unref())]);
    }
    await step('stopping the stack', stopStack);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

void main().then((code) => {
  process.exitCode = code;
  // Only fires if a leaked handle keeps the process alive after teardown.
  setTimeout(() => {
    log('a handle kept the process alive after teardown: exiting');
    process.exit(code);
  }, 5_000).unref();
});
