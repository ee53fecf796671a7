/**
 * The cluster part of `npm run bench -- batch` (issue 26): a batch of tiny scripted hosted lines
 * on `npm run test:cluster`'s topology — PostgreSQL, the Temporal server built from its Go module
 * on it (test/cluster), three `mcpflow worker` CLI processes on one task queue — with the
 * emulator and the demo MCP servers in a child process of their own (test/bench/services-main.ts).
 *
 * Measures the batch's duration and lines/s, and how the work was spread: per worker identity
 * (pid@host, the SDK's default), the `runBatchLine` activities it started and the batch's
 * workflow tasks it started, read from every run of the continue-as-new chain; plus each
 * process's CPU from /proc. Needs PostgreSQL, so it is not a default part
 * (MCPFLOW_BENCH_BATCH_PARTS=cluster).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { McpflowClient } from '../../src/client';
import { FAILURE_CONVERTER_PATH, mcpflowDataConverter, PAYLOAD_CONVERTER_PATH } from '../../src/codec/data-converter';
import { sharedWorkflowModules } from '../../src/worker/shared-modules';
import { WORKFLOWS_PATH } from '../../src/worker/worker';
import type { BatchLine } from '../../workflows/batch/messages';
import { startCliWorker, type CliWorker } from '../cluster/cli-worker';
import { startPostgres } from '../cluster/postgres';
import { startTemporalServer } from '../cluster/temporal-server';
import { TEMPORAL_SERVER_VERSION } from '../cluster/versions';
import { chainWork, type ChainWork } from './batch-cluster-history';
import { feedAndFollow } from './batch-feed';
import { machineBusyMs, processTreeCpuMs } from './batch-cluster-procs';
import { spawnBenchChild } from './child';
import { processCpuMs } from './procfs';
import type { ServicesInfo } from './services-main';

const TASK_QUEUE = 'mcpflow-bench-cluster';

export interface ClusterWorkerShare {
  name: string;
  identity: string;
  batch_line_activities: number;
  other_activities: number;
  workflow_tasks: number;
  cpu_s: number | null;
}

export interface ClusterBatchResult {
  date: string;
  commit: string;
  command: string;
  load_average_at_start: number[];
  temporal_server: string;
  lines: number;
  concurrency: number;
  completed: boolean;
  status: string;
  done: number;
  succeeded: number;
  failed: number;
  duration_ms: number;
  lines_per_second: number;
  chain: ChainWork['runs'];
  /** Lines handed to a runQuery child (a person was needed): none expected with require_approval 'never'. */
  escalated_children: number;
  workers: ClusterWorkerShare[];
  /** Tasks started by an identity that is none of the three workers (should stay empty). */
  other_identities: Record<string, number>;
  /** CPU seconds during the batch of the rest of the topology; null where /proc could not tell. */
  cpu_s: { temporal_server: number | null; postgres: number | null; services: number | null; bench: number | null };
  /** CPU the whole machine was busy during the batch (all processes, others' included), in core-seconds. */
  machine_busy_core_s: number | null;
}

function tinyLine(n: number): BatchLine {
  return { n, key: `l-${n}`, query: `q${n}`, metadata: { mcpflow_script: JSON.stringify({ calls: [], answer: `a${n}` }) } };
}

const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 100) / 10);
const since = (before: number | undefined, after: number | undefined): number | null =>
  before === undefined || after === undefined ? null : seconds(after - before);

export interface ClusterBatchOptions {
  lines: number;
  concurrency: number;
  budgetMs: number;
  commit: string;
  log: (line: string) => void;
}

