/**
 * How a line ended, read from its runQuery's result or failure. Shared by the workflow (its own
 * children) and the batch activities (children it adopted from an earlier run or a restart).
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { QUERY_FAILED, readQueryFailedDetails } from '../../src/core/failures';
import { callFailureCounts, type QueryResult } from '../../src/core/records';
import type { LineOutcome } from './messages';

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
  };
}

/** The cause of a failed child (ChildWorkflowFailure.cause in a workflow, WorkflowFailedError.cause in a client). */
export function failureOutcome(cause: unknown): LineOutcomeWithCalls {
  if (cause instanceof ApplicationFailure && cause.type === QUERY_FAILED) {
    const partial = readQueryFailedDetails(cause.details)?.result;
    if (partial) return { ...resultOutcome(partial), end: 'failed', success: false };
  }
  const ended = (end: LineOutcome['end'], error_type: string): LineOutcomeWithCalls => ({ end, success: false, error_type, calls: 0, denied: false, duration_ms: 0, failed_calls: 0, unknown_outcome_calls: 0 });
  if (cause instanceof CancelledFailure) return ended('cancelled', 'cancelled');
  if (cause instanceof TerminatedFailure) return ended('failed', 'terminated');
  if (cause instanceof TimeoutFailure) return ended('failed', 'timed_out');
  if (cause instanceof ApplicationFailure && cause.type) return ended('failed', cause.type);
  return ended('failed', 'unknown');
}
