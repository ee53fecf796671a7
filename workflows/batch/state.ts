/**
 * What a batch run knows: lines received and not yet started, lines running, counts, the
 * bounded log of finished lines and the failed lines kept for retry-failed. All of it is plain
 * data carried into the next run by continue-as-new (BatchCarry).
 */
import { setCurrentDetails } from '@temporalio/workflow';
import { jsonBytes } from '../../src/core/payload-size';
import { addLineTokens, budgetStopReason } from './budget';
import { emptyCarry } from './carry';
import { EMPTY_TOKENS } from '../../src/core/usage';
import {
  MAX_BUFFER_BYTES,
  MAX_FAILED_KEPT,
  MAX_FINISHED_LOG,
  type AppendLinesOutcome,
  type BatchCarry,
  type BatchLine,
  type BatchProgress,
  type BatchStatus,
  type FinishedLine,
  type FinishedPage,
  type LineOutcome,
  type LineRef,
  type ParsedBatchInput,
} from './messages';

/** The error type of a line whose side effect may or may not have run (src/core/errors.ts). */
const UNKNOWN_OUTCOME = 'outcome_unknown';

export class BatchState {
  readonly state: BatchCarry;
  /** Lines started by this run or adopted from an earlier one, by workflow id. */
  readonly running = new Map<string, LineRef>();
  /** Of those, the ones this run did not start: their end is learned by asking Temporal. */
  readonly adopted = new Set<string>();
  /** Of those, the ones waiting for a person (their child said so): they hold no concurrency slot. */
  readonly waiting = new Set<string>();
  /** Adopted lines whose child signalled its end: asked about first. */
  readonly endSignalled = new Set<string>();
  /** Set by the runner once WAITING_LINES_FREE_SLOTS is patched in: waiting lines hold no slot. */
  waitsFreeSlots = false;
  /** Why lines the batch needs do not arrive (held.ts), or null. */
  linesProblem: string | null = null;
  private bufferBytes: number;
  /** Set by anything the main loop must look at; the loop clears it. */
  changed = false;
  /** Since when this run lets its lines finish before it continues as new (no new line starts). */
  drainingSince: number | null = null;

  constructor(
    readonly batchId: string,
    readonly input: ParsedBatchInput,
    now: number,
  ) {
    this.state = input.carried ? structuredCopy(input.carried) : emptyCarry(now);
    for (const line of input.lines) if (line.n > this.state.received) this.acceptLine(line);
    for (const ref of this.state.running) {
      this.running.set(ref.workflow_id, ref);
      this.adopted.add(ref.workflow_id);
    }
    for (const id of this.state.waiting_approval) if (this.running.has(id)) this.waiting.add(id);
    this.bufferBytes = jsonBytes(this.state.buffer);
  }

  // -- lines in --------------------------------------------------------------------------------

  /** Why a page cannot be taken now, or null. */
  refusePage(from: number, lines: BatchLine[]): string | null {
    if (from > this.state.received + 1) return `expected lines from ${this.state.received + 1}, got ${from}: read progress and send again`;
    const fresh = lines.filter((line) => line.n > this.state.received);
    for (let i = 0; i < lines.length; i++)
      if (lines[i]!.n !== from + i) return `line numbers must follow each other from ${from}; item ${i} is line ${lines[i]!.n}`;
    if (from + lines.length - 1 > this.input.total) return `the batch has ${this.input.total} lines; this page ends at line ${from + lines.length - 1}`;
    const bytes = jsonBytes(fresh);
    if (fresh.length && this.bufferBytes + bytes > MAX_BUFFER_BYTES) {
      return `the batch holds ${this.bufferBytes} bytes of unstarted lines; ${bytes} more would pass ${MAX_BUFFER_BYTES}: send a smaller page or wait`;
    }
    return null;
  }

  appendPage(lines: BatchLine[]): AppendLinesOutcome {
    for (const line of lines) if (line.n > this.state.received) this.acceptLine(line);
    this.changed = true;
    return { received: this.state.received, buffer_bytes: this.bufferBytes, buffer_limit_bytes: MAX_BUFFER_BYTES };
  }

