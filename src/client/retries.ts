/**
 * Activity retries happen inside Temporal, invisible to the workflow until they end; the server
 * shows them in a workflow's pending activities (attempt, last failure, next attempt time).
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError, optionalTsToMs } from '../codec/sdk-internals';

export interface PendingRetry {
  activity_id: string;
  activity_type: string;
  /** The attempt that will run next (2 = the first retry). */
  attempt: number;
  /** The failure type (an MCPErrorType such as rate_limit) of the last attempt. */
  last_failure_type: string | null;
  last_failure_message: string | null;
  /** When the next attempt starts, if the server scheduled it. */
  next_attempt_at: string | null;
}

/** A failure's message and stack travel encrypted (src/codec/failure-converter.ts): decoded here, raw if that fails. */
async function failureMessage(failure: NonNullable<PendingActivity['lastFailure']>, converter: LoadedDataConverter): Promise<string | null> {
  try {
    return (await decodeOptionalFailureToOptionalError(converter, failure))?.message ?? null;
  } catch {
    return failure.message ?? null;
  }
}

type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

export async function pendingRetries(description: WorkflowExecutionDescription, converter: LoadedDataConverter): Promise<PendingRetry[]> {
  const activities = description.raw.pendingActivities ?? [];
  const retries = await Promise.all(
    activities.map(async (activity): Promise<PendingRetry[]> => {
      const attempt = activity.attempt ?? 1;
      if (attempt < 2 || !activity.lastFailure) return [];
      const nextAt = optionalTsToMs(activity.nextAttemptScheduleTime);
      return [
        {
          activity_id: activity.activityId ?? '',
          activity_type: activity.activityType?.name ?? '',
          attempt,
          last_failure_type: activity.lastFailure.applicationFailureInfo?.type || (activity.lastFailure.timeoutFailureInfo ? 'timeout' : null),
          last_failure_message: await failureMessage(activity.lastFailure, converter),
          next_attempt_at: nextAt === undefined ? null : new Date(nextAt).toISOString(),
        },
      ];
    }),
  );
  return retries.flat();
}
