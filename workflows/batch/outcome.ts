/**
 * How a line ended, read from its runQuery's result or failure. Shared by the workflow (its own
 * children) and the batch activities (children it adopted from an earlier run or a restart).
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { QUERY_FAILED, readQueryFailedDetails } from '../../src/core/failures';
import type { QueryResult } from '../../src/core/records';
import type { LineOutcome } from './messages';

export function resultOutcome(result: QueryResult): LineOutcome {
  return {
    end: result.success ? 'completed' : 'failed',
    success: result.success,
    error_type: result.success ? null : (result.error_type ?? 'unknown'),
    calls: result.tool_calls.length,
    denied: result.tool_calls.some((call) => call.status === 'denied'),
    duration_ms: result.duration_ms,
  };
}

/** The cause of a failed child (ChildWorkflowFailure.cause in a workflow, WorkflowFailedError.cause in a client). */
export function failureOutcome(cause: unknown): LineOutcome {
  if (cause instanceof ApplicationFailure && cause.type === QUERY_FAILED) {
    const partial = readQueryFailedDetails(cause.details)?.result;
    if (partial) return { ...resultOutcome(partial), end: 'failed', success: false };
  }
  const ended = (end: LineOutcome['end'], error_type: string): LineOutcome => ({ end, success: false, error_type, calls: 0, denied: false, duration_ms: 0 });
  if (cause instanceof CancelledFailure) return ended('cancelled', 'cancelled');
  if (cause instanceof TerminatedFailure) return ended('failed', 'terminated');
  if (cause instanceof TimeoutFailure) return ended('failed', 'timed_out');
  if (cause instanceof ApplicationFailure && cause.type) return ended('failed', cause.type);
  return ended('failed', 'unknown');
}
