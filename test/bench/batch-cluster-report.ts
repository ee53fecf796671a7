/** The cluster part's section of docs/benchmarks-batch.md (batch-cluster.ts). */
import type { ClusterBatchResult } from './batch-cluster';

const count = (value: number) => value.toLocaleString('en');
const cpu = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} s`);
const share = (part: number, total: number) => (total ? ` (${((part * 100) / total).toFixed(0)}%)` : '');

export function renderClusterBatch(result: ClusterBatchResult): string[] {
  const out = [`## Cluster: ${count(result.lines)} lines, three workers on PostgreSQL`, ''];
  out.push(
    `Run of ${result.date}, commit ${result.commit}: \`${result.command}\`. Load average at the start: ${result.load_average_at_start.join(', ')}.`,
    '',
    `\`npm run test:cluster\`'s topology (test/cluster): PostgreSQL, the Temporal server ${result.temporal_server} built from its Go module on it,` +
      ` three \`mcpflow worker\` CLI processes on one task queue; the emulator and the demo MCP servers in one more process, the bench's client in its own.` +
      ` Tiny scripted hosted lines (weather server, require_approval 'never'), concurrency ${result.concurrency}, fed with \`client.batches.feed\`.`,
    '',
  );
  out.push(`| | |`, `|---|---:|`);
  out.push(`| lines done | ${count(result.done)} of ${count(result.lines)}${result.completed ? '' : ` (**${result.status}**)`} |`);
  out.push(`| succeeded / failed | ${count(result.succeeded)} / ${count(result.failed)} |`);
  out.push(`| duration | ${(result.duration_ms / 60_000).toFixed(1)} min |`);
  out.push(`| lines/s | ${result.lines_per_second} |`);
  out.push(`| runs in the continue-as-new chain | ${result.chain.length} |`);
  const maxEvents = Math.max(0, ...result.chain.map((run) => run.history_events));
  const maxBytes = Math.max(0, ...result.chain.map((run) => run.history_bytes ?? 0));
  out.push(`| largest run's history | ${count(maxEvents)} events, ${(maxBytes / 1024 / 1024).toFixed(2)} MiB |`);
  out.push(`| lines escalated to a runQuery child | ${result.escalated_children} |`);
  out.push(
    `| CPU during the batch: Temporal server / PostgreSQL / services / bench client | ${cpu(result.cpu_s.temporal_server)} / ${cpu(result.cpu_s.postgres)} / ${cpu(result.cpu_s.services)} / ${cpu(result.cpu_s.bench)} |`,
  );
  out.push(`| machine busy during the batch (2 cores, every process) | ${cpu(result.machine_busy_core_s)} |`, '');

  const activities = result.workers.reduce((sum, worker) => sum + worker.batch_line_activities, 0);
  const tasks = result.workers.reduce((sum, worker) => sum + worker.workflow_tasks, 0);
  const workerCpu = result.workers.reduce((sum, worker) => sum + (worker.cpu_s ?? 0), 0);
  out.push(`How the work was spread (identities from the ActivityTaskStarted / WorkflowTaskStarted events of every run of the chain):`, '');
  out.push(`| worker | identity | runBatchLine activities | other activities | batch workflow tasks | CPU |`, `|---|---|---:|---:|---:|---:|`);
  for (const worker of result.workers) {
    out.push(
      `| ${worker.name} | ${worker.identity} | ${count(worker.batch_line_activities)}${share(worker.batch_line_activities, activities)} | ${count(worker.other_activities)} | ${count(worker.workflow_tasks)}${share(worker.workflow_tasks, tasks)} | ${cpu(worker.cpu_s)}${worker.cpu_s === null ? '' : share(worker.cpu_s, workerCpu)} |`,
    );
  }
  out.push(
    `| all | | ${count(activities)} | ${count(result.workers.reduce((sum, worker) => sum + worker.other_activities, 0))} | ${count(tasks)} | ${cpu(workerCpu)} |`,
  );
  const others = Object.entries(result.other_identities);
  if (others.length) out.push('', `Tasks started by other identities: ${others.map(([identity, n]) => `${identity}: ${n}`).join(', ')}.`);
  out.push('');
  return out;
}
