/** Renders docs/benchmarks.md from one run's results. Pure: no I/O. */
import { markdownTable, mib, ms, ms1, perSecond, ratio, signedMs } from './markdown';
import { findLoad, type BenchResults } from './results';
import { evaluateTargets } from './targets';
import { BASELINE_FILE, KEPT_CHANGES } from './changes';
import { eventsTable, stepsTable, type TimelineSummary } from './timeline';
import { VARIANT_LABELS, type VariantKey } from './variants';

const FLOOR: Partial<Record<VariantKey, VariantKey>> = {
  'mcpflow-hosted': 'plain-hosted',
  'mcpflow-hosted-background': 'plain-hosted',
  'mcpflow-direct': 'plain-direct',
  'plain-hosted-stream': 'plain-hosted',
};
const ORDER: VariantKey[] = ['plain-hosted', 'plain-hosted-stream', 'mcpflow-hosted', 'mcpflow-hosted-background', 'plain-direct', 'mcpflow-direct'];

function header(r: BenchResults): string[] {
  const m = r.meta;
  return [
    '# mcpflow benchmarks',
    '',
    `Written by \`${m.command}\` (test/bench/run.ts); do not edit by hand.${m.quick ? ' **Quick mode: small sizes, a smoke run, not the figures of record.**' : ''}`,
    '',
    `- Commit ${m.commit}${m.uncommittedChanges ? ` with ${m.uncommittedChanges} uncommitted file(s)` : ''}; ${m.date}; the whole run took ${(m.runMs / 60_000).toFixed(1)} min.`,
    `- Machine: ${m.machine.cpus} CPUs (${m.machine.model}), ${mib(m.machine.memoryBytes)} MiB RAM, ${m.machine.os}; Node ${m.node}; load average (1/5/15 min) ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ${m.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end.`,
    `- Temporal: ${m.temporalCli}, started as \`${m.devServerCommand}\` (the same flags as \`mcpflow server\`, SQLite file in a temporary directory).`,
    '- Processes, all on 127.0.0.1: the dev server; one mcpflow worker (`createWorker` of src/worker/worker.ts, loading a workflow bundle built at the start); the services (Responses API emulator + demo MCP servers); the bench itself (client and the plain loops). CPU and RSS are read from `/proc/<pid>`.',
    `- Start-up: dev server ${ms(m.startupMs.devServer)} ms, services ${ms(m.startupMs.services)} ms, workflow bundle ${ms(m.startupMs.bundle)} ms (in parallel), then the worker process ${ms(m.startupMs.worker)} ms from spawn to its first poll${m.startupMs.workerBundling ? `; a worker that bundles at start (as \`mcpflow worker\` does today) takes ${ms(m.startupMs.workerBundling)} ms` : ''}.`,
    '- The query: the seed\'s *"What\'s the weather in London and do I have any meetings today?"*, weather and calendar both `require_approval: "never"`, a fresh query each time (no session, no cached catalog; mcpflow\'s defaults: hosted, streamed Responses calls). Every run is checked: success, exactly the two tool calls, an answer.',
    '',
  ];
}

function targetsSection(r: BenchResults): string[] {
  const rows = evaluateTargets(r);
  const reached = rows.filter((row) => row.reached === true).length;
  const measured = rows.filter((row) => row.reached !== undefined).length;
  return [
    '## Targets',
    '',
    `${reached} of ${measured} measured targets reached.`,
    '',
    markdownTable(
      ['target', 'from', 'value', 'target', 'status'],
      rows.map((row) => [row.what, row.basis, row.value, row.target, row.status]),
      'llrrl',
    ),
    '',
  ];
}

/** This run's targets beside the run before the changes of issue #10, then each change kept with its own measurement. */
function beforeAfterSection(r: BenchResults, before: BenchResults | undefined): string[] {
  const lines = ['## Before and after', ''];
  if (before) {
    const old = new Map(evaluateTargets(before).map((row) => [row.what, row]));
    lines.push(
      `Every target in this run beside the run of commit ${before.meta.commit.slice(0, 7)} (${before.meta.date.slice(0, 10)}, ${BASELINE_FILE}), the last before the changes below. Both are whole \`npm run bench\` runs on this machine; relative figures are against the floor of their own run.`,
      '',
      markdownTable(
        ['target', 'before', 'after (this run)', 'target', 'status now'],
        evaluateTargets(r).map((row) => [row.what, old.get(row.what)?.value ?? 'not measured', row.value, row.target, row.status]),
        'lrrrl',
      ),
      '',
    );
  }
  lines.push('Changes kept, each measured on its own when it was made:', '');
  for (const change of KEPT_CHANGES) {
    lines.push(
      `- **${change.commit}**: ${change.change}. Measured: ${change.command}. ${change.figures.map((f) => `${f.figure}: ${f.before} → ${f.after}`).join('; ')}.`,
    );
  }
  lines.push('');
  return lines;
}

