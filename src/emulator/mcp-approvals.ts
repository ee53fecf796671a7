import type { McpToolConfig } from '../core/schemas';
import type { ConversationView } from './context';
import { invalidRequest } from './errors';
import { callMcpTool, type McpCallContext } from './mcp-calls';
import type { ToolOutcome } from './planner-answer';
import type { ApprovalAnswer } from './prepared-turn';

/**
 * The client's new `mcp_approval_response` items, each matched to the approval request it
 * answers. The server must be in `tools` again: the call needs its URL and credentials, which the
 * conversation does not keep.
 */
export function readApprovals(state: ConversationView, mcpTools: Map<string, McpToolConfig>): ApprovalAnswer[] {
  return state.answers.flatMap(({ item: answer, inputIndex }) => {
    if (answer.type !== 'mcp_approval_response') return [];
    const id = String(answer['approval_request_id']);
    const index = inputIndex ?? 0;
    const pending = state.pendingApprovals[id];
    if (!pending) {
      throw invalidRequest(
        `No approval request found with id '${id}' for 'input[${index}].approval_request_id'.`,
        `input[${index}].approval_request_id`,
        'invalid_value',
      );
    }
    if (!mcpTools.has(pending.server)) {
      throw invalidRequest(`The MCP server '${pending.server}' of approval request '${id}' must be sent again in 'tools'.`, 'tools', 'invalid_value');
    }
    return [{ approvalRequestId: id, approve: answer['approve'] === true, reason: typeof answer['reason'] === 'string' ? answer['reason'] : null, pending }];
  });
}

/** Runs the approved calls, one after another in input order; a denial is an outcome with its reason. */
export async function answerApprovals(context: McpCallContext, answers: readonly ApprovalAnswer[]): Promise<ToolOutcome[]> {
  const outcomes: ToolOutcome[] = [];
  for (const answer of answers) {
    if (answer.approve) {
      outcomes.push(await callMcpTool(context, answer.pending, answer.approvalRequestId));
    } else {
      outcomes.push({ kind: 'mcp', server: answer.pending.server, tool: answer.pending.tool, status: 'denied', reason: answer.reason });
    }
  }
  return outcomes;
}
