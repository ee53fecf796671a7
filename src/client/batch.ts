/**
 * Batches (runBatch): start or attach, feed lines in pages, read progress and finished lines,
 * fetch each line's result from its runQuery, control (pause, resume, cancel, retry-failed).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateStage } from '@temporalio/client';
import {
  appendLinesUpdate,
  batchProgressQuery,
  cancelBatchUpdate,
  finishedQuery,
  pauseUpdate,
  resumeUpdate,
  retryFailedUpdate,
  type BatchInput,
  type BatchLine,
  type BatchProgress,
  type BatchResult,
  type BatchStatus,
  type FinishedLine,
  type FinishedPage,
} from '../../workflows/batch/messages';
import { jsonBytes } from '../core/payload-size';
import type { runBatch } from '../../workflows/batch';
import { MCP_BATCH_ID } from '../core/search-attributes';
import { asOfNow, isOver } from './batch-progress';
import { withRunDefaults } from './run-defaults';
import { ActivityLineResults } from './batch-activity-lines';
import type { McpflowClient, QueryOutcome } from './client';
import { NoWorkerError, NotFoundError, TemporalUnreachableError, UpdateRejectedError } from './errors';

/** One line's result as `--out` and `batch results` write it. */
export interface LineResult {
  id: string;
  line: number | null;
  workflow_id: string;
  success: boolean;
  answer: string;
  error_type: string | null;
  error: string | null;
  calls: number;
  denied: boolean;
  duration_ms: number;
}

export interface BatchStart {
  batch_id: string;
  /** False when a batch with this id already existed (running or closed): this call attached to it. */
  started: boolean;
}

/** Largest page sent in one update (the workflow's buffer limit is larger). */
const MAX_PAGE_BYTES = 256 * 1024;

export class BatchApi {
  /** Lines that ran as activities of their batch (issue 26): results read from the batch's history. */
  private readonly activityLines: ActivityLineResults;

  constructor(private readonly client: McpflowClient) {
    this.activityLines = new ActivityLineResults(client.temporal);
  }

  /** Starts the batch, or attaches to the one with this id (running or closed). */
  async startOrAttach(batchId: string, input: BatchInput): Promise<BatchStart> {
    const { search_attributes } = await this.client.searchAttributesFor([]);
    try {
      await this.client.temporal.workflow.start<typeof runBatch>('runBatch', {
        taskQueue: this.client.taskQueue,
        workflowId: batchId,
        args: [{ ...withRunDefaults(input, this.client.runDefaults), search_attributes }],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: search_attributes ? [{ key: MCP_BATCH_ID, value: batchId }] : [],
        staticSummary: `mcpflow batch${input.source ? ` of ${input.source}` : ''}: ${input.total} queries`,
      });
      return { batch_id: batchId, started: true };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { batch_id: batchId, started: false };
      throw error;
    }
  }

