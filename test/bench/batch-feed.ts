/** The large batch benches' driver (batch.ts, batch-cluster.ts): feed a started batch its lines and follow it to its end or its time budget. */
import { setTimeout as delay } from 'node:timers/promises';
import type { McpflowClient } from '../../src/client';
import type { BatchLine, BatchProgress } from '../../workflows/batch/messages';
import { log } from './log';

export interface FollowedBatch {
  /** The batch's final progress (its last answer when the result cannot be read). */
  final: BatchProgress;
  /** When following stopped: the batch ended, or the budget cancelled it. */
  endedAt: number;
}

/** Feeds the lines and polls progress every 2 s (a log line every 30 s); past `budgetMs` from `started` the batch is cancelled. */
export async function feedAndFollow(client: McpflowClient, batchId: string, lines: BatchLine[], started: number, budgetMs: number): Promise<FollowedBatch> {
  let stopFeeding = false;
  const feeding = client.batches.feed(batchId, lines, { stopped: () => stopFeeding });
  let feedError: unknown = null;
  feeding.catch((error: unknown) => (feedError = error));
  let progress = { status: 'running', done: 0, rate: 0, running: 0, runs: 0 } as BatchProgress;
  let lastLog = 0;
  while (!['completed', 'stopped', 'cancelled'].includes(progress.status)) {
    if (Date.now() - started > budgetMs) {
      log(`  budget of ${Math.round(budgetMs / 60_000)} min reached at ${progress.done} lines: cancelling`);
      stopFeeding = true;
      await client.batches.cancel(batchId);
      break;
    }
    await delay(2_000);
    if (feedError) throw feedError;
    // A busy batch may answer a query late (past a query's deadline); the last answer stands meanwhile.
    progress = await client.batches.progress(batchId).catch(() => progress);
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      log(`  ${progress.done}/${lines.length} done, ${progress.rate.toFixed(1)} lines/s, ${progress.running} running, run ${progress.runs + 1} of the chain`);
    }
  }
  const endedAt = Date.now();
  stopFeeding = true;
  await feeding.catch(() => undefined);
  const final = await client.batches
    .result(batchId)
    .then((result) => result.progress)
    .catch(() => progress);
  return { final, endedAt };
}
