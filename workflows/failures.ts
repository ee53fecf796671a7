/** Reading activity and child failures inside workflows, as recorded errors. */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';
import type { RecordedError } from '../src/core/errors';
import { errorTypeOf, readActivityFailureDetails } from '../src/core/failures';

export interface FailureFacts {
  error: RecordedError;
  /** Attempts made before giving up, when the activity said so. */
  attempts: number;
}

export function describeFailure(failure: unknown): FailureFacts {
  const cause = failure instanceof ActivityFailure || failure instanceof ChildWorkflowFailure ? failure.cause : failure;
  if (cause instanceof ApplicationFailure) {
    return {
      error: { type: errorTypeOf(cause.type) ?? 'unknown', message: cause.message, retryable: !cause.nonRetryable },
      attempts: readActivityFailureDetails(cause.details)?.attempt ?? 1,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { error: { type: 'timeout', message: `timed out (${cause.timeoutType})`, retryable: true }, attempts: 1 };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { error: { type: 'unknown', message, retryable: true }, attempts: 1 };
}

export function isActivityOrChildFailure(error: unknown): boolean {
  return error instanceof ActivityFailure || error instanceof ChildWorkflowFailure;
}

/** A first turn that could not list one of its MCP servers (see ResponsesCallInput.fail_on_listing_error). */
export function isListingFailure(failure: unknown): boolean {
  return (
    failure instanceof ActivityFailure &&
    failure.cause instanceof ApplicationFailure &&
    readActivityFailureDetails(failure.cause.details)?.listing_failed === true
  );
}
