/**
 * Which state changes a query tells its parent (run-state.ts). A session shows every state of its
 * queries, so it hears them all. A batch needs only what changes its bookkeeping: a line that
 * starts or stops waiting for a person (it frees or takes a concurrency slot) and a line's end (an
 * adopted line is asked about at once); since BATCH_LINE_SIGNALS_WAITS_AND_END a batch line tells
 * nothing else. Each signal costs the child a command and a workflow task and the batch a workflow
 * task: four to five of them per line before, one now for a line that needs no person.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { BATCH_LINE_SIGNALS_WAITS_AND_END } from '../patches';
import type { QueryState } from '../messages';

export class ParentSignals {
  /** What the parent was last told: waiting for a person or not (a line starts not waiting). */
  private toldWaiting = false;
  /** Asked once, at the first change a batch line would leave untold. */
  private quiet: boolean | undefined;

  /** Whether the parent hears of `state` (the state as the parent sees it: waiting_* is waiting). */
  tells(state: QueryState): boolean {
    const waits = state.startsWith('waiting');
    const changes = waits !== this.toldWaiting;
    this.toldWaiting = waits;
    if (changes || state === 'completed' || state === 'failed') return true;
    // Batch lines carry their line number as memo (workflows/batch/lines.ts); sessions' queries do not.
    if (workflowInfo().memo?.mcpflow_line === undefined) return true;
    this.quiet ??= patched(BATCH_LINE_SIGNALS_WAITS_AND_END);
    return !this.quiet;
  }
}
