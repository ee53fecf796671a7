/**
 * How eagerly V8 collects garbage in the worker process: every isolate of it, the main thread
 * (activities) and the workflow thread (the sandbox, where evicted and replayed runs leave their
 * garbage). V8 lets an old generation grow to a multiple of what survived its last full
 * collection (up to 4× when collecting is fast) before it collects again; with ~100 MiB live in
 * the workflow thread (the cached runs), the RSS of a worker with thousands of runs waiting for
 * approval was mostly that headroom (docs/benchmarks.md: 1,500 waiting, 470 MiB RSS, peak 551 MiB;
 * with a growth of 20%: 388 MiB, peak 389 MiB).
 *
 * Set once per process before the workflow thread starts; the flag is read at every collection,
 * so it applies to the isolates that exist already too. MCPFLOW_HEAP_GROWING_PERCENT=0 keeps
 * V8's own heuristics.
 */
import v8 from 'node:v8';
import { ConfigError } from '../config/errors';

export const DEFAULT_HEAP_GROWING_PERCENT = 20;

let applied = false;

/** The growth to set from MCPFLOW_HEAP_GROWING_PERCENT (default 20; 0 = V8's own heuristics). */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MCPFLOW_HEAP_GROWING_PERCENT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_HEAP_GROWING_PERCENT;
  const percent = Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new ConfigError(`MCPFLOW_HEAP_GROWING_PERCENT: "${raw}" is not a whole number from 0 to 1000; use e.g. 20 (or 0 for V8's default)`);
  }
  return percent;
}

export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env): void {
  if (applied) return;
  const percent = heapGrowingPercent(env);
  applied = true;
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
