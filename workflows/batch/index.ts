/**
 * runBatch: a file of queries as one durable batch. Each line runs as a runQuery child
 * (lines.ts), at most `concurrency` at a time (lines waiting for a person hold no slot); lines
 * arrive in pages (asked from the holder workflows of held.ts, the `appendLines` update of an
 * older CLI, or the input of a scheduled batch); the run continues as new long before Temporal's history
 * warnings, carrying its state (state.ts). Pause, resume, cancel and retry-failed are updates
 * with validators; `progress` and `finished` are queries.
 */
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { MCP_BATCH_ID } from '../../src/core/search-attributes';
import { checkArgs, parseInput } from '../input';
import { searchAttributeWriter } from '../search-attributes';
import { QueryStateChangeSchema, queryStateSignal } from '../messages';
import { HeldLineSource } from './held';
import { LineRunner } from './lines';
import {
  AppendLinesArgsSchema,
  appendLinesUpdate,
  BatchInputSchema,
  batchProgressQuery,
  BatchSettingsSchema,
  cancelBatchUpdate,
  ControlArgsSchema,
  FinishedArgsSchema,
  finishedQuery,
  heldLinesSignal,
  HeldLinesArgsSchema,
  pauseUpdate,
  resumeUpdate,
  retryFailedUpdate,
  type BatchInput,
  type BatchResult,
} from './messages';
import { BatchState } from './state';

/** Temporal warns at 10 MiB of history; a run moves on well before. */
const CONTINUE_AS_NEW_AFTER_BYTES = 6 * 1024 * 1024;
/** Adopted lines are asked about after this long, doubling while nothing ends, up to the max. */
const POLL_MIN_MS = 500;
const POLL_MAX_MS = 30_000;
/**
 * Before continuing as new, a run stops starting lines and lets the running ones finish (or wait
 * for a person), at most this long: while children keep ending and signalling, every attempt to
 * complete the run with continue-as-new is refused for new events and the task replayed, so a
 * run that tried it in full flight could stall until its lines drained anyway.
 */
const DRAIN_MAX_MS = 120_000;
/** How long a cancelled batch waits for its lines to stop before it ends anyway. */
const CANCEL_GRACE_MS = 60_000;

export async function runBatch(rawInput: BatchInput): Promise<BatchResult> {
  const input = parseInput(BatchInputSchema, rawInput, 'runBatch');
  const batch = new BatchState(workflowInfo().workflowId, input, Date.now());
  if (input.retry_failed) batch.retryFailed();
  const runner = new LineRunner(batch);
  const held = new HeldLineSource(batch);
  registerHandlers(batch, runner, held);
  // Scheduled runs are started without it; the first run of a chain sets it once.
  if (!input.carried) searchAttributeWriter(input.search_attributes)([{ key: MCP_BATCH_ID, value: batch.batchId }]);
  try {
    await runLines(batch, runner, held);
  } catch (failure) {
    if (!isCancellation(failure)) throw failure;
    // The workflow itself was cancelled (mcpflow cancel): its lines are abandoned children, so stop them.
    await CancellationScope.nonCancellable(async () => {
      batch.state.stop = 'cancel';
      runner.cancelAll();
      await condition(() => batch.running.size === batch.adopted.size, CANCEL_GRACE_MS);
    });
    throw failure;
  }
  await condition(allHandlersFinished);
  batch.showDetails(Date.now());
  return {
    batch_id: batch.batchId,
    status: batch.status,
    progress: batch.progress(Date.now()),
    settings: BatchSettingsSchema.parse(input),
    state: batch.carry(),
  };
}

