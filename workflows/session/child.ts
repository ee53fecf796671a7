/** A session's query runs as a runQuery child: its input from the session's settings and cache, its result even when it fails. */
import { ApplicationFailure, ChildWorkflowFailure, executeChild, ParentClosePolicy, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import { workflowInfo } from '@temporalio/workflow';
import { failedQueryResult } from '../../src/core/line-outcome';
import { setModelOptions, sharedCacheKey } from '../../src/core/model-options';
import { CHILD_INPUT_BUDGET_BYTES, jsonBytes } from '../../src/core/payload-size';
import type { QueryResult } from '../../src/core/records';
import type { ExecuteQueryArgs, QueryInput, SessionInputSchema } from '../messages';
import { runQuery } from '../query';
import type { SessionTools } from './tools';
import type { z } from 'zod';
import { mcpflowFailure } from '../../src/core/failures';

export type ParsedSessionInput = z.infer<typeof SessionInputSchema>;

/**
 * The child's input within CHILD_INPUT_BUDGET_BYTES: the stale fallback answer goes first (it
 * repeats the query and the answer); an input still too big is refused, never sent (Temporal
 * would terminate the session for a start-child input over 2 MiB).
 */
export function childInput(args: ExecuteQueryArgs, session: ParsedSessionInput, tools: SessionTools, fallback: QueryResult | undefined): QueryInput {
  const input = fullChildInput(args, session, tools, fallback);
  if (jsonBytes(input) <= CHILD_INPUT_BUDGET_BYTES) return input;
  const lean = { ...input, fallback_result: undefined };
  const bytes = jsonBytes(lean);
  if (bytes <= CHILD_INPUT_BUDGET_BYTES) return lean;
  throw mcpflowFailure(
    'invalid_arguments',
    `the query with the session's catalog is ${bytes} bytes as a workflow input, at most ${CHILD_INPUT_BUDGET_BYTES}: shorten the query or remove servers with large catalogs`,
    { retryable: false },
  );
}

function fullChildInput(args: ExecuteQueryArgs, session: ParsedSessionInput, tools: SessionTools, fallback: QueryResult | undefined): QueryInput {
  const { force_refresh: _force, query_id: _id, ...queryOptions } = args;
  return {
    ...(session.background ? { background: session.background } : {}),
    ...queryOptions,
    servers: tools.listedServers(),
    mode: session.mode,
    model: session.model,
    ...(session.price ? { price: session.price } : {}),
    retry: session.retry,
    call_timeout_ms: session.call_timeout_ms,
    search_attributes: session.search_attributes,
    cache_ttl_ms: session.cache_ttl_ms,
    // The session's queries share one prompt cache key unless the session names its own.
    ...setModelOptions({ ...session, prompt_cache_key: session.prompt_cache_key ?? sharedCacheKey('session', workflowInfo().workflowId) }),
    catalog: tools.catalog,
    standing_approvals: tools.standingApprovals,
    fallback_result: fallback,
  };
}

/** Runs recorded before 'session-query-returns-at-once': the executeQuery update waited for the child's end. */
export async function runChildQuery(
  workflowId: string,
  args: ExecuteQueryArgs,
  session: ParsedSessionInput,
  tools: SessionTools,
  fallback: QueryResult | undefined,
): Promise<QueryResult> {
  try {
    return await executeChild(runQuery, { workflowId, args: [childInput(args, session, tools, fallback)] });
  } catch (failure) {
    if (!(failure instanceof ChildWorkflowFailure)) throw failure;
    return failedResult(args.query, failure);
  }
}

/**
 * Starts the child and returns once it runs. ABANDON: the child outlives the run that started it
 * (continue-as-new, even a terminated session), so a query waiting days for approval never holds
 * the session back; its end reaches the session by its queryState signal.
 */
export function startChildQuery(
  workflowId: string,
  args: ExecuteQueryArgs,
  session: ParsedSessionInput,
  tools: SessionTools,
  fallback: QueryResult | undefined,
): Promise<ChildWorkflowHandle<typeof runQuery>> {
  return startChild(runQuery, { workflowId, args: [childInput(args, session, tools, fallback)], parentClosePolicy: ParentClosePolicy.ABANDON });
}

/** The child's result, or its partial result when it failed. */
export async function childResult(handle: ChildWorkflowHandle<typeof runQuery>, query: string): Promise<QueryResult> {
  try {
    return await handle.result();
  } catch (failure) {
    if (!(failure instanceof ChildWorkflowFailure)) return unknownFailure(query, failure instanceof Error ? failure.message : String(failure));
    return failedResult(query, failure);
  }
}

/** A failed child carries its partial result in the QueryFailed details (see workflows/query/outcome.ts). */
function failedResult(query: string, failure: ChildWorkflowFailure): QueryResult {
  const cause = failure.cause;
  const partial = failedQueryResult(cause);
  if (partial) return partial;
  return {
    ...unknownFailure(query, cause?.message ?? failure.message),
    error_type: cause instanceof ApplicationFailure && cause.type === 'invalid_arguments' ? 'invalid_arguments' : 'unknown',
  };
}

export function unknownFailure(query: string, error: string): QueryResult {
  return {
    query,
    success: false,
    text_response: '',
    tool_calls: [],
    duration_ms: 0,
    retries: 0,
    error,
    error_type: 'unknown',
    stale: false,
    response_id: null,
  };
}
