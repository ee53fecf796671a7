/**
 * Follows a batch until it ends: feeds its lines (when given), writes each finished line's
 * result once, shows progress (a bar on a terminal, a plain line every few seconds otherwise),
 * and finally reconciles the results with the batch's runs found by search attribute, so no
 * line is missed even when the CLI fell behind the batch's bounded log of finished lines.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isOver, isTransient } from '../client/batch';
import type { McpflowClient } from '../client/client';
import type { BatchLine, BatchProgress, FinishedLine } from '../../workflows/batch/messages';
import type { ResultsFile } from './batch-out';
import { formatDuration } from './output';
import { batchTokenLines } from './tokens-out';

export interface FollowOptions {
  lines?: readonly BatchLine[];
  out: ResultsFile;
  /** Progress output: a live bar (terminal) or plain lines. */
  bar: boolean;
  print: (line: string) => void;
  pollMs?: number;
  plainEveryMs?: number;
  /** Stop waiting for Temporal or a worker after this long (default 15 min). */
  giveUpAfterMs?: number;
}

type LineToWrite = Pick<FinishedLine, 'workflow_id' | 'key' | 'activity_run_id'> & { n?: number | null };

/** Results fetched at once from the lines' runs. */
const FETCH_CONCURRENCY = 16;

export async function followBatch(client: McpflowClient, batchId: string, options: FollowOptions): Promise<BatchProgress> {
  // A message while the bar is drawn clears the bar's line first, so it is not printed onto it.
  const print = (line: string) => {
    if (options.bar) process.stderr.write('\r\u001b[K');
    options.print(line);
  };
  let stopFeeding = false;
  const feeding = options.lines ? client.batches.feed(batchId, options.lines, { stopped: () => stopFeeding }) : Promise.resolve();
  feeding.catch(() => undefined);
  let afterSeq = 0;
  let lastPlain = 0;
  let progress: BatchProgress;
  let waitingSince: number | null = null;
  try {
    for (;;) {
      try {
        progress = await client.batches.progress(batchId);
        for (;;) {
          const page = await client.batches.finished(batchId, afterSeq);
          await writeResults(client, page.lines, options.out);
          if (page.lines.length) afterSeq = page.lines[page.lines.length - 1]!.seq;
          if (afterSeq >= page.last_seq || !page.lines.length) break;
        }
        waitingSince = null;
      } catch (error) {
        // The batch is durable: a Temporal restart or a dead worker is a pause for this watcher, not an end.
        if (!isTransient(error) || (waitingSince !== null && Date.now() - waitingSince > (options.giveUpAfterMs ?? 15 * 60_000))) throw error;
        if (waitingSince === null) print(`waiting: ${(error as Error).message}`);
        waitingSince ??= Date.now();
        await delay(2_000);
        continue;
      }
      if (options.bar) process.stderr.write(`\r${progressLine(progress)}\u001b[K`);
      else if (Date.now() - lastPlain >= (options.plainEveryMs ?? 5_000) || isOver(progress.status)) {
        lastPlain = Date.now();
        print(progressLine(progress));
      }
      if (isOver(progress.status) && afterSeq >= progress.last_seq) break;
      await delay(options.pollMs ?? 1_000);
    }
  } finally {
    stopFeeding = true;
    if (options.bar) process.stderr.write('\n');
  }
  await feeding;
  await reconcile(client, batchId, options.out);
  return progress;
}

/** Writes the results of lines not yet in the file (fetched from their runs). */
async function writeResults(client: McpflowClient, lines: readonly LineToWrite[], out: ResultsFile): Promise<void> {
  const todo = lines.filter((line) => !out.has(line.key));
  for (let i = 0; i < todo.length; i += FETCH_CONCURRENCY) {
    const results = await Promise.all(todo.slice(i, i + FETCH_CONCURRENCY).map((line) => client.batches.lineResult(line)));
    for (const result of results) out.write(result);
  }
}

/** Every closed run of the batch whose result the file lacks. */
export async function reconcile(client: McpflowClient, batchId: string, out: ResultsFile): Promise<void> {
  let missing: LineToWrite[] = [];
  for await (const line of client.batches.closedLines(batchId)) {
    if (out.has(line.key)) continue;
    missing.push(line);
    if (missing.length >= 256) {
      await writeResults(client, missing, out);
      missing = [];
    }
  }
  await writeResults(client, missing, out);
}

export function progressLine(p: BatchProgress): string {
  const width = 24;
  const filled = p.total ? Math.round((p.done / p.total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [
    `${bar} ${p.done}/${p.total}`,
    `${p.failed} failed`,
    `${p.running} running`,
    `${p.waiting_approval} waiting for approval`,
    `${p.rate.toFixed(1)} q/s`,
    p.eta_ms !== null ? `ETA ${formatDuration(p.eta_ms)}` : p.status,
  ];
  if (p.waiting_approval) {
    const full = p.max_waiting !== undefined && p.waiting_approval >= p.max_waiting ? ` (at --max-waiting ${p.max_waiting}: no new line starts)` : '';
    parts.push(`answer them${full}: mcpflow approvals list --batch ${p.batch_id} / mcpflow approve --all --batch ${p.batch_id}`);
  }
  if (p.lines_problem) parts.push(p.lines_problem);
  return parts.join(' · ');
}

export function summaryLines(p: BatchProgress): string[] {
  const byType = Object.entries(p.failed_by_type)
    .map(([type, count]) => `${type} ×${count}`)
    .join(', ');
  return [
    `Batch ${p.batch_id} ${p.status}: ${p.done} of ${p.total} lines in ${formatDuration(p.elapsed_ms)} (${p.rate.toFixed(2)} queries/s)`,
    `  succeeded ${p.succeeded}${p.succeeded_with_failed_calls ? ` (${p.succeeded_with_failed_calls} with a failed tool call)` : ''}, failed ${p.failed}${byType ? ` (${byType})` : ''}, cancelled ${p.cancelled}, with denied calls ${p.denied}`,
    ...batchTokenLines(p),
  ];
}
