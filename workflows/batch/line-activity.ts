/**
 * A batch line as one `runBatchLine` activity of the batch (issue 26; rules in
 * src/core/batch-line.ts, the activity in activities/batch-line.ts): the line's outcome when the
 * activity answered it, or null when the line must run as its runQuery child — it was handed
 * back before anything needing a person or with side effects was sent, or the activity failed
 * past its retries (only read-only work was done). Runs recorded before the patch
 * BATCH_LINES_AS_ACTIVITIES start every line as a child (lines.ts).
 */
import { ActivityFailure, CancelledFailure, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { childOnlyReason, lineActivityId } from '../../src/core/batch-line';
import { resultOutcome, type LineOutcomeWithCalls } from '../../src/core/line-outcome';
import { retryBudget } from '../../src/core/model-options';
import { activityRetryPolicy } from '../../src/core/retry';
import { workflowInputServersProblem } from '../../src/core/servers';
import { heartbeatTimeoutFor } from '../../src/core/timing';
import { isActivityOrChildFailure } from '../failures';
import { QueryInputSchema, type ParsedQueryInput, type QueryInput } from '../messages';
import { BATCH_LINES_AS_ACTIVITIES } from '../patches';
import type { LineRef } from './messages';

/** Attempts of the whole line (each from its first turn) before it goes to its child, which retries each part on its own. */
const LINE_ATTEMPTS = 3;
/** Words of the query in the activity's summary, so a person finds the line in the batch's event list. */
const SUMMARY_WORDS = 8;

/** The parsed input of a line that may run as an activity in this run, or null. Asks the patch only for such lines. */
export function activityLineInput(input: QueryInput): ParsedQueryInput | null {
  if (childOnlyReason(input) !== null) return null;
  // An input its child would refuse goes to the child, which fails the line with the reason as today (never the batch).
  const parsed = QueryInputSchema.safeParse(input);
  if (!parsed.success || workflowInputServersProblem(parsed.data.servers) || childOnlyReason(parsed.data) !== null) return null;
  return patched(BATCH_LINES_AS_ACTIVITIES) ? parsed.data : null;
}

/** The line's outcome, or null: run it as a child. Cancellation propagates (the caller's scope records it). */
export async function runLineActivity(
  ref: LineRef,
  batchId: string,
  input: ParsedQueryInput,
): Promise<(LineOutcomeWithCalls & { activity_run_id: string }) | null> {
  // Each part's timeout, for every turn and call a line may make, plus its listing.
  const parts = 2 * input.max_steps + 1;
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: input.call_timeout_ms * parts,
    // The activity beats all along (src/core/timing.ts): a SIGKILLed worker's line is retried within seconds.
    heartbeatTimeout: heartbeatTimeoutFor(input.call_timeout_ms),
    // Flex's 429s are waited out here as a child's model call waits them out (retryBudget: at least 10 retries).
    retry: { ...activityRetryPolicy(input.retry), maximumAttempts: input.service_tier === 'flex' ? retryBudget(input).max_retries + 1 : LINE_ATTEMPTS },
    summary: `line ${ref.n} of batch ${batchId}: ${firstWords(input.query)}`,
    activityId: lineActivityId(ref.n, ref.key),
  });
  try {
    const answer = await activities.runBatchLine(input);
    return answer.kind === 'done' ? { ...resultOutcome(answer.result), activity_run_id: workflowInfo().runId } : null;
  } catch (failure) {
    // The line's cancellation as a child's would be: the CancelledFailure itself, so that it counts as `cancelled`.
    if (isCancellation(failure)) throw failure instanceof ActivityFailure && failure.cause instanceof CancelledFailure ? failure.cause : failure;
    if (!isActivityOrChildFailure(failure)) throw failure;
    return null;
  }
}

function firstWords(query: string): string {
  const words = query.trim().split(/\s+/);
  return words.length > SUMMARY_WORDS ? `${words.slice(0, SUMMARY_WORDS).join(' ')} …` : words.join(' ');
}