  /** Starts a new run of a closed batch that reruns its failed lines. */
  async restartFailed(batchId: string, previous: BatchResult): Promise<void> {
    const { search_attributes } = await this.client.searchAttributesFor([]);
    await this.client.call(batchId, () =>
      this.client.temporal.workflow.start<typeof runBatch>('runBatch', {
        taskQueue: this.client.taskQueue,
        workflowId: batchId,
        args: [{ ...previous.settings, search_attributes, retry_failed: true, carried: { ...previous.state, stop: null, paused: false } }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: search_attributes ? [{ key: MCP_BATCH_ID, value: batchId }] : [],
        staticSummary: `mcpflow batch: retry of the failed lines`,
      }),
    );
  }

  /**
   * Sends the lines the batch does not have yet, as pages that fit its buffer, until it has them
   * all or it ends. Safe to run again (and from another process): it starts from `received`.
   */
  async feed(batchId: string, lines: readonly BatchLine[], options: { pollMs?: number; stopped?: () => boolean } = {}): Promise<void> {
    let refusals = 0;
    // What the last accepted page left; a progress query only when unknown (queries wait behind a busy batch's tasks).
    let known: Pick<BatchProgress, 'received' | 'buffer_bytes' | 'buffer_limit_bytes'> | null = null;
    for (;;) {
      if (options.stopped?.()) return;
      let state = known;
      if (!state) {
        let progress: BatchProgress;
        try {
          progress = await this.progress(batchId);
        } catch (error) {
          if (!isTransient(error)) {
            if (error instanceof NotFoundError) return;
            throw error;
          }
          // Temporal restarting, or no worker for a moment: the lines wait in this process.
          await sleep(options.pollMs ?? 2_000);
          continue;
        }
        if (isOver(progress.status)) return;
        state = progress;
      }
      known = null;
      if (state.received >= lines.length) return;
      const room = Math.min(MAX_PAGE_BYTES, state.buffer_limit_bytes - state.buffer_bytes);
      const page: BatchLine[] = [];
      let bytes = 2;
      for (let i = state.received; i < lines.length; i++) {
        const size = jsonBytes(lines[i]) + 1;
        if (bytes + size > room) break;
        page.push(lines[i]!);
        bytes += size;
      }
      if (!page.length) {
        await sleep(options.pollMs ?? 500);
        continue;
      }
      try {
        refusals++;
        known = await this.client.update(batchId, () =>
          this.client.handle(batchId).startUpdate(appendLinesUpdate, {
            args: [{ from: page[0]!.n, lines: page }],
            updateId: `append-${page[0]!.n}-${page.length}`,
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
        refusals = 0;
      } catch (error) {
        // Refused (another feeder got there first, the buffer filled, the run continued as new
        // meanwhile): read progress again; the same failure many times over is real.
        if (isTransient(error)) refusals = 0;
        else if (refusals >= 10) throw error;
        await sleep(options.pollMs ?? 500);
      }
    }
  }

  /** Progress with elapsed time, rate and ETA as of now (a query answers with the time of the batch's last task). */
  async progress(batchId: string): Promise<BatchProgress> {
    return asOfNow(await this.client.query(batchId, batchProgressQuery), Date.now());
  }

  finished(batchId: string, afterSeq: number, limit = 500): Promise<FinishedPage> {
    return this.client.query(batchId, finishedQuery, { after_seq: afterSeq, limit });
  }

  /** The batch's result once it has ended (the latest run of the chain). */
  result(batchId: string): Promise<BatchResult> {
    return this.client.call(batchId, () => this.client.handle(batchId).result() as Promise<BatchResult>);
  }

  /** The result of a closed batch, or null while it runs. */
  async resultIfClosed(batchId: string): Promise<BatchResult | null> {
    const description = await this.client.describe(batchId);
    return description.status === 'RUNNING' ? null : this.result(batchId);
  }

  pause(batchId: string, reason?: string): Promise<BatchStatus> {
    return this.control(batchId, pauseUpdate, reason);
  }

  resume(batchId: string, reason?: string): Promise<BatchStatus> {
    return this.control(batchId, resumeUpdate, reason);
  }

  cancel(batchId: string, reason?: string): Promise<BatchStatus> {
    return this.control(batchId, cancelBatchUpdate, reason);
  }

  /** Reruns the failed lines: an update on a running batch, a new run of a closed one. */
  async retryFailed(batchId: string): Promise<{ queued: number; restarted: boolean }> {
    const closed = await this.resultIfClosed(batchId);
    if (!closed) {
      const outcome = await this.client.update(batchId, () =>
        this.client.handle(batchId).startUpdate(retryFailedUpdate, { args: [{}], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      return { ...outcome, restarted: false };
    }
    const queued = closed.state.failed_lines.filter((line) => line.error_type !== 'outcome_unknown').length;
    const unknown = closed.state.failed_lines.length - queued;
    if (!queued)
      throw new UpdateRejectedError(
        `batch ${batchId} has no failed lines to retry${unknown ? ` (${unknown} failed as outcome_unknown: their side effect may have run; check the server, then run each alone)` : ''}`,
      );
    await this.restartFailed(batchId, closed);
    return { queued, restarted: true };
  }

  private control(batchId: string, definition: typeof pauseUpdate, reason: string | undefined): Promise<BatchStatus> {
    return this.client.update(batchId, () =>
      this.client.handle(batchId).startUpdate(definition, { args: [reason ? { reason } : {}], waitForStage: WorkflowUpdateStage.ACCEPTED }),
    );
  }

  /**
   * A finished line's full result, read from its runQuery (a failed run gives its partial result),
   * or, for a line that ran as an activity of its batch, from that batch run's history.
   */
  async lineResult(line: Pick<FinishedLine, 'workflow_id' | 'key' | 'activity_run_id'> & { n?: number | null }): Promise<LineResult> {
    if (line.activity_run_id) {
      const batchId = line.workflow_id.slice(0, line.workflow_id.length - line.key.length - 1);
      const found = await this.activityLines.result(batchId, line.activity_run_id, line.key);
      if (found) return found;
      // Not in its run's history (past the namespace's retention): as for a line whose run is gone.
      throw new NotFoundError('workflow', `${batchId} (run ${line.activity_run_id}, line ${line.key})`);
    }
    const outcome: QueryOutcome = await this.client.waitForQuery(line.workflow_id);
    const result = outcome.result;
    return {
      id: line.key,
      line: line.n ?? (await this.lineNumberOf(line.workflow_id)),
      workflow_id: line.workflow_id,
      success: outcome.succeeded,
      answer: result?.text_response ?? '',
      error_type: outcome.succeeded ? null : (result?.error_type ?? 'unknown'),
      error: outcome.error,
      calls: result?.tool_calls.length ?? 0,
      denied: result?.tool_calls.some((call) => call.status === 'denied') ?? false,
      duration_ms: result?.duration_ms ?? 0,
    };
  }

  /** A line's number, for runs started before lines carried it as memo: from the run's summary ("line N of batch …"). */
  private async lineNumberOf(workflowId: string): Promise<number | null> {
    const summary = await this.client
      .handle(workflowId)
      .describe()
      .then(
        (description) => description.staticSummary(),
        () => undefined,
      );
    const n = /^line (\d+) of batch /.exec(summary ?? '')?.[1];
    return n ? Number(n) : null;
  }

  /**
   * Every closed line run of a batch, found by its search attribute (the latest run of each id), with its line number when its memo has it;
   * then every line that ran as an activity of the batch (found in the histories of its runs).
   */
  async *closedLines(batchId: string): AsyncGenerator<{ workflow_id: string; key: string; n: number | null; activity_run_id?: string }> {
    const seen = new Set<string>();
    const query = `${MCP_BATCH_ID.name} = '${batchId.replace(/'/g, "\\'")}' AND WorkflowType = 'runQuery' AND ExecutionStatus != 'Running'`;
    for await (const execution of this.client.temporal.workflow.list({ query })) {
      if (seen.has(execution.workflowId)) continue;
      seen.add(execution.workflowId);
      const n = execution.memo?.mcpflow_line;
      yield { workflow_id: execution.workflowId, key: execution.workflowId.slice(batchId.length + 1), n: typeof n === 'number' ? n : null };
    }
    for await (const line of this.activityLines.lines(batchId)) if (!seen.has(line.workflow_id)) yield line;
  }

  /** Every finished line's result in the order of the file (lines numbered), `concurrency` fetched at a time. */
  async *resultsInOrder(batchId: string, concurrency = 16): AsyncGenerator<LineResult> {
    const refs: Array<{ workflow_id: string; key: string; n: number | null; activity_run_id?: string }> = [];
    for await (const line of this.closedLines(batchId)) refs.push(line);
    // Runs from before the memo: their number from the run itself (then sorted with the others).
    for (let i = 0; i < refs.length; i += concurrency) {
      await Promise.all(refs.slice(i, i + concurrency).map(async (ref) => (ref.n ??= await this.lineNumberOf(ref.workflow_id))));
    }
    refs.sort((a, b) => (a.n ?? Number.MAX_SAFE_INTEGER) - (b.n ?? Number.MAX_SAFE_INTEGER) || a.key.localeCompare(b.key));
    for (let i = 0; i < refs.length; i += concurrency) {
      for (const result of await Promise.all(refs.slice(i, i + concurrency).map((ref) => this.lineResult(ref)))) yield result;
    }
  }
}

export { asOfNow, isOver };

/** Temporal or every worker gone for a moment (a restart, a crash): worth waiting for. */
export function isTransient(error: unknown): boolean {
  return error instanceof TemporalUnreachableError || error instanceof NoWorkerError;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
