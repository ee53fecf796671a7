/** A session's query runs as a runQuery child: its input from the session's settings and cache, its result even when it fails. */
import { ApplicationFailure, ChildWorkflowFailure, executeChild } from '@temporalio/workflow';
import { QUERY_FAILED, readQueryFailedDetails } from '../../src/core/failures';
import type { QueryResult } from '../../src/core/records';
import type { ExecuteQueryArgs, SessionInputSchema } from '../messages';
import { runQuery } from '../query';
import type { SessionTools } from './tools';
import type { z } from 'zod';

export type ParsedSessionInput = z.infer<typeof SessionInputSchema>;

export async function runChildQuery(
  workflowId: string,
  args: ExecuteQueryArgs,
  session: ParsedSessionInput,
  tools: SessionTools,
  fallback: QueryResult | undefined,
): Promise<QueryResult> {
  const { force_refresh: _force, query_id: _id, ...queryOptions } = args;
  try {
    return await executeChild(runQuery, {
      workflowId,
      args: [
        {
          ...queryOptions,
          servers: tools.listedServers(),
          mode: session.mode,
          model: session.model,
          retry: session.retry,
          call_timeout_ms: session.call_timeout_ms,
          search_attributes: session.search_attributes,
          cache_ttl_ms: session.cache_ttl_ms,
          catalog: tools.catalog,
          standing_approvals: tools.standingApprovals,
          fallback_result: fallback,
        },
      ],
    });
  } catch (failure) {
    if (!(failure instanceof ChildWorkflowFailure)) throw failure;
    return failedResult(args.query, failure);
  }
}

/** A failed child carries its partial result in the QueryFailed details (see workflows/query/outcome.ts). */
function failedResult(query: string, failure: ChildWorkflowFailure): QueryResult {
  const cause = failure.cause;
  const partial = cause instanceof ApplicationFailure && cause.type === QUERY_FAILED ? readQueryFailedDetails(cause.details)?.result : undefined;
  if (partial) return partial;
  return {
    query,
    success: false,
    text_response: '',
    tool_calls: [],
    duration_ms: 0,
    retries: 0,
    error: cause?.message ?? failure.message,
    error_type: cause instanceof ApplicationFailure && cause.type === 'invalid_arguments' ? 'invalid_arguments' : 'unknown',
    stale: false,
    response_id: null,
  };
}