function latencySection(r: BenchResults): string[] {
  const rows: string[][] = [];
  const concurrencies = [...new Set(r.latency.map((load) => load.concurrency))].sort((a, b) => a - b);
  for (const concurrency of concurrencies) {
    for (const variant of ORDER) {
      const load = findLoad(r, variant, concurrency);
      if (!load) continue;
      const floorKey = FLOOR[variant];
      const floor = floorKey ? findLoad(r, floorKey, concurrency) : undefined;
      rows.push([
        VARIANT_LABELS[variant],
        String(concurrency),
        String(load.total),
        ms(load.latency.p50),
        ms(load.latency.p95),
        floor ? signedMs(load.latency.p50 - floor.latency.p50) : '',
        perSecond(load.throughput),
        floor ? ratio(load.throughput / floor.throughput) : '',
        ms1(load.cpuPerQueryMs.worker),
        ms1(load.cpuPerQueryMs.server),
        ms1(load.cpuPerQueryMs.services),
        ms1(load.cpuPerQueryMs.bench),
        mib(load.rssBytes.worker),
        mib(load.rssBytes.server),
      ]);
    }
  }
  return [
    '## Latency, throughput, CPU and memory',
    '',
    'Latency is the client\'s: start → answer (for mcpflow: `startQuery` → `waitForQuery` of McpflowClient, as the CLI does). "vs floor" compares (b) with (a) and (d) with (c) in the same batch size. CPU is user + system time of each process during the batch divided by the queries; "client" is the bench process (client or plain loop); "services" is the emulator and the MCP servers, the same work for every variant. RSS at the end of the batch. Concurrency 1 is the sequential figure. Each variant had an unmeasured warm-up first.',
    '',
    markdownTable(
      [
        'variant',
        'conc.',
        'N',
        'p50 ms',
        'p95 ms',
        'p50 vs floor',
        'q/s',
        'q/s vs floor',
        'worker CPU ms/q',
        'server CPU ms/q',
        'services CPU ms/q',
        'client CPU ms/q',
        'worker RSS MiB',
        'server RSS MiB',
      ],
      rows,
    ),
    '',
  ];
}

function threadsSection(r: BenchResults): string[] {
  const loads = r.latency.filter((load) => load.variant.startsWith('mcpflow'));
  if (!loads.length) return [];
  const names = [...new Set(loads.flatMap((load) => Object.keys(load.workerThreadsPerQueryMs)))].sort();
  return [
    '### Worker CPU by thread',
    '',
    'From `/proc/<worker>/task/*/stat`, ms per query. "workflow thread" is the Node worker_thread that runs the workflow sandbox (the one `node` thread started after the Core SDK\'s threads); "V8 / libuv helpers" are the other `node` threads (garbage collection, compilation, libuv pool); `tokio-runtime-w` is the Core SDK (gRPC, state machines).',
    '',
    markdownTable(
      ['variant', 'conc.', ...names],
      loads.map((load) => [VARIANT_LABELS[load.variant], String(load.concurrency), ...names.map((name) => ms1(load.workerThreadsPerQueryMs[name] ?? 0))]),
    ),
    '',
  ];
}

