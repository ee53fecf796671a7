/**
 * How a query run ends: its result, or — when retries ran out — the earlier answer marked
 * stale, or a QueryFailed failure carrying the error summary and the partial result.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { RecordedError } from '../../src/core/errors';
import { QUERY_FAILED, queryFailedDetails } from '../../src/core/failures';
import { callFailureCounts, type QueryResult } from '../../src/core/records';
import { describeFailure } from '../failures';
import type { QueryRunState } from './run-state';
import { QueryStop } from './stop';

type Outcome = Pick<QueryResult, 'success' | 'text_response' | 'error' | 'error_type' | 'stale'>;

export function finish(run: QueryRunState, outcome: Outcome): QueryResult {
  run.result = {
    query: run.input.query,
    ...outcome,
    tool_calls: run.calls,
    duration_ms: Date.now() - run.startedAt,
    retries: run.retries,
    response_id: run.lastResponseId,
    // Failed calls stay visible even when the model answered anyway; cut side effects make the run fail (direct.ts).
    ...callFailureCounts(run.calls),
    usage: run.tokens,
  };
  run.setState(outcome.success ? 'completed' : 'failed', outcome.success ? `answered after ${run.step} model turns` : `failed: ${outcome.error}`);
  return run.result;
}

/** Returns the stale fallback when there is one (never for a cut side effect); otherwise throws QueryFailed. */
export function fail(run: QueryRunState, failure: unknown): QueryResult {
  const last = lastError(run, failure);
  // An earlier answer must not stand in for a side effect that may or may not have happened, nor for a budget's stop.
  const fallback = last.type === 'outcome_unknown' || last.type === 'budget_exceeded' ? undefined : run.input.fallback_result;
  if (fallback) {
    run.emit('error', `retries ran out (${last.type}): returning the earlier answer, marked stale`);
    return finish(run, { success: fallback.success, text_response: fallback.text_response, error: last.message, error_type: last.type, stale: true });
  }
  const result = finish(run, { success: false, text_response: '', error: last.message, error_type: last.type, stale: false });
  const details = queryFailedDetails(run.errors, result);
  const counts = Object.entries(details.summary.by_type).map(([type, count]) => `${type} ×${count}`);
  throw ApplicationFailure.create({
    type: QUERY_FAILED,
    nonRetryable: true,
    message: `query failed (${last.type}): ${last.message} — ${details.summary.total_errors} error(s): ${counts.join(', ')}`,
    details: [details],
  });
}

/** The error that ended the run, recorded once in the run's errors. */
function lastError(run: QueryRunState, failure: unknown): RecordedError {
  if (failure instanceof QueryStop) {
    const last: RecordedError = { type: failure.cause?.type ?? 'unknown', message: failure.message, retryable: false };
    if (!failure.cause) run.errors.push(last);
    return last;
  }
  const { error, attempts } = describeFailure(failure);
  run.countAttempts(attempts);
  run.errors.push(error);
  return error;
}
