/**
 * The changes of issue #10 that were kept, each with the measurement that justified it (its own
 * command, before → after), for the "Before and after" section of docs/benchmarks.md. The same
 * section compares every target of this run with the run recorded before the changes
 * (docs/benchmarks-before.json, the run of commit 9cec565).
 */
export interface KeptChange {
  commit: string;
  change: string;
  /** How the figures below were measured. */
  command: string;
  figures: Array<{ figure: string; before: string; after: string }>;
}

export const BASELINE_FILE = 'docs/benchmarks-before.json';

export const KEPT_CHANGES: KeptChange[] = [
  {
    commit: '691f1e2',
    change:
      "zod, src/core, workflows/messages.ts and workflows/batch/messages.ts are evaluated once per worker (the bundler's `preloadModules`, src/worker/shared-modules.ts) instead of once per run: the worker profile showed 13 ms of module evaluation per query in the workflow thread (zod building schemas), and each cached run held its own copy of every schema",
    command:
      'replay of the recorded approved hosted run (query-seed-scenario-approved.json) 300 times in one process with Worker.runReplayHistories, CPU from process.cpuUsage(); load average ~4',
    figures: [
      { figure: 'worker CPU per replayed run', before: '29.5 ms', after: '11.4 ms' },
      { figure: 'wall time per replayed run', before: '39.4 ms', after: '12.5 ms' },
    ],
  },
  {
    commit: '6659181',
    change:
      "streamed Responses calls beat at once and every 500 ms, with a heartbeat timeout of 2.5 s instead of 15 s, and an attempt that timed out is retried after 100 ms instead of the 1 s base delay (every failure an attempt reports carries its own nextRetryDelay, so the policy interval only paces timeouts). 2 s timed out 8 of 1,398 calls of a worker flooded with runs (each call's first beat came only with its first stream event then)",
    command: '`MCPFLOW_BENCH_PHASES=latency,discovery,recovery npm run bench` (load average ~10)',
    figures: [{ figure: 'SIGKILL inside a Responses call: new worker polling → query done', before: '16174 ms', after: '3340 ms' }],
  },
  {
    commit: '2ce64b0',
    change:
      'the worker keeps at most 250 runs cached by default (`mcpflow worker --max-cached-workflows`, MCPFLOW_MAX_CACHED_WORKFLOWS); a run waiting for approval is evicted and replayed from history when the answer comes',
    command:
      '`MCPFLOW_BENCH_PHASES=approvals npm run bench` with 1,200 and 1,500 runs waiting (MCPFLOW_BENCH_APPROVALS, MCPFLOW_MAX_CACHED_WORKFLOWS=100 for the second)',
    figures: [
      { figure: 'worker RSS per cached waiting run (with the shared modules)', before: '2183 KiB', after: '276 KiB' },
      { figure: 'worker RSS from 164 to 1,390 waiting runs, 100 cached', before: '(not bounded)', after: '380–436 MiB, flat' },
    ],
  },
  {
    commit: '3d6c2b4',
    change:
      "discovery lists all servers in one `listAllTools` activity (direct: `tools/list` concurrently; hosted: one Responses call with every server), behind `patched('discovery-list-all-at-once')`; servers that fail there are listed again with an activity and retry policy of their own. A direct query lists its servers with one activity instead of one each",
    command: '`MCPFLOW_BENCH_PHASES=latency,discovery,recovery npm run bench` (load average ~10)',
    figures: [
      { figure: 'discoverTools, 50 direct servers relative to 1', before: '4.33×', after: '2.68×' },
      { figure: 'direct query: workflow tasks / activities / history events (medians)', before: '6 / 6 / 47', after: '5 / 5 / 43' },
    ],
  },
  {
    commit: 'd18fbf7',
    change:
      'the tool definition hash (64-bit FNV-1a, computed in the workflow for every listed tool) uses two 32-bit halves instead of a BigInt operation per character; same values (test/unit/catalog.test.ts checks them against the BigInt form)',
    command: '`MCPFLOW_BENCH_QUICK=1 npm run bench -- profile` for the share, then 1,000 hashes of a 2,000-character definition',
    figures: [{ figure: 'hashToolDefinition in the workflow thread, hosted', before: '1.2 ms per query', after: '≈0.2 ms per query (7× faster per hash)' }],
  },
  {
    commit: '9d35b2e',
    change:
      'the sticky queue timeout is 500 ms instead of 1 s: after a worker dies, the workflow task that follows an approval or a retried Responses call waits that long for the dead worker before another takes it (the history of a recovered run showed WorkflowTaskTimedOut 1 s after the retried call completed)',
    command: '`MCPFLOW_BENCH_PHASES=latency,recovery npm run bench` (load average ~7–11)',
    figures: [
      { figure: 'SIGKILL waiting for approval: new worker polling → query done', before: '1187–1408 ms', after: '734–980 ms' },
      { figure: 'hosted concurrency 50 (no loss)', before: '18.1 q/s, worker 16.7 ms/q', after: '24.6 q/s, worker 14.2 ms/q' },
    ],
  },
  {
    commit: '013dc68',
    change:
      "a retried attempt of a heartbeating activity resets its run's sticky queue (ResetStickyTaskQueue, src/worker/sticky-reset.ts) while it runs: the history of a run recovered from a SIGKILL inside a Responses call showed the workflow task after the retried call waiting on the dead worker's sticky queue until WorkflowTaskTimedOut ~850 ms later",
    command: '`MCPFLOW_BENCH_RECOVERY=0,3 MCPFLOW_BENCH_PHASES=recovery npm run bench` (load average ~6)',
    figures: [
      { figure: 'SIGKILL inside a Responses call: new worker spawned → query done', before: '5014–5636 ms', after: '3217–4624 ms' },
      { figure: 'the task after the retried call: scheduled → started', before: '844–889 ms', after: '2 ms' },
    ],
  },
  {
    commit: 'd0b4dd7',
    change:
      "the worker caches 100 runs by default instead of 250, and V8 collects once a heap grew 20% (MCPFLOW_HEAP_GROWING_PERCENT, src/worker/heap.ts) instead of up to 4× what survived: the worker's own memory report (SIGUSR2 of test/bench/worker-main.ts) showed the main heap flat at ~100 MiB while RSS grew past the cache, i.e. in the workflow thread's heap",
    command:
      '`MCPFLOW_BENCH_APPROVALS=1500 MCPFLOW_BENCH_PHASES=approvals npm run bench`, each setting alone and both (load average ~14–19); worker CPU from `MCPFLOW_BENCH_PHASES=latency npm run bench`',
    figures: [
      { figure: 'worker RSS (peak) with 1,500 runs waiting', before: '470 MiB (551)', after: '354 MiB (355); cache 100 alone 409 (409), 20% alone 388 (389)' },
      { figure: 'worker RSS (peak) with ~2,700 runs waiting', before: '527 MiB (527)', after: '349 MiB (368)' },
      { figure: 'approve → completion p50, 1,500 runs', before: '2331 ms', after: '2193 ms' },
      { figure: 'worker CPU per query, concurrency 50, hosted / direct', before: '13.1 / 29.9 ms', after: '13.5 / 30.6 ms' },
    ],
  },
  {
    commit: 'b89fadb',
    change:
      "streamed Responses calls have a 2 s heartbeat timeout instead of 2.5 s, and the worker sends heartbeats at least every second (maxHeartbeatThrottleInterval; the SDK's 80% of 2.5 s left 0.5 s of slack, now 1 s); a call whose attempt timed out is retried after 10 ms instead of 100 ms (d491c81)",
    command:
      '`MCPFLOW_BENCH_RECOVERY=2,4 MCPFLOW_BENCH_PHASES=recovery npm run bench`, with and without the dev server flag history.timerProcessorMaxTimeShift=50ms (MCPFLOW_BENCH_SERVER_ARGS); flood: `MCPFLOW_BENCH_APPROVALS=1500 MCPFLOW_BENCH_PHASES=approvals npm run bench` (load average ~6–9)',
    figures: [
      { figure: 'SIGKILL inside a Responses call: new worker spawned → query done, timer flag', before: '2771–2975 ms', after: '2358–2448 ms' },
      { figure: 'the same on the dev server without that flag (as `mcpflow server` started it before 009e8d4)', before: '3217–4624 ms', after: '3645–4504 ms' },
      { figure: 'retried attempts among 1,500 runs started at once and approved', before: '0', after: '0' },
    ],
  },
  {
    commit: '009e8d4',
    change:
      "the dev server (`mcpflow server`, `dev`, `demo`, the tests and this bench) fires timers at most 50 ms late (`history.timerProcessorMaxTimeShift`; the 1 s default allows for clock skew between hosts, which one process does not have): the recovered run's history (MCPFLOW_BENCH_RECOVERY) showed the heartbeat timeout detected 1 s after it was due, the 100 ms retry starting ~900 ms after it was scheduled and the 500 ms sticky timeout firing after ~850 ms. The PostgreSQL cluster keeps the default",
    command:
      '`MCPFLOW_BENCH_RECOVERY=2,4 MCPFLOW_BENCH_PHASES=recovery npm run bench` with MCPFLOW_BENCH_SERVER_ARGS (load average ~6); dev server CPU from `MCPFLOW_BENCH_PHASES=latency npm run bench`',
    figures: [
      { figure: 'SIGKILL inside a Responses call: new worker spawned → query done (before b89fadb)', before: '5.4 s', after: '3.3 s' },
      { figure: 'the same with b89fadb', before: '3645–4504 ms', after: '2358–2448 ms' },
      { figure: 'dev server CPU per hosted query, concurrency 50', before: '20.5 ms', after: '19.3 ms' },
    ],
  },
];
