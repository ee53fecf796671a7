/**
 * One measured batch: `total` queries of one variant with at most `concurrency` in flight, with
 * the CPU every process used in the meantime (per query), their RSS at the end, and the worker's
 * CPU split by thread.
 */
import { summarize, runPool, timed, type Summary } from './measure';
import { threadCpuMs } from './procfs';
import type { Stack } from './stack';
import type { Variant, VariantKey } from './variants';

export type ProcessName = 'worker' | 'server' | 'services' | 'bench';
export const PROCESS_NAMES: readonly ProcessName[] = ['worker', 'server', 'services', 'bench'];

export interface LoadResult {
  variant: VariantKey;
  concurrency: number;
  total: number;
  wallMs: number;
  latency: Summary;
  /** Queries per second over the batch's wall time. */
  throughput: number;
  /** CPU ms per query of each process over the batch (undefined where /proc cannot tell). */
  cpuPerQueryMs: Record<ProcessName, number | undefined>;
  rssBytes: Record<ProcessName, number | undefined>;
  /** The worker's CPU ms per query by thread name (mcpflow variants). */
  workerThreadsPerQueryMs: Record<string, number>;
  workflowIds: string[];
  samples: number[];
}

export async function runLoad(stack: Stack, variant: Variant, total: number, concurrency: number): Promise<LoadResult> {
  const threadsBefore = threadCpuMs(stack.worker.pid);
  const before = stack.meter.snapshot();
  const { value: runs, ms: wallMs } = await timed(() => runPool(total, concurrency, () => timed(variant.run)));
  const cpu = stack.meter.cpuSince(before);
  const threadsAfter = threadCpuMs(stack.worker.pid);
  const workerThreadsPerQueryMs: Record<string, number> = {};
  for (const [name, after] of threadsAfter) {
    const used = after - (threadsBefore.get(name) ?? 0);
    if (used > 0) workerThreadsPerQueryMs[name] = used / total;
  }
  const samples = runs.map((run) => run.ms);
  return {
    variant: variant.key,
    concurrency,
    total,
    wallMs,
    latency: summarize(samples),
    throughput: total / (wallMs / 1000),
    cpuPerQueryMs: Object.fromEntries(
      PROCESS_NAMES.map((name) => [name, cpu[name] === undefined ? undefined : cpu[name]! / total]),
    ) as LoadResult['cpuPerQueryMs'],
    rssBytes: stack.meter.rss() as LoadResult['rssBytes'],
    workerThreadsPerQueryMs,
    workflowIds: runs.flatMap((run) => (run.value ? [run.value] : [])),
    samples,
  };
}
