/**
 * Candidate design of issue 26, measured before building it: a batch's lines as activities of the
 * batch workflow (batch-prototype-workflows.ts), one line or a group of lines per activity, each
 * line the plain loop's body (batch-lines.ts). A minimal worker in the bench process runs it, so
 * the "bench" CPU column is that worker's. Beside it, in the same round, the plain loop.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { BatchLine } from '../../workflows/batch/messages';
import { plainLineRunner } from './batch-lines';
import { log } from './log';
import type { Stack } from './stack';

export interface PrototypeRun {
  group: number;
  duration_ms: number;
  lines_per_second: number;
  cpu_ms_per_line: Record<string, number | undefined>;
  history_events_per_line: number;
  history_bytes_per_line: number;
}

export async function activityLinesPrototype(stack: Stack, lines: BatchLine[], concurrency: number, groups: number[]): Promise<PrototypeRun[]> {
  const connection = await NativeConnection.connect({ address: stack.devServer.address });
  const taskQueue = `prototype-${stack.taskQueue}`;
  const runs: PrototypeRun[] = [];
  let runner: Awaited<ReturnType<typeof plainLineRunner>> | undefined;
  try {
    const worker = await Worker.create({
      connection,
      namespace: stack.devServer.namespace,
      taskQueue,
      workflowsPath: require.resolve('./batch-prototype-workflows'),
      activities: {
        runLines: async (group: BatchLine[]) => (await Promise.all(group.map((line) => runner!.run(line)))).length,
      },
      maxConcurrentActivityTaskExecutions: Math.max(100, concurrency),
    });
    // Connected once the worker is built (bundling takes seconds): an idle keep-alive socket would be closed by then.
    runner = await plainLineRunner({ emulator: stack.services.emulator.url, weather: stack.services.weather.url });
    await worker.runUntil(async () => {
      for (const group of groups) {
        const workflowId = `prototype-${group}-${Math.random().toString(36).slice(2)}`;
        const before = stack.meter.snapshot();
        const started = performance.now();
        const done = await stack.temporal.workflow.execute('activityLinesBatch', { taskQueue, workflowId, args: [{ lines, concurrency, group }] });
        const duration = performance.now() - started;
        const cpu = stack.meter.cpuSince(before);
        if (done !== lines.length) throw new Error(`prototype: ${String(done)} of ${lines.length} lines`);
        const description = await stack.temporal.workflow.getHandle(workflowId).describe();
        const run: PrototypeRun = {
          group,
          duration_ms: Math.round(duration),
          lines_per_second: Math.round((lines.length / duration) * 10_000) / 10,
          cpu_ms_per_line: Object.fromEntries(
            Object.entries(cpu).map(([name, ms]) => [name, ms === undefined ? undefined : Math.round((ms / lines.length) * 100) / 100]),
          ),
          history_events_per_line: Math.round((description.historyLength / lines.length) * 10) / 10,
          history_bytes_per_line: Math.round((description.historySize ?? 0) / lines.length),
        };
        log(`  prototype, ${group} line(s) per activity: ${run.lines_per_second} lines/s, ${run.history_events_per_line} events/line`);
        runs.push(run);
      }
    });
  } finally {
    await connection.close();
    await runner?.close();
  }
  return runs;
}
