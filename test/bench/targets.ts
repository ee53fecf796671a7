/**
 * The targets of issue #10, each checked against this run's figures; where one is missed the row
 * says by how much. Latency and throughput targets are relative to the plain loops measured in
 * the same run (the floor), so that a noisy machine moves both sides alike.
 */
import { mib, ms, ms1, ratio } from './markdown';
import { median } from './measure';
import { findLoad, type BenchResults } from './results';

export interface TargetRow {
  what: string;
  /** The figures the value is computed from. */
  basis: string;
  value: string;
  target: string;
  /** undefined: not measured in this run. */
  reached: boolean | undefined;
  status: string;
}

const MiB = 1024 * 1024;

function atMost(value: number | undefined, limit: number, unit: (n: number) => string): Pick<TargetRow, 'reached' | 'status'> {
  if (value === undefined || !Number.isFinite(value)) return { reached: undefined, status: 'not measured' };
  if (value <= limit) return { reached: true, status: `reached (${unit(limit - value)} to spare)` };
  return { reached: false, status: `**missed** by ${unit(value - limit)} (${(value / limit).toFixed(1)}× the target)` };
}

function atLeast(value: number | undefined, limit: number, unit: (n: number) => string): Pick<TargetRow, 'reached' | 'status'> {
  if (value === undefined || !Number.isFinite(value)) return { reached: undefined, status: 'not measured' };
  if (value >= limit) return { reached: true, status: `reached (${unit(value - limit)} above)` };
  return { reached: false, status: `**missed** by ${unit(limit - value)} (needs ${(limit / value).toFixed(1)}× the value)` };
}

const msUnit = (n: number) => `${ms1(n)} ms`;
const ratioUnit = (n: number) => ratio(n);
const mibUnit = (n: number) => `${mib(n)} MiB`;
const countUnit = (n: number) => String(Math.round(n));

export function evaluateTargets(results: BenchResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const seq = (variant: Parameters<typeof findLoad>[1]) => findLoad(results, variant, 1);
  const c50 = (variant: Parameters<typeof findLoad>[1]) => findLoad(results, variant, 50);

  for (const [mode, plain, flow, limit] of [
    ['hosted', 'plain-hosted', 'mcpflow-hosted', 40],
    ['direct', 'plain-direct', 'mcpflow-direct', 80],
  ] as const) {
    const a = seq(plain);
    const b = seq(flow);
    const added = a && b ? b.latency.p50 - a.latency.p50 : undefined;
    rows.push({
      what: `${mode}, fresh query, sequential: latency added over the plain loop, p50`,
      basis: `plain ${ms(a?.latency.p50)} ms, mcpflow ${ms(b?.latency.p50)} ms`,
      value: `${ms(added)} ms`,
      target: `≤ ${limit} ms`,
      ...atMost(added, limit, msUnit),
    });
  }
  for (const [mode, plain, flow] of [
    ['hosted', 'plain-hosted', 'mcpflow-hosted'],
    ['direct', 'plain-direct', 'mcpflow-direct'],
  ] as const) {
    const a = c50(plain);
    const b = c50(flow);
    const share = a && b ? b.throughput / a.throughput : undefined;
    rows.push({
      what: `${mode}, concurrency 50: throughput relative to the plain loop`,
      basis: `plain ${a?.throughput.toFixed(1) ?? 'n/a'} q/s, mcpflow ${b?.throughput.toFixed(1) ?? 'n/a'} q/s`,
      value: ratio(share),
      target: '≥ 0.50×',
      ...atLeast(share, 0.5, ratioUnit),
    });
  }
  const hosted50 = c50('mcpflow-hosted');
  rows.push({
    what: 'worker CPU per hosted query (concurrency 50 batch)',
    basis: `${hosted50?.total ?? 'n/a'} queries; sequential: ${ms(seq('mcpflow-hosted')?.cpuPerQueryMs.worker)} ms`,
    value: `${ms(hosted50?.cpuPerQueryMs.worker)} ms`,
    target: '≤ 15 ms',
    ...atMost(hosted50?.cpuPerQueryMs.worker, 15, msUnit),
  });
  for (const mode of ['direct', 'hosted'] as const) {
    const points = results.discovery.filter((point) => point.mode === mode);
    const one = points.find((point) => point.servers === 1);
    const fifty = points.find((point) => point.servers === 50);
    rows.push({
      what: `discovery of 50 servers in one discoverTools (${mode}), relative to 1 server`,
      basis: `1 server ${ms(one?.p50)} ms, 50 servers ${ms(fifty?.p50)} ms (p50); plain floor ${ms(one?.floorP50)} → ${ms(fifty?.floorP50)} ms (${ratio(fifty?.floorRelativeToOne)})`,
      value: ratio(fifty?.relativeToOne),
      target: '≤ 1.50×',
      ...atMost(fifty?.relativeToOne, 1.5, ratioUnit),
    });
  }
  for (const session of results.sessions) {
    rows.push({
      what: `session (${session.mode}): discovery calls for queries inside the TTL`,
      basis: `first query ${session.firstQueryListings} listing activities; then ${session.queries - 1} queries`,
      value: String(session.laterListings),
      target: '0',
      ...atMost(session.laterListings, 0, countUnit),
    });
  }
  const approvals = results.approvals;
  rows.push({
    what: `worker RSS with ${approvals?.target ?? 5000} runs waiting for approval`,
    basis: approvals
      ? `${approvals.waiting} waiting: ${mib(approvals.workerRss)} MiB${approvals.atTarget.extrapolated ? `; **extrapolated** to ${approvals.target} (${(approvals.workerRssPerRun / 1024).toFixed(0)} KiB per run up to the ${approvals.cacheLimit}-run workflow cache)` : ''}`
      : 'n/a',
    value: `${mib(approvals?.atTarget.workerRss)} MiB`,
    target: '≤ 400 MiB',
    ...atMost(approvals?.atTarget.workerRss, 400 * MiB, mibUnit),
  });
  for (const where of ['waiting for approval', 'inside a Responses call'] as const) {
    const runs = results.recovery.filter((run) => run.where === where);
    const fromSpawn = runs.length ? median(runs.map((run) => run.fromSpawnMs)) : undefined;
    rows.push({
      what: `recovery after SIGKILL ${where}: new worker's start → the query completed`,
      basis: runs.length
        ? `${runs.length} run(s); worker start ${ms(median(runs.map((run) => run.workerStartMs)))} ms, then ${ms(median(runs.map((run) => run.fromReadyMs)))} ms${runs[0]?.heartbeatTimeoutMs ? ` (heartbeat timeout ${ms(runs[0].heartbeatTimeoutMs)} ms)` : ''}`
        : 'n/a',
      value: `${ms(fromSpawn)} ms`,
      target: '≤ 3000 ms',
      ...atMost(fromSpawn, 3000, msUnit),
    });
  }
  return rows;
}
