/**
 * What happens when a run starts to wait for a person, before and while it waits: the arguments
 * are checked against the tool's schema (a local activity, activities/argument-check.ts), and the
 * worker's webhooks are told (activities/notify.ts) once per wait, in a scope cancelled when the
 * wait ends so that a receiver that is down is not retried after the answer came.
 */
import { CancellationScope, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { activityRetryPolicy, type RetrySettings } from '../../src/core/retry';
import type { ArgumentCheck, ArgumentCheckResult, WaitNotice } from '../../src/core/wait-notice';
import { describeFailure } from '../failures';

const { checkToolArguments } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

/** Schema problems by call id; a check that could not run says so instead of failing the run. */
export async function argumentProblems(calls: ArgumentCheck[]): Promise<ArgumentCheckResult> {
  if (!calls.length) return {};
  try {
    return await checkToolArguments({ calls });
  } catch (failure) {
    const problem = `the arguments could not be checked against the tool's schema: ${describeFailure(failure).error.message}`;
    return Object.fromEntries(calls.map((call) => [call.id, [problem]]));
  }
}

/**
 * Starts the notification of one wait; returns what ends it (called when the wait ends). Its
 * failure (a webhook that refuses it, a day of retries) is reported through `onFailure` and never
 * fails the run.
 */
export function announceWait(notice: WaitNotice, retry: RetrySettings, onFailure: (message: string) => void): () => void {
  // No attempt limit (omitted: unlimited), only the day.
  const { maximumAttempts: _unlimited, ...policy } = activityRetryPolicy(retry);
  const { notifyWaiting } = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    // Retried until the answer comes (the scope is cancelled then) or for a day, by the error table's delays.
    scheduleToCloseTimeout: '1 day',
    retry: policy,
    summary: `Notify webhooks: ${notice.server} · ${notice.tool} waits for ${notice.kind === 'approval' ? 'approval' : 'an answer'} (${notice.request_id})`,
  });
  const scope = new CancellationScope();
  let ended = false;
  scope
    .run(() => notifyWaiting({ ...notice, retry }))
    .catch((failure: unknown) => {
      if (!ended) onFailure(`notifying the webhooks of ${notice.request_id} failed: ${describeFailure(failure).error.message}`);
    });
  return () => {
    ended = true;
    scope.cancel();
  };
}