/** Starts the topology, runs the batch to its end (or the budget), reads the chain's histories, stops everything. */
export async function clusterBatch(options: ClusterBatchOptions): Promise<ClusterBatchResult> {
  const { lines, concurrency, log } = options;
  const load = loadavg().map((value) => Math.round(value * 100) / 100);
  const stops: Array<() => Promise<unknown>> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-bench-cluster-'));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  try {
    const postgres = await startPostgres(log);
    stops.push(() => postgres.stop());
    const server = await startTemporalServer(postgres, log);
    stops.push(() => server.stop());
    const [services, bundle] = await Promise.all([
      spawnBenchChild({
        entry: 'test/bench/services-main.ts',
        env: { ...process.env, MCPFLOW_BENCH_EXTRA_SERVERS: '0', MCPFLOW_BENCH_MAX_CONVERSATIONS: '2000' },
        readyPrefix: 'services ready ',
      }),
      // Built once for the three workers, as scripts/bundle-workflows.mjs builds the image's.
      bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        payloadConverterPath: PAYLOAD_CONVERTER_PATH,
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: new DefaultLogger('WARN'),
        preloadModules: sharedWorkflowModules(),
      }),
    ]);
    stops.push(() => services.stop());
    const info = JSON.parse(services.readyLine.slice('services ready '.length)) as ServicesInfo;
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    const workers: CliWorker[] = [];
    stops.push(() => Promise.all(workers.map((worker) => worker.stop())));
    for (const name of ['worker-1', 'worker-2', 'worker-3']) {
      workers.push(
        await startCliWorker({
          name,
          address: server.address,
          namespace: server.namespace,
          taskQueue: TASK_QUEUE,
          openaiBaseURL: info.emulator.url,
          env: { MCPFLOW_WORKFLOW_BUNDLE: bundlePath },
        }),
      );
    }
    const identities = workers.map((worker) => `${worker.child.pid}@${hostname()}`);
    log(`3 mcpflow workers polling ${TASK_QUEUE} on ${server.address}: ${identities.join(', ')}`);

    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace: server.namespace, dataConverter: mcpflowDataConverter() });
    const client = new McpflowClient(temporal, connection, { address: server.address, namespace: server.namespace }, TASK_QUEUE);
    const batchId = `bench-cluster-batch-${Date.now()}`;
    const all = Array.from({ length: lines }, (_, i) => tinyLine(i + 1));

    const cpuOf = () => ({
      workers: workers.map((worker) => processCpuMs(worker.child.pid)),
      temporal_server: processTreeCpuMs('temporal-server'),
      postgres: processTreeCpuMs('postgres'),
      services: processCpuMs(services.pid),
      bench: processCpuMs(process.pid),
      machine: machineBusyMs(),
    });
    const cpuBefore = cpuOf();
    const started = Date.now();
    await client.batches.startOrAttach(batchId, {
      total: lines,
      servers: [{ label: 'weather', url: info.weather.url, require_approval: 'never' }],
      concurrency,
      stream: false,
      mode: 'hosted',
    });
    const { final } = await feedAndFollow(client, batchId, all, started, options.budgetMs);
    const duration = Date.now() - started;
    const cpuAfter = cpuOf();

    log(`  ${final.done} done in ${(duration / 1000).toFixed(0)} s; reading the chain's histories...`);
    const work = await chainWork(temporal, batchId);
    const workerShares: ClusterWorkerShare[] = workers.map((worker, index) => {
      const identity = identities[index]!;
      const counts = work.byIdentity.get(identity);
      return {
        name: worker.name,
        identity,
        batch_line_activities: counts?.batchLineActivities ?? 0,
        other_activities: counts?.otherActivities ?? 0,
        workflow_tasks: counts?.workflowTasks ?? 0,
        cpu_s: since(cpuBefore.workers[index], cpuAfter.workers[index]),
      };
    });
    const other: Record<string, number> = {};
    for (const [identity, counts] of work.byIdentity) {
      if (!identities.includes(identity)) other[identity] = counts.batchLineActivities + counts.otherActivities + counts.workflowTasks;
    }
    const completed = final.status === 'completed';
    const budgetSetting = process.env.MCPFLOW_BENCH_BATCH_CLUSTER_BUDGET_MIN
      ? ` MCPFLOW_BENCH_BATCH_CLUSTER_BUDGET_MIN=${process.env.MCPFLOW_BENCH_BATCH_CLUSTER_BUDGET_MIN}`
      : '';
    return {
      date: new Date(started).toISOString(),
      commit: options.commit,
      command: `MCPFLOW_BENCH_BATCH_PARTS=cluster MCPFLOW_BENCH_BATCH_CLUSTER_LINES=${lines} MCPFLOW_BENCH_BATCH_CLUSTER_CONCURRENCY=${concurrency}${budgetSetting} npm run bench -- batch`,
      load_average_at_start: load,
      temporal_server: TEMPORAL_SERVER_VERSION,
      lines,
      concurrency,
      completed,
      status: final.status,
      done: final.done,
      succeeded: final.succeeded,
      failed: final.failed,
      duration_ms: duration,
      lines_per_second: Math.round(((final.done * 1000) / duration) * 10) / 10,
      chain: work.runs,
      escalated_children: work.children,
      workers: workerShares,
      other_identities: other,
      cpu_s: {
        temporal_server: since(cpuBefore.temporal_server, cpuAfter.temporal_server),
        postgres: since(cpuBefore.postgres, cpuAfter.postgres),
        services: since(cpuBefore.services, cpuAfter.services),
        bench: since(cpuBefore.bench, cpuAfter.bench),
      },
      machine_busy_core_s: since(cpuBefore.machine, cpuAfter.machine),
    };
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`teardown: ${(error as Error).message}`);
      }
    }
  }
}
