/**
 * Activities that talk to other workflows through the Temporal client: a scheduled refresh asks
 * a session to refresh its catalog (an update), so that the session computes the diff against
 * the catalog it holds and the schedule's run returns that diff; a session reads the result of a
 * query it started in an earlier run (before continue-as-new).
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { failedQueryResult } from '../src/core/line-outcome';
import { clipToBytes, MAX_KEPT_BYTES } from '../src/core/payload-size';
import type { QueryResult } from '../src/core/records';
import type { ActiveQuery, RefreshSessionInput, RefreshToolsArgs, SessionRefreshResult } from '../workflows/messages';
import { mcpflowFailure } from '../src/core/failures';

/** workflows/messages.ts refreshToolsUpdate's name: activities take only types from workflows/ (eslint.config.mjs). */
const REFRESH_TOOLS_UPDATE = 'refreshTools';

/** workflows/session/index.ts gives a carried query's wait a 10 s heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 2_000;
/** workflows/refresh.ts gives the refresh a 15 s heartbeat timeout. */
const REFRESH_HEARTBEAT_EVERY_MS = 3_000;

/** Waits for `work`, heartbeating every `everyMs`, so that a worker lost meanwhile is noticed. */
async function heartbeatUntil<T>(context: Context, work: Promise<T>, everyMs: number): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  while (!done) {
    context.heartbeat();
    await Promise.race([settled.catch(() => undefined), context.sleep(everyMs)]);
  }
  return settled;
}

export function createSessionActivities(deps: { temporalClient?: Client }) {
  async function refreshSessionTools(input: RefreshSessionInput): Promise<SessionRefreshResult> {
    if (!deps.temporalClient) {
      throw mcpflowFailure('unknown', 'this worker was started without a Temporal client for session activities', { retryable: false });
    }
    const context = Context.current();
    const info = context.info;
    try {
      const refreshing = deps.temporalClient.workflow
        .getHandle(input.session_id)
        .executeUpdate<SessionRefreshResult, [RefreshToolsArgs]>(REFRESH_TOOLS_UPDATE, {
          args: [{ force_refresh: input.force_refresh ?? true }],
          // One update per scheduled run, however often this activity is retried.
          updateId: `${info.workflowExecution?.workflowId ?? 'standalone'}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`,
        });
      // Heartbeats while the session lists: a worker that died here is noticed within the
      // heartbeat timeout, and the retry attaches to the same update (same id).
      return await heartbeatUntil(context, refreshing, REFRESH_HEARTBEAT_EVERY_MS);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        // The session refused (a validator) or the refresh itself failed: asking again changes nothing.
        throw mcpflowFailure(
          'invalid_arguments',
          `session ${input.session_id} refused the refresh: ${(error.cause as Error | undefined)?.message ?? error.message}`,
          {
            retryable: false,
          },
        );
      }
      if (error instanceof WorkflowNotFoundError) {
        throw mcpflowFailure('invalid_arguments', `session ${input.session_id} is not running: start it (mcpflow session start) or fix the schedule`, {
          retryable: false,
        });
      }
      throw error;
    }
  }
  /**
   * Waits for the end of a query run a session started before it continued as new (the run is no
   * longer its child, and the signal a run sends as it ends may be lost with it), heartbeating so
   * that a lost worker is noticed. Outputs are cut to what a session keeps, so the result stays small.
   */
  async function awaitQueryResult(query: ActiveQuery): Promise<QueryResult> {
    if (!deps.temporalClient) {
      throw mcpflowFailure('unknown', 'this worker was started without a Temporal client for session activities', { retryable: false });
    }
    const context = Context.current();
    const ending = deps.temporalClient.workflow
      .getHandle(query.workflow_id)
      .result()
      .then(
        (result) => result as QueryResult,
        (error: unknown) => endedWithout(query, error),
      );
    const ended = await heartbeatUntil(context, ending, HEARTBEAT_EVERY_MS);
    const tool_calls = ended.tool_calls.map((call) => ({ ...call, output: call.output && clipToBytes(call.output, MAX_KEPT_BYTES) }));
    return { ...ended, tool_calls };
  }
  return { refreshSessionTools, awaitQueryResult };
}

/** A run that failed carries its partial result; one that was terminated, cancelled or lost does not. */
function endedWithout(query: ActiveQuery, error: unknown): QueryResult {
  const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
  const partial = failedQueryResult(cause);
  if (partial) return partial;
  if (error instanceof Error && !(error instanceof WorkflowFailedError) && !(error instanceof WorkflowNotFoundError)) throw error;
  return {
    query: query.query,
    success: false,
    text_response: '',
    tool_calls: [],
    duration_ms: 0,
    retries: 0,
    error: `query run ${query.workflow_id} ended without a result: ${cause?.message ?? (error as Error).message}`,
    error_type: 'unknown',
    stale: false,
    response_id: null,
  };
}
