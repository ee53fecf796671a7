/**
 * A call of a tool with side effects that was sent and then cut off (its worker died: no
 * heartbeat; or no answer within the call's timeout) may or may not have run. It got its single
 * attempt (direct.ts), so it is not sent again; it is recorded as a failed call whose outcome is
 * unknown, and the query stops there and fails, saying so, instead of asking the model again:
 * nothing may claim that the side effect happened, and the model must not try it a second time.
 */
import { ActivityFailure, TimeoutFailure } from '@temporalio/workflow';
import type { RecordedError } from '../../src/core/errors';

/** A failed call of a tool with side effects whose request may have reached the server. */
export function isCutOff(readOnly: boolean, error: RecordedError): boolean {
  return !readOnly && error.type === 'timeout';
}

/** The record's error for a cut call: what happened, that it may have run, what to do. */
export function outcomeUnknown(server: string, tool: string, failure: unknown, error: RecordedError): RecordedError {
  return {
    type: 'outcome_unknown',
    message: `outcome unknown: the call to ${server}.${tool} was sent and cut off (${whyCut(failure, error)}); it may or may not have run — check ${server} before calling ${tool} again`,
    retryable: false,
  };
}

function whyCut(failure: unknown, error: RecordedError): string {
  const cause = failure instanceof ActivityFailure ? failure.cause : undefined;
  if (!(cause instanceof TimeoutFailure)) return error.message;
  if (cause.timeoutType === 'HEARTBEAT') return 'the worker running it stopped answering (heartbeat timeout)';
  if (cause.timeoutType === 'START_TO_CLOSE') return 'no answer within call_timeout_ms';
  return error.message;
}
