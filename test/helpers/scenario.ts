/** Small tools the reliability scenarios share: waiting for a condition, counting task failures, seeded garbage. */
import type { WorkflowHandle } from '@temporalio/client';

/** Retries that keep a scenario short: 3 retries, 200 ms to 1 s apart. */
export const FAST_RETRY = { max_retries: 3, base_delay_ms: 200, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 };

/** Waiting lives in ./wait; the scenarios have imported it from here. */
export { until } from './wait';

/** Workflow task failures and terminations in a run's history: a correct run has none. */
export async function taskFailures(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((event) => event.workflowTaskFailedEventAttributes || event.workflowExecutionTerminatedEventAttributes).length;
}

/** A small deterministic generator (mulberry32): the same garbage on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `items`, chosen by `next`. */
export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}
