/**
 * Answering an MCP server's question (elicitation) in a direct-mode query: the `answer` update.
 * Its validator checks the answer against the schema the server asked for, so a wrong answer is
 * refused at once (UpdateRejectedError naming the fields) and leaves no trace in history.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { InputAnswerSchema, type InputAnswer, type InputAnswerOutcome } from '../core/mcp-input';
import { answerUpdate } from '../../workflows/messages';
import type { McpflowClient } from './client';
import { UpdateRejectedError } from './errors';

export async function answerInput(client: McpflowClient, workflowId: string, answer: InputAnswer): Promise<InputAnswerOutcome> {
  const checked = InputAnswerSchema.parse(answer);
  // A hosted-mode run (or one older than this feature) has no `answer` handler: say so plainly.
  const progress = await client.progress(workflowId);
  if (progress.pending_input === undefined) {
    throw new UpdateRejectedError(`${workflowId} takes no answers: only direct-mode queries to MCP 2026-07-28 servers ask questions${progress.pending_approvals.length ? ` (it waits for approval: mcpflow approve ${workflowId})` : ''}`);
  }
  return client.update(workflowId, () => client.handle(workflowId).startUpdate(answerUpdate, { args: [checked], waitForStage: WorkflowUpdateStage.ACCEPTED }));
}