async function runLines(batch: BatchState, runner: LineRunner, held: HeldLineSource): Promise<void> {
  let pollMs = POLL_MIN_MS;
  const resend = `run \`mcpflow batch run ${batch.input.source ?? '<file>'} --batch-id ${batch.batchId}\` again to start it`;
  for (;;) {
    if (batch.drainingSince === null && timeToMoveOn(batch)) batch.drainingSince = Date.now();
    runner.fill();
    held.ask(resend);
    if (runner.fatal) throw runner.fatal;
    batch.showDetails(Date.now());
    if (batch.finished && runner.settled) return;
    if (batch.drainingSince !== null && runner.settled && (batch.drained || Date.now() - batch.drainingSince >= DRAIN_MAX_MS)) {
      await condition(allHandlersFinished);
      const { lines: _lines, carried: _carried, ...settings } = batch.input;
      return continueAsNew<typeof runBatch>({ ...settings, retry_failed: false, carried: batch.carry() });
    }
    batch.changed = false;
    const wakeIn = earliest(batch.drainingSince === null ? undefined : Math.max(1, DRAIN_MAX_MS - (Date.now() - batch.drainingSince)), held.askAgainInMs);
    if (!batch.adopted.size) {
      if (wakeIn === undefined) await condition(() => batch.changed);
      else await condition(() => batch.changed, wakeIn);
      continue;
    }
    const signalled = await condition(() => batch.changed, Math.min(pollMs, wakeIn ?? pollMs));
    if (!batch.adopted.size) continue;
    const ended = await runner.checkAdopted();
    pollMs = ended || signalled ? POLL_MIN_MS : Math.min(pollMs * 2, POLL_MAX_MS);
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function timeToMoveOn(batch: BatchState): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= batch.input.continue_as_new_after_events || info.historySize >= CONTINUE_AS_NEW_AFTER_BYTES;
}

function registerHandlers(batch: BatchState, runner: LineRunner, held: HeldLineSource) {
  setHandler(batchProgressQuery, () => batch.progress(Date.now()));
  setHandler(finishedQuery, (args) => {
    const { after_seq, limit } = FinishedArgsSchema.parse(args ?? {});
    return batch.finishedPage(after_seq, limit);
  });
  setHandler(queryStateSignal, (change) => {
    const parsed = QueryStateChangeSchema.safeParse(change);
    if (parsed.success) batch.childState(parsed.data.workflow_id, parsed.data.state);
  });

  setHandler(heldLinesSignal, (args) => {
    const parsed = HeldLinesArgsSchema.safeParse(args);
    if (parsed.success) held.take(parsed.data.from, parsed.data.lines);
  });

  setHandler(appendLinesUpdate, (args) => batch.appendPage(args.lines), {
    validator: (args) => {
      const parsed = checkArgs(AppendLinesArgsSchema, args, 'appendLines');
      const refusal = batch.refusePage(parsed.from, parsed.lines);
      if (refusal) throw new Error(refusal);
    },
  });
  const refuseWhenOver = () => {
    if (batch.state.stop === 'cancel') throw new Error(`batch ${batch.batchId} is ${batch.status}`);
  };
  setHandler(
    pauseUpdate,
    () => {
      batch.state.paused = true;
      batch.changed = true;
      return batch.status;
    },
    {
      validator: (args) => {
        checkArgs(ControlArgsSchema, args ?? {}, 'pause');
        refuseWhenOver();
        if (batch.state.paused) throw new Error(`batch ${batch.batchId} is already paused`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    () => {
      batch.state.paused = false;
      batch.changed = true;
      return batch.status;
    },
    {
      validator: (args) => {
        checkArgs(ControlArgsSchema, args ?? {}, 'resume');
        refuseWhenOver();
        if (!batch.state.paused) throw new Error(`batch ${batch.batchId} is not paused`);
      },
    },
  );
  setHandler(
    cancelBatchUpdate,
    () => {
      batch.state.stop = 'cancel';
      runner.cancelAll();
      batch.changed = true;
      return batch.status;
    },
    {
      validator: (args) => {
        checkArgs(ControlArgsSchema, args ?? {}, 'cancel');
        refuseWhenOver();
      },
    },
  );
  setHandler(retryFailedUpdate, () => ({ queued: batch.retryFailed() }), {
    validator: (args) => {
      checkArgs(ControlArgsSchema, args ?? {}, 'retryFailed');
      refuseWhenOver();
      if (!batch.state.failed_lines.length) throw new Error(`batch ${batch.batchId} has no failed lines to retry`);
    },
  });
}
