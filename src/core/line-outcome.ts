/**
 * How a runQuery ended, read from its result or failure. Shared by workflows (their own children)
 * and activities (runs they read through the Temporal client), so it lives here, below both.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { z } from 'zod';
import { QUERY_FAILED, readQueryFailedDetails } from './failures';
import { callFailureCounts, type QueryResult } from './records';
import { TokenTotalsSchema } from './usage';

export const LineEndSchema = z.enum(['completed', 'failed', 'cancelled']);

/** How a batch line ended: a finished line (workflows/batch/messages.ts FinishedLineSchema) without its place in the batch. */
export const LineOutcomeSchema = z.object({
  end: LineEndSchema,
  success: z.boolean(),
  /** An MCP error type, or cancelled / terminated / timed_out / lost for runs that ended without a result. */
  error_type: z.string().nullable(),
  calls: z.number().int(),
  denied: z.boolean(),
  duration_ms: z.number(),
  /** Tool calls that failed, and those of them whose outcome is unknown (absent on lines of older runs). */
  failed_calls: z.number().int().min(0).optional(),
  unknown_outcome_calls: z.number().int().min(0).optional(),
  /** The line's tokens and estimated cost (absent for lines of older runs and runs that ended without a result). */
  usage: TokenTotalsSchema.optional(),
  /** The line ran as a `runBatchLine` activity of this batch run (issue 26): its result is in that run's history, not in a runQuery run. */
  activity_run_id: z.string().optional(),
});
export type LineOutcome = z.infer<typeof LineOutcomeSchema>;

/**
 * The partial result a failed runQuery carries (its QueryFailed details, see
 * workflows/query/outcome.ts), read from the failure's cause: ChildWorkflowFailure.cause in a
 * workflow, WorkflowFailedError.cause in a client. Undefined for any other failure.
 */
export function failedQueryResult(cause: unknown): QueryResult | undefined {
  return cause instanceof ApplicationFailure && cause.type === QUERY_FAILED ? readQueryFailedDetails(cause.details)?.result : undefined;
}

/**
 * A line's end with its failed tool calls: a query that answered although a call failed is not a
 * plain success, and one whose side effect was cut off (`unknown_outcome_calls`) failed outright
 * (error type `outcome_unknown`). Counted from the records, so results of older runs count too.
 */
export type LineOutcomeWithCalls = LineOutcome & { failed_calls: number; unknown_outcome_calls: number };

export function resultOutcome(result: QueryResult): LineOutcomeWithCalls {
  return {
    end: result.success ? 'completed' : 'failed',
    success: result.success,
    error_type: result.success ? null : (result.error_type ?? 'unknown'),
    calls: result.tool_calls.length,
    denied: result.tool_calls.some((call) => call.status === 'denied'),
    duration_ms: result.duration_ms,
    ...callFailureCounts(result.tool_calls),
    ...(result.usage ? { usage: result.usage } : {}),
  };
}

/** The cause of a failed child (ChildWorkflowFailure.cause in a workflow, WorkflowFailedError.cause in a client). */
export function failureOutcome(cause: unknown): LineOutcomeWithCalls {
  const partial = failedQueryResult(cause);
  if (partial) return { ...resultOutcome(partial), end: 'failed', success: false };
  const ended = (end: LineOutcome['end'], error_type: string): LineOutcomeWithCalls => ({
    end,
    success: false,
    error_type,
    calls: 0,
    denied: false,
    duration_ms: 0,
    failed_calls: 0,
    unknown_outcome_calls: 0,
  });
  if (cause instanceof CancelledFailure) return ended('cancelled', 'cancelled');
  if (cause instanceof TerminatedFailure) return ended('failed', 'terminated');
  if (cause instanceof TimeoutFailure) return ended('failed', 'timed_out');
  if (cause instanceof ApplicationFailure && cause.type) return ended('failed', cause.type);
  return ended('failed', 'unknown');
}
