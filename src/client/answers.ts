/**
 * Answering an MCP server's question (elicitation) in a direct-mode query: the `answer` update.
 * Its validator checks the answer against the schema the server asked for, so a wrong answer is
 * refused at once (UpdateRejectedError naming the fields) and leaves no trace in history.
 */
import { WorkflowUpdateStage } from '@temporalio/client';
import { InputAnswerSchema, type InputAnswer, type InputAnswerOutcome } from '../core/mcp-input';
import { answerUpdate } from '../../workflows/messages';
import type { McpflowClient } from './client';

export function answerInput(client: McpflowClient, workflowId: string, answer: InputAnswer): Promise<InputAnswerOutcome> {
  const checked = InputAnswerSchema.parse(answer);
  return client.update(workflowId, () => client.handle(workflowId).startUpdate(answerUpdate, { args: [checked], waitForStage: WorkflowUpdateStage.ACCEPTED }));
}