  private acceptLine(line: BatchLine) {
    this.state.buffer.push(line);
    this.state.received = line.n;
    this.bufferBytes = (this.bufferBytes ?? 0) + jsonBytes(line) + 1;
  }

  get heldBytes(): number {
    return this.bufferBytes;
  }

  nextLine(): BatchLine | undefined {
    const line = this.state.buffer.shift();
    if (line) this.bufferBytes = Math.max(0, this.bufferBytes - jsonBytes(line) - 1);
    return line;
  }

  // -- lines running and ending ----------------------------------------------------------------

  get mayStart(): boolean {
    return !this.state.paused && this.state.stop === null && this.drainingSince === null;
  }

  /** Every line still running waits for a person: nothing more will happen here for a while. */
  get drained(): boolean {
    return this.running.size === this.waiting.size;
  }

  started(ref: LineRef) {
    this.running.set(ref.workflow_id, ref);
  }

  adopt(ref: LineRef) {
    this.running.set(ref.workflow_id, ref);
    this.adopted.add(ref.workflow_id);
    this.changed = true;
  }

  /** Lines running and not waiting for a person: the ones `concurrency` bounds (once WAITING_LINES_FREE_SLOTS). */
  get active(): number {
    return this.running.size - this.waiting.size;
  }

  /** A line's child signalled its state (runQuery tells its parent; a batch counts the waits). */
  childState(workflowId: string, state: string) {
    if (!this.running.has(workflowId)) return;
    // waiting_approval, and any later waiting_* state (input asked by an MCP server).
    const waits = state.startsWith('waiting');
    // A line that starts or stops waiting frees or takes a slot (only where the run does that: old histories woke on ends alone).
    if (waits !== this.waiting.has(workflowId) && this.waitsFreeSlots) this.changed = true;
    if (waits) this.waiting.add(workflowId);
    else this.waiting.delete(workflowId);
    if ((state === 'completed' || state === 'failed') && this.adopted.has(workflowId)) {
      this.endSignalled.add(workflowId);
      this.changed = true;
    }
  }

  finish(ref: LineRef, outcome: LineOutcome) {
    if (!this.running.delete(ref.workflow_id)) return;
    this.adopted.delete(ref.workflow_id);
    this.waiting.delete(ref.workflow_id);
    this.endSignalled.delete(ref.workflow_id);
    const s = this.state;
    if (outcome.end === 'completed' && outcome.success) {
      s.succeeded++;
      if (outcome.failed_calls) s.succeeded_with_failed_calls = (s.succeeded_with_failed_calls ?? 0) + 1;
    } else if (outcome.end === 'cancelled') s.cancelled++;
    else {
      s.failed++;
      const type = outcome.error_type ?? 'unknown';
      s.failed_by_type[type] = (s.failed_by_type[type] ?? 0) + 1;
      const { activity_run_id } = outcome;
      if (s.failed_lines.length < MAX_FAILED_KEPT) s.failed_lines.push({ ...ref, ...(activity_run_id ? { activity_run_id } : {}), error_type: type });
      if (this.input.max_failures !== undefined && s.failed >= this.input.max_failures && s.stop === null) s.stop = 'max_failures';
    }
    if (outcome.denied) s.denied++;
    addLineTokens(s, this.input, outcome);
    // The log keeps no usage: 1,000 entries of it would weigh on every continue-as-new (the sum is in `tokens`).
    const { usage: _usage, ...kept } = outcome;
    const entry: FinishedLine = { ...ref, ...kept, seq: ++s.seq };
    s.finished.push(entry);
    if (s.finished.length > MAX_FINISHED_LOG) s.finished.splice(0, s.finished.length - MAX_FINISHED_LOG);
    this.changed = true;
  }