function timelineSection(mode: string, summary: TimelineSummary | undefined): string[] {
  if (!summary) return [];
  const t = summary.totals;
  return [
    `### ${mode}`,
    '',
    `${summary.runs} sequential runs; per run (medians): ${summary.events} history events, ${summary.workflowTaskCount} workflow tasks, ${summary.activityCount} activities; server time (started → closed) ${ms(summary.runMs)} ms, of which workflow tasks: pickup ${ms(t.workflowTaskPickupMs)} ms + processing ${ms(t.workflowTaskWorkMs)} ms; activities: pickup ${ms(t.activityPickupMs)} ms + execution ${ms(t.activityWorkMs)} ms (activities of one step overlap).`,
    '',
    stepsTable(summary),
    '',
    ...(summary.representative
      ? [
          `<details><summary>The median run event by event (${summary.representative.workflowId})</summary>`,
          '',
          eventsTable(summary.representative),
          '',
          '</details>',
          '',
        ]
      : []),
  ];
}

function scaleSection(r: BenchResults, config: { maxBacklog: number }): string[] {
  const lines: string[] = ['## Scale', ''];
  if (r.discovery.length) {
    lines.push(
      '### Discovery: many servers in one `discoverTools`',
      '',
      'One `listAllTools` activity for all the servers (a server that fails there gets an activity of its own; none failed here); client start → result. Direct: MCP `tools/list` for every server concurrently, on pooled connections; hosted: one Responses call with all the servers (the API lists them). The floor: a plain program listing the same servers in parallel (direct: MCP SDK clients connected once and reused; hosted: one Responses call per server with the openai client). All servers live in the one services process, so 50 listings cost that process 50 times the work on a 2-core machine. Sizes interleaved, p50 over the repetitions after a warm-up.',
      '',
      markdownTable(
        ['mode', 'servers', 'runs', 'p50 ms', 'min ms', 'max ms', 'relative to 1 server', 'floor p50 ms', 'floor relative to 1 server'],
        r.discovery.map((point) => [
          point.mode,
          String(point.servers),
          String(point.samples.length),
          ms(point.p50),
          ms(Math.min(...point.samples)),
          ms(Math.max(...point.samples)),
          ratio(point.relativeToOne),
          ms(point.floorP50),
          ratio(point.floorRelativeToOne),
        ]),
      ),
      '',
    );
  }
  if (r.sessions.length) {
    lines.push(
      '### Session: no discovery inside the TTL',
      '',
      "An `mcpSession` with both servers; queries through `executeQuery` (each a child runQuery). Listing activities counted in the session's and the children's histories.",
      '',
      markdownTable(
        ['mode', 'queries', 'listing activities, first query', 'listing activities, later queries', 'first query ms', 'later queries p50 ms'],
        r.sessions.map((s) => [s.mode, String(s.queries), String(s.firstQueryListings), String(s.laterListings), ms(s.firstQueryMs), ms(s.laterQueryP50Ms)]),
      ),
      '',
    );
  }
  const a = r.approvals;
  if (a) {
    const extrapolated = a.atTarget.extrapolated;
    lines.push(
      `### ${a.target} runs waiting for approval at once`,
      '',
      `The seed scenario (calendar \`always\`), started ${a.started} times as fast as the worker took them (${(a.started / (a.toWaitingMs / 1000)).toFixed(1)} runs/s to the approval wait; at most ${config.maxBacklog} started and not yet waiting). Worker RSS grew ${(a.workerRssPerRun / 1024).toFixed(0)} KiB per waiting run while the workflow cache filled (maxCachedWorkflows: ${a.cacheLimit} here; src/worker/worker.ts)${a.workerRssPerRunBeyondCache === undefined ? '' : `, then ${(a.workerRssPerRunBeyondCache / 1024).toFixed(0)} KiB per run beyond it (evicted runs are replayed when approved)`}; the database grew ${(a.dbBytesPerRun / 1024).toFixed(1)} KiB per run.${extrapolated ? ` The ${Math.round(a.startBudgetMs / 1000)} s budget for starting runs ended before ${a.target} were waiting (starting all ${a.target} at this rate would take ${Math.round(a.target / (a.started / (a.toWaitingMs / 1000)) / 60)} min, approving them about as long: too long for one run), so the figures at ${a.target} are **extrapolated** from ${a.samples.length} samples taken on the way: linearly up to the cache limit${a.workerRssPerRunBeyondCache === undefined ? ', flat beyond it (not measured that far)' : ', then with the slope measured beyond it'}.` : ''}`,
      '',
      markdownTable(
        ['', `measured (${a.waiting} waiting)`, `at ${a.target}${extrapolated ? ' (extrapolated)' : ''}`],
        [
          ['worker RSS MiB', mib(a.workerRss), mib(a.atTarget.workerRss)],
          ['worker peak RSS MiB', mib(a.workerPeakRss), ''],
          ['Temporal database (SQLite file + journal) MiB', mib(a.dbBytes), mib(a.atTarget.dbBytes)],
          ['dev server RSS MiB', mib(a.serverRss), ''],
        ],
      ),
      '',
      `Then every run approved (\`approve\` update → \`waitForQuery\`), ${a.approve.concurrency} at a time: approve → completion p50 **${ms(a.approve.p50)} ms**, p95 **${ms(a.approve.p95)} ms**, max ${ms(a.approve.max)} ms; all ${a.approve.total} done in ${(a.approve.wallMs / 1000).toFixed(1)} s (${(a.approve.total / (a.approve.wallMs / 1000)).toFixed(1)} runs/s)${a.approve.failed ? `; **${a.approve.failed} did not answer as expected**` : ''}.`,
      '',
    );
  }
  if (r.recovery.length) {
    const heartbeat = r.recovery.flatMap((run) => (run.heartbeatTimeoutMs === undefined ? [] : [run.heartbeatTimeoutMs]));
    lines.push(
      '### Recovery after the worker dies',
      '',
      `SIGKILL of the worker process with a query in flight, then a new worker process (loading the prebuilt bundle). Waiting for approval, the run's next workflow task goes to the dead worker's sticky queue first, for the worker's stickyQueueScheduleToStartTimeout. Inside a Responses call, Temporal retries the attempt only once its heartbeat timeout has passed${heartbeat.length ? ` (${[...new Set(heartbeat)].map((value) => `${ms(value)} ms`).join(', ')} in these runs, from their histories)` : ''}.`,
      '',
      markdownTable(
        ['died', 'worker spawn → polling ms', 'spawn → query done ms', 'polling → query done ms', 'SIGKILL → query done ms'],
        r.recovery.map((run) => [run.where, ms(run.workerStartMs), ms(run.fromSpawnMs), ms(run.fromReadyMs), ms(run.fromKillMs)]),
      ),
      '',
    );
  }
  return lines;
}

