/** Asking a session a question the way a client does: executeQuery returns the child's id, the child's run gives the result. */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { QUERY_FAILED, readQueryFailedDetails } from '../../src/core/failures';
import type { QueryResult } from '../../src/core/records';
import { executeQueryUpdate, isQueryStarted, sessionProgressQuery, type ExecuteQueryArgs } from '../../workflows/messages';

/** Runs one query in the session and returns its result once the session has recorded it too. */
export async function askSession(client: Client, session: WorkflowHandle, args: ExecuteQueryArgs): Promise<QueryResult> {
  const outcome = await client.workflow.getHandle(session.workflowId).executeUpdate(executeQueryUpdate, { args: [args] });
  if (!isQueryStarted(outcome)) return outcome;
  const result = await childResult(client, outcome.workflow_id);
  await waitUntilRecorded(session, outcome.workflow_id);
  return result;
}

export async function childResult(client: Client, workflowId: string): Promise<QueryResult> {
  try {
    return (await client.workflow.getHandle(workflowId).result()) as QueryResult;
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    const partial = cause instanceof ApplicationFailure && cause.type === QUERY_FAILED ? readQueryFailedDetails(cause.details)?.result : undefined;
    if (partial) return partial;
    throw error;
  }
}

/** The session learns of a child's end a moment after the child ends. */
export async function waitUntilRecorded(session: WorkflowHandle, childWorkflowId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await session.query(sessionProgressQuery);
    if (!progress.active_queries.some((query) => query.workflow_id === childWorkflowId)) return;
    if (Date.now() > deadline) throw new Error(`session ${session.workflowId} did not record the end of ${childWorkflowId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
