/** Reading activity and child failures inside workflows, as recorded errors. */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';
import { MCPErrorTypeSchema, type RecordedError } from '../src/core/errors';

export interface FailureFacts {
  error: RecordedError;
  /** Attempts made before giving up, when the activity said so. */
  attempts: number;
}

export function describeFailure(failure: unknown): FailureFacts {
  const cause = failure instanceof ActivityFailure || failure instanceof ChildWorkflowFailure ? failure.cause : failure;
  if (cause instanceof ApplicationFailure) {
    const type = MCPErrorTypeSchema.safeParse(cause.type);
    const details = cause.details?.[0] as { attempt?: number } | undefined;
    return {
      error: { type: type.success ? type.data : 'unknown', message: cause.message, retryable: !cause.nonRetryable },
      attempts: typeof details?.attempt === 'number' ? details.attempt : 1,
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
