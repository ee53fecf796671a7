/**
 * `npm run bench -- floor`: what the Temporal dev server itself costs per run, without mcpflow.
 * Workflows with the shape of a hosted and of a direct query (the same workflow tasks, activities
 * and search attribute upserts, test/bench/floor-workflows.ts) but no-op activities, run by a
 * minimal worker in the bench process on the same dev server as `npm run bench` starts it, 300 at
 * concurrency 50: dev server CPU ms per run is the floor under mcpflow's server CPU per query.
 * Writes test/.tmp/bench-floor.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, NativeConnection } from '@temporalio/worker';
import { REPO_ROOT } from './child';
import type { FloorShape } from './floor-workflows';
import { log } from './log';
import { markdownTable } from './markdown';
import { runPool, timed } from './measure';
import { startStack } from './stack';

const SHAPES: Array<{ name: string; shape: FloorShape }> = [
  { name: 'one workflow task, nothing else', shape: { steps: [], upsertsBefore: 0, upsertsAfter: 0 } },
  { name: 'hosted query shape: 1 activity, no upserts', shape: { steps: [1], upsertsBefore: 0, upsertsAfter: 0 } },
  { name: 'hosted query shape: 1 activity, 1 + 1 upserts', shape: { steps: [1], upsertsBefore: 1, upsertsAfter: 1 } },
  { name: 'hosted query shape: 1 activity, 4 + 3 upserts (as runQuery)', shape: { steps: [1], upsertsBefore: 4, upsertsAfter: 3 } },
  { name: 'direct query shape: 5 activities in 4 steps, no upserts', shape: { steps: [1, 1, 2, 1], upsertsBefore: 0, upsertsAfter: 0 } },
  { name: 'direct query shape: 5 activities in 4 steps, 5 + 4 upserts', shape: { steps: [1, 1, 2, 1], upsertsBefore: 5, upsertsAfter: 4 } },
];

export async function runFloor(): Promise<number> {
  const quick = process.env.MCPFLOW_BENCH_QUICK === '1';
  const sizes = { warmup: 20, runs: quick ? 100 : 300, concurrency: 50 };
  const stack = await startStack({ log, extraServers: 0, maxConversations: 1_000 });
  const taskQueue = `floor-${stack.taskQueue}`;
  const connection = await NativeConnection.connect({ address: stack.devServer.address });
  try {
    // The bench's own mcpflow worker idles; a minimal worker with createWorker's tuning runs the shapes.
    const worker = await Worker.create({
      connection,
      namespace: stack.devServer.namespace,
      taskQueue,
      workflowsPath: require.resolve('./floor-workflows'),
      activities: { noop: async () => 'ok' },
      stickyQueueScheduleToStartTimeout: '500ms',
      maxEagerActivityReservationsPerWorkflowTask: 50,
    });
    const rows: string[][] = [];
    await worker.runUntil(async () => {
      for (const { name, shape } of SHAPES) {
        let id = 0;
        const run = async () => {
          const workflowId = `floor-${++id}-${Math.random().toString(36).slice(2)}`;
          await stack.temporal.workflow.execute('floorWorkflow', { taskQueue, workflowId, args: [shape] });
          return workflowId;
        };
        await runPool(sizes.warmup, 10, run);
        const before = stack.meter.snapshot();
        const { value: ids, ms } = await timed(() => runPool(sizes.runs, sizes.concurrency, run));
        const cpu = stack.meter.cpuSince(before);
        const events = (await stack.temporal.workflow.getHandle(ids[0]!).fetchHistory()).events ?? [];
        const tasks = events.filter((event) => event.workflowTaskCompletedEventAttributes).length;
        const per = (value: number | undefined) => (value === undefined ? 'n/a' : (value / sizes.runs).toFixed(1));
        rows.push([name, String(events.length), String(tasks), per(cpu.server), per(cpu.bench), (sizes.runs / (ms / 1000)).toFixed(1)]);
        log(
          `  ${name}: ${events.length} events, ${tasks} workflow tasks; dev server ${per(cpu.server)} CPU ms per run, bench (client + worker) ${per(cpu.bench)}, ${(sizes.runs / (ms / 1000)).toFixed(1)} runs/s`,
        );
      }
    });
    const markdown = [
      "# The dev server's floor per run",
      '',
      `\`npm run bench -- floor\`: ${sizes.runs} runs of each shape at concurrency ${sizes.concurrency} after ${sizes.warmup} unmeasured ones; no-op activities, a minimal worker in the bench process; the dev server as \`mcpflow server\` starts it. CPU from /proc.`,
      '',
      markdownTable(
        ['shape', 'history events', 'workflow tasks', 'dev server CPU ms per run', 'bench (client + worker) CPU ms per run', 'runs/s'],
        rows,
        'lrrrrr',
      ),
      '',
    ].join('\n');
    mkdirSync(path.join(REPO_ROOT, 'test', '.tmp'), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, 'test', '.tmp', 'bench-floor.md'), markdown);
    process.stdout.write(`${markdown}\n`);
    return 0;
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await connection.close();
    await stack.stop();
  }
}
