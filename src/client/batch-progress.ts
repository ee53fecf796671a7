/** A batch's progress as a client shows it: whether it is over, and its rate and ETA as of now. */
import type { BatchProgress, BatchStatus } from '../../workflows/batch/messages';

/** Elapsed time, rate and ETA of a running batch recomputed at `now` (a finished one keeps its own). */
export function asOfNow(progress: BatchProgress, now: number): BatchProgress {
  if (isOver(progress.status)) return progress;
  const elapsed = Math.max(progress.elapsed_ms, now - Date.parse(progress.started_at));
  const rate = elapsed > 0 ? (progress.done * 1000) / elapsed : 0;
  const left = progress.total - progress.done;
  return { ...progress, elapsed_ms: elapsed, rate: Math.round(rate * 100) / 100, eta_ms: rate > 0 && left > 0 ? Math.round((left / rate) * 1000) : null };
}

export function isOver(status: BatchStatus): boolean {
  return status === 'completed' || status === 'stopped' || status === 'cancelled';
}
