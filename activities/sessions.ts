/**
 * Activities that talk to other workflows through the Temporal client: a scheduled refresh asks
 * a session to refresh its catalog (an update), so that the session computes the diff against
 * the catalog it holds and the schedule's run returns that diff.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { refreshToolsUpdate, type RefreshSessionInput, type SessionRefreshResult } from '../workflows/messages';

export function createSessionActivities(deps: { temporalClient?: Client }) {
  async function refreshSessionTools(input: RefreshSessionInput): Promise<SessionRefreshResult> {
    if (!deps.temporalClient) {
      throw ApplicationFailure.create({ type: 'unknown', nonRetryable: true, message: 'this worker was started without a Temporal client for session activities' });
    }
    const info = Context.current().info;
    try {
      return await deps.temporalClient.workflow.getHandle(input.session_id).executeUpdate(refreshToolsUpdate, {
        args: [{ force_refresh: input.force_refresh ?? true }],
        // One update per scheduled run, however often this activity is retried.
        updateId: `${info.workflowExecution?.workflowId ?? 'standalone'}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`,
      });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        // The session refused (a validator) or the refresh itself failed: asking again changes nothing.
        throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `session ${input.session_id} refused the refresh: ${(error.cause as Error | undefined)?.message ?? error.message}` });
      }
      if (error instanceof WorkflowNotFoundError) {
        throw ApplicationFailure.create({
          type: 'invalid_arguments',
          nonRetryable: true,
          message: `session ${input.session_id} is not running: start it (mcpflow session start) or fix the schedule`,
        });
      }
      throw error;
    }
  }
  return { refreshSessionTools };
}
