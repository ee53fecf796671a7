/** Turns the scenario results into the markdown of test/bench/results.md. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Breakdown } from './breakdown';
import { markdownTable, mib, ms, summarize } from './measure';
import { APPROVAL_POLL_MS, SEED_QUERY, WEATHER_QUERY, type ApprovalRun, type EmulatorRun, type LatencyRun, type ThroughputRun } from './scenarios';
import type { BenchStack } from './stack';

export interface BenchResults {
  quick: boolean;
  startedAt: Date;
  /** os.loadavg() when the measurements began. */
  loadAverage: number[];
  benchMs: number;
  startupMs: BenchStack['startupMs'];
  hosted: LatencyRun;
  direct: LatencyRun;
  seed: ApprovalRun;
  throughput: ThroughputRun;
  emulator: EmulatorRun;
  hostedBreakdown: Breakdown;
  directBreakdown: Breakdown;
  /** RSS of the dev server process at the end, when /proc tells. */
  devServerRssBytes: number | undefined;
}

/** VmRSS of a process from /proc (Linux); undefined elsewhere. */
export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function latencyRow(label: string, samples: readonly number[], n: string, notes: string): string[] {
  const s = summarize(samples);
  return [label, n, ms(s.min), ms(s.p50), ms(s.p95), ms(s.max), notes];
}

function perSecond(count: number, wallMs: number): string {
  return (count / (wallMs / 1000)).toFixed(1);
}

export function renderReport(r: BenchResults): string {
  const cpus = os.cpus();
  const until = summarize(r.seed.untilApproval);
  const after = summarize(r.seed.afterApproval);
  const mem = (label: string, m: NodeJS.MemoryUsage) => [label, mib(m.rss), mib(m.heapUsed), mib(m.heapTotal), mib(m.external)];
  const before = r.throughput.memoryBefore;
  const afterMem = r.throughput.memoryAfter;
  const delta = {
    rss: afterMem.rss - before.rss, heapUsed: afterMem.heapUsed - before.heapUsed,
    heapTotal: afterMem.heapTotal - before.heapTotal, external: afterMem.external - before.external,
  } as NodeJS.MemoryUsage;

  return [
    '# mcpflow benchmark',
    '',
    `- Date: ${r.startedAt.toISOString()}${r.quick ? ' — **quick mode** (MCPFLOW_BENCH_QUICK=1, smaller N)' : ''}`,
    `- Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${mib(os.totalmem())} MiB RAM, ${os.platform()} ${os.release()} ${os.arch()}; load average at the start ${r.loadAverage.map((load) => load.toFixed(2)).join(' / ')} (1/5/15 min: other work on the machine shows here)`,
    `- Node ${process.version}; everything on 127.0.0.1: Temporal dev server (in memory, headless, separate process), and in this process one worker (createWorker), the Responses API emulator, the demo MCP servers and the client`,
    `- Stack startup: dev server ${ms(r.startupMs.devServer)} ms, emulator + demo servers ${ms(r.startupMs.emulatorAndDemo)} ms, worker (bundles the workflows) ${ms(r.startupMs.worker)} ms; whole bench ${(r.benchMs / 1000).toFixed(1)} s`,
    '- Each measurement follows an unmeasured warm-up. Latency is client `workflow.start` → `result()`, in ms. Queries use the defaults (streamed Responses calls, gpt-4o-mini on the emulator).',
    '',
    '## Latency and throughput',
    '',
    markdownTable(['measurement', 'N', 'min ms', 'p50 ms', 'p95 ms', 'max ms', 'notes'], [
      latencyRow(`1. hosted: "${WEATHER_QUERY}" (weather never)`, r.hosted.samples, String(r.hosted.samples.length), 'sequential'),
      latencyRow('2. direct: same query, `mode: direct`', r.direct.samples, String(r.direct.samples.length), 'sequential'),
      latencyRow('3. seed scenario, calendar approval', r.seed.samples, String(r.seed.samples.length),
        `sequential; start → approval seen p50 ${ms(until.p50)} / p95 ${ms(until.p95)}, approve → result p50 ${ms(after.p50)} / p95 ${ms(after.p95)}; progress polled every ${APPROVAL_POLL_MS} ms`),
      latencyRow('4. throughput: hosted weather, all at once', r.throughput.samples, `${r.throughput.concurrency} concurrent`,
        `wall ${ms(r.throughput.wallMs)} ms, **${perSecond(r.throughput.concurrency, r.throughput.wallMs)} queries/s**`),
      latencyRow('6. emulator alone: non-streamed Responses call, 1 MCP listing + 1 call', r.emulator.samples, `${r.emulator.total} (concurrency ${r.emulator.concurrency})`,
        `wall ${ms(r.emulator.wallMs)} ms, **${perSecond(r.emulator.total, r.emulator.wallMs)} requests/s**; openai client, maxRetries 0`),
    ], 'lrrrrrl'),
    '',
    `Seed scenario: "${SEED_QUERY}" with weather \`require_approval: never\` and calendar \`always\`, approved through the \`approve\` update as soon as \`progress\` shows the request.`,
    '',
    '## 5. Worker memory around the throughput run',
    '',
    `process.memoryUsage() of the bench process (worker + emulator + demo servers + client), MiB. Dev server process RSS at the end: ${r.devServerRssBytes === undefined ? 'n/a' : `${mib(r.devServerRssBytes)} MiB`}.`,
    '',
    markdownTable(['', 'RSS', 'heapUsed', 'heapTotal', 'external'], [
      mem('before', before),
      mem(`after ${r.throughput.concurrency} concurrent`, afterMem),
      mem('delta', delta),
    ]),
    '',
    '## Where the time goes (from the histories of the measured runs)',
    '',
    '### 1. hosted',
    '',
    r.hostedBreakdown.table(),
    '',
    '### 2. direct',
    '',
    r.directBreakdown.table(),
    '',
  ].join('\n');
}
