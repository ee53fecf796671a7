/**
 * Errors a retry fixed, carried to the attempt that succeeds, so that statistics count them
 * (errors_by_type): Temporal keeps an activity's retries to itself, and the workflow only sees
 * the result of the attempt that worked. A failing attempt heartbeats its classified error with
 * those of the attempts before it; Temporal hands the last heartbeat's details to the next
 * attempt (`info.heartbeatDetails`); the attempt that succeeds returns them with its result.
 */
import type { Context } from '@temporalio/activity';
import type { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { errorTypeOf } from '../src/core/failures';
import { clipToBytes } from '../src/core/payload-size';
import { RecordedErrorSchema, type RecordedError } from '../src/core/errors';
import { currentActivityContext } from './context';

/** Enough to count by type; a flapping server cannot grow a result without bound. */
const MAX_CARRIED = 20;
const MAX_MESSAGE_BYTES = 500;

const CarriedSchema = z.object({ mcpflow_attempt_errors: z.array(RecordedErrorSchema).max(MAX_CARRIED) });

/** The errors of this activity's earlier attempts, as the last failed one left them. */
export function earlierAttemptErrors(context: Context | undefined = currentActivityContext()): RecordedError[] {
  const parsed = CarriedSchema.safeParse(context?.info.heartbeatDetails);
  return parsed.success ? parsed.data.mcpflow_attempt_errors : [];
}

/** An attempt failing with a retryable error leaves it for the next attempt (see the module comment). */
export function rememberAttemptError(failure: ApplicationFailure): void {
  const context = currentActivityContext();
  if (!context || failure.nonRetryable) return;
  const error: RecordedError = { type: errorTypeOf(failure.type) ?? 'unknown', message: clipToBytes(failure.message, MAX_MESSAGE_BYTES), retryable: true };
  context.heartbeat({ mcpflow_attempt_errors: [...earlierAttemptErrors(context), error].slice(-MAX_CARRIED) });
}

/** For an activity result: `{ attempt_errors }` when earlier attempts failed, else nothing. */
export function attemptErrorsField(): { attempt_errors?: RecordedError[] } {
  const errors = earlierAttemptErrors();
  return errors.length ? { attempt_errors: errors } : {};
}
