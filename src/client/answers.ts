/**
 * Answering an MCP server's question (elicitation) in a direct-mode query: the `answer` update.
 * Its validator checks the answer against the schema the server asked for, so a wrong answer is
 * refused at once (UpdateRejectedError naming the fields) and leaves no trace in history.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { answerProblems, InputAnswerSchema, type InputAnswer, type InputAnswerOutcome } from '../core/mcp-input';
import { answerUpdate, approveUpdate, denyUpdate, type ApprovalAnswer, type ApprovalOutcome } from '../../workflows/messages';
import type { McpflowClient } from './client';
import { UpdateRejectedError } from './errors';

/** An answer that does not fit the question, found before sending it (the workflow's validator would refuse it too). */
export class InvalidAnswerError extends UpdateRejectedError {}

/** The answer with its approver: the one given, else the client's identity (a claim: README "Who approved"). */
export function withApprover<T extends { approver?: string | undefined }>(answer: T, identity: string): T {
  return answer.approver ? answer : { ...answer, approver: identity };
}

/** Who a client decides as when an answer names no approver: its Temporal client's identity (MCPFLOW_IDENTITY, else user@host: ./connect.ts). */
export function clientIdentityOf(client: McpflowClient): string {
  return client.temporal.options.identity;
}

/** The `approve` / `deny` update, with the approver filled in. */
export function decideApproval(client: McpflowClient, approve: boolean, workflowId: string, answer: ApprovalAnswer): Promise<ApprovalOutcome> {
  const args: [ApprovalAnswer] = [withApprover(answer, clientIdentityOf(client))];
  const update = approve ? approveUpdate : denyUpdate;
  return client.update(workflowId, () => client.handle(workflowId).startUpdate(update, { args, waitForStage: WorkflowUpdateStage.ACCEPTED }));
}

export async function answerInput(client: McpflowClient, workflowId: string, answer: InputAnswer): Promise<InputAnswerOutcome> {
  const checked = withApprover(InputAnswerSchema.parse(answer), clientIdentityOf(client));
  // A hosted-mode run (or one older than this feature) has no `answer` handler: say so plainly.
  const progress = await client.progress(workflowId);
  if (progress.pending_input === undefined) {
    throw new UpdateRejectedError(
      `${workflowId} takes no answers: only direct-mode queries to MCP 2026-07-28 servers ask questions${progress.pending_approvals.length ? ` (it waits for approval: mcpflow approve ${workflowId})` : ''}`,
    );
  }
  // Checked here first, with the same rules as the update's validator, to tell bad input apart.
  const open = progress.pending_input;
  const question = checked.request_id === undefined ? (open.length === 1 ? open[0] : undefined) : open.find((each) => each.id === checked.request_id);
  if (question) {
    const problems = answerProblems(question, checked);
    if (problems.length) throw new InvalidAnswerError(`the answer to ${question.id} does not match what ${question.server} asked for: ${problems.join('; ')}`);
  }
  return client.update(workflowId, () => client.handle(workflowId).startUpdate(answerUpdate, { args: [checked], waitForStage: WorkflowUpdateStage.ACCEPTED }));
}
