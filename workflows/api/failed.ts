/** A runQuery child that failed, as the typed error a user's workflow catches: the partial result and the error summary. */
import { ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import { QUERY_FAILED, readQueryFailedDetails, type QueryFailedDetails } from '../../src/core/failures';
import type { QueryResult } from '../../src/core/records';

/** The failure type a user's workflow fails with when it lets McpQueryFailed through (its details read with readQueryFailedDetails). */
export const MCP_QUERY_FAILED = 'McpQueryFailed';

/**
 * The query ran and failed (QueryFailed): `result` is its partial result (calls made, errors,
 * retries), `summary` the error summary. An ApplicationFailure, so that a workflow that does
 * not catch it fails with it (nonRetryable: running the same query again is the caller's choice).
 */
export class McpQueryFailed extends ApplicationFailure {
  readonly result: QueryResult;
  readonly summary: QueryFailedDetails['summary'];
  readonly workflowId: string;

  constructor(workflowId: string, details: QueryFailedDetails, cause?: Error) {
    super(`mcpflow query ${workflowId} failed: ${details.result.error ?? 'unknown error'}`, MCP_QUERY_FAILED, true, [details], cause);
    this.result = details.result;
    this.summary = details.summary;
    this.workflowId = workflowId;
  }
}

/** A child failure that carries a QueryFailed result becomes McpQueryFailed; any other failure (cancelled, terminated, invalid input) is thrown as it is. */
export function asQueryFailure(workflowId: string, failure: unknown): unknown {
  if (!(failure instanceof ChildWorkflowFailure)) return failure;
  const cause = failure.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== QUERY_FAILED) return failure;
  const details = readQueryFailedDetails(cause.details);
  return details ? new McpQueryFailed(workflowId, details, failure) : failure;
}