  /**
   * Failed lines back to the queue (inputs read from their children, or from the batch run a line
   * ran in as an activity). A line whose side effect was cut off (`outcome_unknown`) stays failed:
   * it may have run, and running it again could do it twice; a person checks the server and runs it alone.
   */
  retryFailed(): number {
    const s = this.state;
    const lines = s.failed_lines.filter((line) => line.error_type !== UNKNOWN_OUTCOME);
    s.failed_lines = s.failed_lines.filter((line) => line.error_type === UNKNOWN_OUTCOME);
    for (const line of lines) {
      s.failed--;
      const count = (s.failed_by_type[line.error_type] ?? 1) - 1;
      if (count > 0) s.failed_by_type[line.error_type] = count;
      else delete s.failed_by_type[line.error_type];
      const { error_type: _type, ...ref } = line;
      s.retry_queue.push(ref);
    }
    if (lines.length && s.stop === 'max_failures') s.stop = null;
    this.changed = true;
    return lines.length;
  }

  // -- the end ---------------------------------------------------------------------------------

  /** Nothing runs and nothing more will start. */
  get finished(): boolean {
    if (this.running.size) return false;
    if (this.state.stop !== null) return true;
    return this.state.received >= this.input.total && !this.state.buffer.length && !this.state.retry_queue.length;
  }

  get status(): BatchStatus {
    const s = this.state;
    const over = this.finished;
    if (s.stop === 'cancel') return over ? 'cancelled' : 'cancelling';
    if (s.stop === 'max_failures' || s.stop === 'budget') return over ? 'stopped' : 'stopping';
    if (over) return 'completed';
    return s.paused ? 'paused' : 'running';
  }

  progress(now: number): BatchProgress {
    const s = this.state;
    const done = s.succeeded + s.failed + s.cancelled;
    const elapsed = Math.max(0, now - s.started_at);
    const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
    const left = this.input.total - done;
    return {
      batch_id: this.batchId,
      status: this.status,
      total: this.input.total,
      received: s.received,
      buffer_bytes: this.bufferBytes,
      buffer_limit_bytes: MAX_BUFFER_BYTES,
      done,
      succeeded: s.succeeded,
      failed: s.failed,
      cancelled: s.cancelled,
      denied: s.denied,
      succeeded_with_failed_calls: s.succeeded_with_failed_calls ?? 0,
      failed_by_type: { ...s.failed_by_type },
      running: this.running.size,
      waiting_approval: this.waiting.size,
      queued_retries: s.retry_queue.length,
      started_at: new Date(s.started_at).toISOString(),
      elapsed_ms: elapsed,
      rate: Math.round(rate * 100) / 100,
      eta_ms: rate > 0 && left > 0 && !this.finished ? Math.round((left / rate) * 1000) : null,
      last_seq: s.seq,
      runs: s.runs,
      concurrency: this.input.concurrency,
      max_waiting: this.input.max_waiting,
      held: Boolean(this.input.held),
      lines_problem: this.linesProblem,
      tokens: s.tokens ?? EMPTY_TOKENS,
      budget_stop: budgetStopReason(s, this.input),
    };
  }

  finishedPage(afterSeq: number, limit: number): FinishedPage {
    const log = this.state.finished;
    const lines = log.filter((line) => line.seq > afterSeq).slice(0, limit);
    return { lines, oldest_seq: log[0]?.seq ?? null, last_seq: this.state.seq };
  }

  carry(): BatchCarry {
    return {
      ...this.state,
      running: [...this.running.values()],
      waiting_approval: [...this.waiting],
      runs: this.state.runs + 1,
    };
  }

  showDetails(now: number) {
    const p = this.progress(now);
    setCurrentDetails(
      `**Batch ${p.status}** — ${p.done}/${p.total} done (${p.succeeded} ok, ${p.failed} failed, ${p.denied} with denials), ` +
        `${p.running} running, ${p.waiting_approval} waiting for approval, run ${p.runs + 1} of the chain` +
        (p.waiting_approval ? `\n\nAnswer them: \`mcpflow approvals list --batch ${p.batch_id}\`, \`mcpflow approve --all --batch ${p.batch_id}\`` : '') +
        (p.lines_problem ? `\n\n${p.lines_problem}` : ''),
    );
  }
}

function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