export function renderReport(r: BenchResults, before?: BenchResults): string {
  return [
    ...header(r),
    ...targetsSection(r),
    ...beforeAfterSection(r, before),
    ...latencySection(r),
    ...threadsSection(r),
    '## Where the time goes',
    '',
    "From the workflow histories of the sequential mcpflow runs (server timestamps). Pickup: a task scheduled → a worker poll got it (matching, and the history service's transfer queue before it). Processing: the worker got it → its completion recorded.",
    '',
    ...timelineSection('hosted', r.timelines.hosted),
    ...timelineSection('direct', r.timelines.direct),
    ...scaleSection(r, { maxBacklog: r.approvals?.maxBacklog ?? 0 }),
    ...(r.failures.length ? ['## Failed phases', '', ...r.failures.map((failure) => `- ${failure.phase}: ${failure.error.split('\n')[0]}`), ''] : []),
    '## Reproduce',
    '',
    '`npm run bench` (7–10 minutes; needs the Temporal CLI, see README). `MCPFLOW_BENCH_QUICK=1 npm run bench` is a smoke run with small sizes that writes test/.tmp/benchmarks-quick.md. `npm run bench -- profile` CPU-profiles the worker under load; `npm run bench -- experiments` compares worker options and dev server flags; `npm run bench -- render` rewrites this file from docs/benchmarks.json. Environment variables: test/bench/config.ts.',
    '',
    '## Batches',
    '',
    '`npm run bench -- batch` (test/bench/batch.ts) measures a 100,000-line batch and the batch acceptance scenario separately and writes [benchmarks-batch.md](benchmarks-batch.md).',
    '',
  ].join('\n');
}
