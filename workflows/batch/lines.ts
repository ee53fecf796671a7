/**
 * Runs a batch's lines as runQuery children, at most `concurrency` at a time.
 *
 * A line's child id is `<batch id>/<line key>`, started with REJECT_DUPLICATE: if a run of that
 * id exists (an earlier run of this batch started it, the batch was reset, or the same file was
 * started again), the start fails with WorkflowExecutionAlreadyStartedError and the line is
 * adopted — its end is read from Temporal — never started a second time. Children are
 * ABANDONed so that the batch can continue-as-new while they run; the next run adopts them.
 */
import { setModelOptions, sharedCacheKey } from '../../src/core/model-options';
import {
  CancellationScope,
  ChildWorkflowFailure,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import type { Activities } from '../../activities';
import { MCP_BATCH_ID, MCP_SERVERS } from '../../src/core/search-attributes';
import type { QueryInput } from '../messages';
import { WAITING_LINES_FREE_SLOTS } from '../patches';
import { runQuery } from '../query';
import { lineWorkflowId, type BatchLine, type LineOutcome, type LineRef, type ParsedBatchInput, type RetryRef } from './messages';
import { lineActivityId } from '../../src/core/batch-line';
import { failureOutcome, resultOutcome } from '../../src/core/line-outcome';
import { activityLineInput, runLineActivity } from './line-activity';
import type { BatchState } from './state';

const { batchLineOutcomes, batchLineInputs } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/*
 * Since WAITING_LINES_FREE_SLOTS (../patches.ts), lines waiting for a person (their child signalled waiting_*) hold no concurrency slot; lines in
 * flight (running or waiting) are at most max(`max_waiting`, `concurrency`), so at most that many wait. Children also get their line number as memo
 * (`mcpflow_line`), so `batch results` can order and number lines it finds by search attribute.
 */

/** Adopted lines asked about per activity; inputs of failed lines read per activity. */
const OUTCOME_PAGE = 200;
const INPUT_PAGE = 20;

export class LineRunner {
  /** Starts not yet acknowledged by Temporal, and retried lines whose input is being read. */
  private starting = 0;
  private readonly scopes = new Map<string, CancellationScope>();
  /** An unexpected error in a line's promise: the main loop rethrows it. */
  fatal: unknown = null;

  constructor(private readonly batch: BatchState) {}

  private get input(): ParsedBatchInput {
    return this.batch.input;
  }

  get settled(): boolean {
    return this.starting === 0;
  }

  private get free(): number {
    const batch = this.batch;
    if (!batch.waitsFreeSlots && !patched(WAITING_LINES_FREE_SLOTS)) return this.input.concurrency - batch.running.size;
    batch.waitsFreeSlots = true;
    // Any running line may come to wait: bounding the lines in flight bounds the waiting ones.
    const inFlight = Math.max(this.input.max_waiting, this.input.concurrency);
    return Math.min(this.input.concurrency - batch.active, inFlight - batch.running.size);
  }

  /** Starts lines while there is room: failed lines to retry first, then the file's. */
  fill() {
    const batch = this.batch;
    while (batch.mayStart && this.free > 0) {
      if (batch.state.retry_queue.length) {
        const refs = batch.state.retry_queue.splice(0, Math.min(this.free, INPUT_PAGE));
        this.guard(this.restart(refs));
        continue;
      }
      const line = batch.nextLine();
      if (!line) return;
      const ref: LineRef = { n: line.n, key: line.key, workflow_id: lineWorkflowId(batch.batchId, line.key) };
      const input = childInput(line, this.input, batch.batchId);
      batch.started(ref);
      if (typeof input === 'string')
        batch.finish(ref, { end: 'failed', success: false, error_type: 'invalid_arguments', calls: 0, denied: false, duration_ms: 0 });
      else this.guard(this.run(ref, input, WorkflowIdReusePolicy.REJECT_DUPLICATE));
    }
  }

  /** Failed lines again: their inputs come from their earlier runs; the same id may be reused only because that run failed. */
  private async restart(refs: RetryRef[]) {
    for (const ref of refs) this.batch.started(ref);
    this.starting += refs.length;
    let reports: Awaited<ReturnType<typeof batchLineInputs>>;
    try {
      const activityLines = refs.flatMap((ref) =>
        ref.activity_run_id ? [{ workflow_id: ref.workflow_id, run_id: ref.activity_run_id, activity_id: lineActivityId(ref.n, ref.key) }] : [],
      );
      reports = await batchLineInputs({
        workflow_ids: refs.filter((ref) => !ref.activity_run_id).map((ref) => ref.workflow_id),
        ...(activityLines.length ? { batch_id: this.batch.batchId, activity_lines: activityLines } : {}),
      });
    } finally {
      this.starting -= refs.length;
    }
    const inputs = new Map(reports.map((report) => [report.workflow_id, report.input]));
    for (const ref of refs) {
      const input = inputs.get(ref.workflow_id);
      // Runs as a child now: its result is the child's, not the earlier activity's.
      const child: LineRef = { n: ref.n, key: ref.key, workflow_id: ref.workflow_id };
      if (input) this.guard(this.run(child, input, WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY));
      else this.batch.finish(ref, { end: 'failed', success: false, error_type: 'lost', calls: 0, denied: false, duration_ms: 0 });
    }
  }

  private async run(ref: LineRef, input: QueryInput, reuse: WorkflowIdReusePolicy) {
    const scope = new CancellationScope();
    this.scopes.set(ref.workflow_id, scope);
    this.starting++;
    // A line in its activity counts as a start in flight: the run drains it before continuing as new (never carried, never adopted).
    let counted = true;
    const settle = () => {
      if (counted) this.starting--;
      counted = false;
    };
    let outcome: LineOutcome;
    try {
      outcome = await scope.run(async () => {
        const direct = reuse === WorkflowIdReusePolicy.REJECT_DUPLICATE ? activityLineInput(input) : null;
        const answered = direct && (await runLineActivity(ref, this.batch.batchId, direct));
        if (answered) return answered;
        let child;
        try {
          child = await startChild(runQuery, {
            workflowId: ref.workflow_id,
            args: [input],
            workflowIdReusePolicy: reuse,
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: this.searchAttributes(input),
            staticSummary: `line ${ref.n} of batch ${this.batch.batchId}`,
            ...(this.batch.waitsFreeSlots ? { memo: { mcpflow_line: ref.n } } : {}),
          });
        } finally {
          settle();
        }
        return resultOutcome(await child.result());
      });
    } catch (failure) {
      if (failure instanceof WorkflowExecutionAlreadyStartedError) {
        this.batch.adopt(ref);
        return;
      }
      if (failure instanceof ChildWorkflowFailure) outcome = failureOutcome(failure.cause);
      else if (isCancellation(failure)) outcome = failureOutcome(failure);
      else throw failure;
    } finally {
      settle();
      this.scopes.delete(ref.workflow_id);
    }
    this.batch.finish(ref, outcome);
  }

  private searchAttributes(input: QueryInput): SearchAttributePair[] {
    if (!this.input.search_attributes) return [];
    return [
      { key: MCP_BATCH_ID, value: this.batch.batchId },
      { key: MCP_SERVERS, value: input.servers.map((server) => server.label) },
    ];
  }

  /** Asks Temporal how adopted lines are doing; true when at least one ended. */
  async checkAdopted(): Promise<boolean> {
    // Lines that signalled their end first, then the others, waiting ones last (they may wait for days).
    const adopted = [...this.batch.adopted];
    const ids = [...new Set([...this.batch.endSignalled, ...adopted.filter((id) => !this.batch.waiting.has(id)), ...adopted])].slice(0, OUTCOME_PAGE);
    if (!ids.length) return false;
    const reports = await batchLineOutcomes({ workflow_ids: ids });
    let ended = false;
    for (const report of reports) {
      const ref = this.batch.running.get(report.workflow_id);
      if (!ref || report.state === 'running') continue;
      ended = true;
      this.batch.finish(ref, report.outcome ?? { end: 'failed', success: false, error_type: 'lost', calls: 0, denied: false, duration_ms: 0 });
    }
    return ended;
  }

  /** Cancels every running line: ours through their scopes, adopted ones through their handles. */
  cancelAll() {
    for (const scope of this.scopes.values()) scope.cancel();
    for (const id of this.batch.adopted) {
      getExternalWorkflowHandle(id)
        .cancel()
        .catch(() => undefined);
    }
  }

  private guard(promise: Promise<void>) {
    promise.catch((error: unknown) => {
      this.fatal ??= error;
      this.batch.changed = true;
    });
  }
}

/** The runQuery input of a line, or why it has none (a server label the batch does not have). */
export function childInput(line: BatchLine, input: ParsedBatchInput, batchId?: string): QueryInput | string {
  const servers = line.servers ? input.servers.filter((server) => line.servers!.includes(server.label)) : input.servers;
  const unknown = (line.servers ?? []).filter((label) => !input.servers.some((server) => server.label === label));
  if (unknown.length || !servers.length) return `line ${line.n}: unknown server label(s) ${unknown.join(', ')}`;
  return {
    query: line.query,
    servers,
    mode: line.mode ?? input.mode,
    model: input.model,
    retry: input.retry,
    call_timeout_ms: input.call_timeout_ms,
    search_attributes: input.search_attributes,
    cache_ttl_ms: input.cache_ttl_ms,
    stream: input.stream,
    max_steps: input.max_steps,
    ...(input.price ? { price: input.price } : {}),
    ...(input.approval_timeout_ms !== undefined ? { approval_timeout_ms: input.approval_timeout_ms } : {}),
    ...(input.background ? { background: input.background } : {}),
    ...(line.metadata ? { metadata: line.metadata } : {}),
    // The lines share one prompt cache key unless the batch names its own (src/core/model-options.ts).
    ...setModelOptions({ ...input, prompt_cache_key: input.prompt_cache_key ?? (batchId ? sharedCacheKey('batch', batchId) : undefined) }),
  };
}
