/**
 * Activity retries happen inside Temporal, invisible to the workflow until they end; the server
 * shows them in a workflow's pending activities (attempt, last failure, next attempt time).
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';

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

export function pendingRetries(description: WorkflowExecutionDescription): PendingRetry[] {
  const activities = description.raw.pendingActivities ?? [];
  return activities.flatMap((activity) => {
    const attempt = activity.attempt ?? 1;
    if (attempt < 2 || !activity.lastFailure) return [];
    const nextAt = optionalTsToMs(activity.nextAttemptScheduleTime);
    return [
      {
        activity_id: activity.activityId ?? '',
        activity_type: activity.activityType?.name ?? '',
        attempt,
        last_failure_type: activity.lastFailure.applicationFailureInfo?.type || (activity.lastFailure.timeoutFailureInfo ? 'timeout' : null),
        last_failure_message: activity.lastFailure.message ?? null,
        next_attempt_at: nextAt === undefined ? null : new Date(nextAt).toISOString(),
      },
    ];
  });
}
