/** The per-line cost's tables (batch-lines.ts) for docs/benchmarks-batch.md: one run in full, and every run in brief. */
import type { PrototypeRun } from './batch-prototype';
import type { BatchLinesResult, BatchLinesRound, SideCost } from './batch-lines';

function range(values: number[], digits = 1): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const f = (value: number) => value.toFixed(digits);
  return min === max ? f(min) : `${f(min)}–${f(max)}`;
}

export function renderBatchLines(result: BatchLinesResult): string[] {
  const rounds = result.rounds;
  if (!rounds.length) return [];
  const groups = (rounds[0]!.prototype ?? []).map((run) => run.group);
  type Column = { name: string; get: (round: BatchLinesRound) => (SideCost & Partial<PrototypeRun & BatchLinesRound['batch']>) | undefined };
  const columns: Column[] = [
    { name: 'plain loop', get: (round) => round.plain },
    { name: 'batch (as built at the commit)', get: (round) => round.batch },
    ...groups.map((group) => ({
      name: `prototype: ${group} line(s) per activity`,
      get: (round: BatchLinesRound) => round.prototype?.find((run) => run.group === group),
    })),
  ];
  const cell = (column: Column, read: (side: NonNullable<ReturnType<Column['get']>>, round: BatchLinesRound) => number | undefined, digits = 1) => {
    const values = rounds.flatMap((round) => {
      const side = column.get(round);
      const value = side && read(side, round);
      return value === undefined ? [] : [value];
    });
    return values.length ? range(values, digits) : '';
  };
  const row = (label: string, read: Parameters<typeof cell>[1], digits = 1) =>
    `| ${label} | ${columns.map((column) => cell(column, read, digits)).join(' | ')} |`;
  const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);
  const last = rounds.at(-1)!.batch;
  return [
    `## Per-line cost: ${result.lines.toLocaleString('en')} one-tool lines (${result.mode ?? 'direct'} mode), concurrency ${result.concurrency}, ${rounds.length} round(s)`,
    '',
    'Ranges over the rounds; each round runs the plain loop, then the batch, then the prototypes, on the same services.',
    'The prototypes run in a minimal worker in the bench process: their worker CPU is in the "bench process" row.',
    '',
    `| | ${columns.map((column) => column.name).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    row('lines/s', (side) => side.lines_per_second),
    row('÷ plain loop of the round', (side, round) => side.lines_per_second / round.plain.lines_per_second, 2),
    row('CPU ms per line: Temporal server', (side) => side.cpu_ms_per_line.server, 2),
    row('CPU ms per line: worker', (side) => side.cpu_ms_per_line.worker, 2),
    row('CPU ms per line: services (emulator, MCP server)', (side) => side.cpu_ms_per_line.services, 2),
    row('CPU ms per line: bench process (plain loop, client, prototype worker)', (side) => side.cpu_ms_per_line.bench, 2),
    row('history events per line', (side) => side.history_events_per_line),
    row('history bytes per line', (side) => side.history_bytes_per_line, 0),
    `| worker RSS after the batch (peak) | | ${mib(last.worker_rss_bytes)} (${mib(last.worker_peak_rss_bytes)}) |${groups.map(() => ' |').join('')}`,
    '',
  ];
}

/** One per-line cost run in brief, for the table of candidates. */
export interface CostSummary {
  date: string;
  commit: string;
  /** What the batch ran (the design of that commit), written by hand into the JSON where it needs saying. */
  design?: string;
  lines: number;
  concurrency: number;
  rounds: number;
  plain_lines_per_second: string;
  batch_lines_per_second: string;
  batch_ratio: string;
  batch_events_per_line: string;
  batch_server_worker_cpu_ms_per_line: string;
  prototypes: Array<{ group: number; lines_per_second: string; ratio: string; events_per_line: string; server_bench_cpu_ms_per_line: string }>;
}

export function costSummary(result: BatchLinesResult & { date: string; commit: string }): CostSummary {
  const rounds = result.rounds;
  const cpu = (side: { cpu_ms_per_line: Record<string, number | undefined> }, names: string[]) =>
    names.reduce((sum, name) => sum + (side.cpu_ms_per_line[name] ?? Number.NaN), 0);
  const groups = (rounds[0]?.prototype ?? []).map((run) => run.group);
  return {
    date: result.date,
    commit: result.commit,
    lines: result.lines,
    concurrency: result.concurrency,
    rounds: rounds.length,
    plain_lines_per_second: range(rounds.map((round) => round.plain.lines_per_second)),
    batch_lines_per_second: range(rounds.map((round) => round.batch.lines_per_second)),
    batch_ratio: range(
      rounds.map((round) => round.ratio),
      2,
    ),
    batch_events_per_line: range(rounds.map((round) => round.batch.history_events_per_line)),
    batch_server_worker_cpu_ms_per_line: range(
      rounds.map((round) => cpu(round.batch, ['server', 'worker'])),
      1,
    ),
    prototypes: groups.map((group) => {
      const runs = rounds.flatMap((round) => {
        const run = round.prototype?.find((each) => each.group === group);
        return run ? [{ run, plain: round.plain.lines_per_second }] : [];
      });
      return {
        group,
        lines_per_second: range(runs.map(({ run }) => run.lines_per_second)),
        ratio: range(
          runs.map(({ run, plain }) => run.lines_per_second / plain),
          2,
        ),
        events_per_line: range(runs.map(({ run }) => run.history_events_per_line)),
        server_bench_cpu_ms_per_line: range(
          runs.map(({ run }) => cpu(run, ['server', 'bench'])),
          1,
        ),
      };
    }),
  };
}

export function renderCostRuns(runs: CostSummary[]): string[] {
  const rows = runs.flatMap((run) => {
    const head = `| ${run.date.slice(0, 16).replace('T', ' ')} | ${run.commit} | ${run.lines} × c${run.concurrency} × ${run.rounds} |`;
    return [
      `${head} ${run.design ?? 'runQuery child per line'} | ${run.plain_lines_per_second} | ${run.batch_lines_per_second} | ${run.batch_ratio}× | ${run.batch_events_per_line} | ${run.batch_server_worker_cpu_ms_per_line} |`,
      ...run.prototypes.map(
        (prototype) =>
          `${head} prototype: ${prototype.group} line(s) per activity | ${run.plain_lines_per_second} | ${prototype.lines_per_second} | ${prototype.ratio}× | ${prototype.events_per_line} | ${prototype.server_bench_cpu_ms_per_line} (server + bench) |`,
      ),
    ];
  });
  return [
    '## Candidates measured (issue 26): every per-line cost run, oldest first',
    '',
    'Lines/s and ratios are ranges over the run\'s rounds; "÷ plain" divides by the plain loop of the same round. CPU is server + worker ms per line',
    '(the prototypes run their worker in the bench process: server + bench).',
    '',
    '| date (UTC) | commit | lines × concurrency × rounds | design | plain loop lines/s | lines/s | ÷ plain | history events per line | CPU ms per line |',
    '|---|---|---|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ];
}
