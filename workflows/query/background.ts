/**
 * A model turn in background mode (src/core/background.ts): one short activity sends it with
 * `background: true` and returns the response id; the workflow then sleeps on durable timers
 * between short `GET /v1/responses/{id}` activities until the response ends. No activity waits
 * for the model, so a worker's activity slots stay free while the API works, and a worker lost
 * during the call is replaced by one that follows the same id (it is in history): the turn is
 * not sent again, its hosted tools run once. Cancelling the query cancels the response.
 *
 * History stays bounded: waits grow from 0.5 s to 5 s, then to a tenth of the time the response
 * has run, at most 60 s (src/core/background.ts, pollDelayMs), so an hour-long call adds about 90 polls of
 * about ten events each, and the turn's deadline (`call_timeout_ms`) ends every wait. No
 * continue-as-new is needed for a turn.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ResponsesCallInput } from '../../activities/request';
import type { ResponsesCallResult } from '../../activities/responses';
import type { BackgroundCreated } from '../../activities/responses-background';
import { pollDelayMs, readBackgroundTurnFailure } from '../../src/core/background';
import type { RecordedError } from '../../src/core/errors';
import { errorTypeOf } from '../../src/core/failures';
import { activityRetryPolicy, nextRetryDelayMs } from '../../src/core/retry';
import { heartbeatTimeoutFor } from '../../src/core/timing';
import { describeFailure } from '../failures';
import type { ParsedQueryInput } from '../messages';

/** Creating, polling and cancelling are short requests; each activity gets at most this long. */
const SHORT_CALL_TIMEOUT_MS = 30_000;
/** Retries of the cancel request when the query is cancelled (best effort: the query ends anyway). */
const CANCEL_ATTEMPTS = 3;

export interface BackgroundTurn {
  summary: string;
  step: number;
  /** Tells the run what the response is doing (its id, the MCP call at work). */
  onWaiting(detail: string): void;
}

export async function callInBackground(options: ParsedQueryInput, request: ResponsesCallInput, turn: BackgroundTurn): Promise<ResponsesCallResult> {
  const timeout = Math.min(options.call_timeout_ms, SHORT_CALL_TIMEOUT_MS);
  const short = { ...request, timeout_ms: timeout };
  const create = proxyActivities<Activities>({
    startToCloseTimeout: timeout,
    // The create activity beats while it waits for the API to take the turn: a lost worker is noticed in seconds.
    heartbeatTimeout: heartbeatTimeoutFor(timeout),
    retry: activityRetryPolicy(options.retry),
    summary: `${turn.summary}: start in background`,
  });
  const fixed: RecordedError[] = [];
  let spent = 0;
  for (let turnAttempt = 1; ; turnAttempt++) {
    const created = await create.createBackgroundResponse(short).catch((error: unknown) => {
      throw asCancelled(error);
    });
    spent += created.attempt;
    fixed.push(...(created.attempt_errors ?? []));
    try {
      const result = created.result ?? (await follow(options, request, created, turnAttempt, turn));
      return { ...result, attempt: spent, ...(fixed.length ? { attempt_errors: fixed } : {}) };
    } catch (failure) {
      const ended =
        failure instanceof ActivityFailure && failure.cause instanceof ApplicationFailure ? readBackgroundTurnFailure(failure.cause.details) : undefined;
      if (!ended?.retryable || turnAttempt > options.retry.max_retries) throw failure;
      // The response ended failed with an error a retry may fix: the turn is sent again, as Temporal would retry a one-activity call.
      const { error } = describeFailure(failure);
      fixed.push(error);
      turn.onWaiting(`turn ${turn.step}: response ${created.response_id} ended (${error.type}); sending the turn again`);
      await sleep(nextRetryDelayMs(errorTypeOf(ended.type) ?? 'unknown', turnAttempt, options.retry));
    }
  }
}

/** Polls one response until it ends; cancels it when the query is cancelled. */
async function follow(
  options: ParsedQueryInput,
  request: ResponsesCallInput,
  created: BackgroundCreated,
  turnAttempt: number,
  turn: BackgroundTurn,
): Promise<ResponsesCallResult> {
  const timeout = Math.min(options.call_timeout_ms, SHORT_CALL_TIMEOUT_MS);
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: timeout,
    // GET and cancel change nothing at the API: retried like reads.
    retry: activityRetryPolicy(options.retry),
    summary: `${turn.summary}: follow ${created.response_id}`,
  });
  const responseId = created.response_id;
  const startedAt = Date.now();
  const deadline = startedAt + options.call_timeout_ms;
  let shown = '';
  turn.onWaiting(`turn ${turn.step} runs in the background as response ${responseId}`);
  try {
    for (let polls = 0; ; polls++) {
      const wait = Math.min(pollDelayMs(polls, Date.now() - startedAt), Math.max(0, deadline - Date.now()));
      if (wait > 0) await sleep(wait);
      const poll = await activities.retrieveBackgroundResponse({
        response_id: responseId,
        servers: request.servers,
        approved: created.approved,
        retry: options.retry,
        timeout_ms: timeout,
        turn_attempt: turnAttempt,
        deadline_ms: deadline,
      });
      if (poll.done) return poll.result;
      if (poll.detail !== shown) turn.onWaiting(`response ${responseId}: ${poll.detail}`);
      shown = poll.detail;
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // The query was cancelled: stop the response too, even though this scope is being cancelled.
    const cancel = proxyActivities<Activities>({
      startToCloseTimeout: timeout,
      retry: { ...activityRetryPolicy(options.retry), maximumAttempts: CANCEL_ATTEMPTS },
      summary: `${turn.summary}: cancel ${responseId}`,
    });
    await CancellationScope.nonCancellable(() =>
      cancel.cancelBackgroundResponse({ response_id: responseId, retry: options.retry, timeout_ms: timeout }).then(
        () => turn.onWaiting(`response ${responseId} cancelled with the query`),
        () => turn.onWaiting(`response ${responseId}: the cancel request failed; the API may finish it`),
      ),
    );
    throw asCancelled(error);
  }
}

/**
 * An activity cancelled with the query fails as an ActivityFailure, which the run would record
 * as a failed query: the query ends cancelled instead, as it was asked to.
 */
function asCancelled(error: unknown): unknown {
  if (!isCancellation(error) || error instanceof CancelledFailure) return error;
  return new CancelledFailure('the query was cancelled while its model turn ran in the background');
}
