/**
 * A person's answers, from the `decide_approval` / `answer_question` tools or from a task's
 * `tasks/update`: approvals become the run's `approve` / `deny` updates and questions its `answer`
 * update, each recorded with the MCP client's identity as `approver`. An approval's `call_hash`
 * (what the person was shown) is echoed, so a decision about a call that changed is refused.
 */
import { z } from 'zod';
import type { McpflowClient } from '../client/client';
import { answerInput } from '../client/answers';
import { UpdateRejectedError } from '../client/errors';
import { ElicitContentSchema, ElicitResultSchema, type InputAnswerOutcome } from '../core/mcp-input';
import type { ApprovalOutcome } from '../../workflows/messages';
import { parseInputKey } from './task-view';

export const DecideArgsSchema = z.strictObject({
  workflow_id: z.string().min(1).max(300).describe('The run that waits (from ask, status or list_pending_approvals)'),
  approval_request_id: z.string().min(1).max(300).describe('The approval to decide (list_pending_approvals shows them)'),
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(2_000).optional(),
  call_hash: z.string().min(1).max(200).optional().describe('The call_hash shown with the approval; refused if the call changed since'),
});
export type DecideArgs = z.infer<typeof DecideArgsSchema>;

export const AnswerArgsSchema = z.strictObject({
  workflow_id: z.string().min(1).max(300).describe('The run that waits'),
  request_id: z.string().min(1).max(300).optional().describe('The question (input-N); absent = the only one pending'),
  action: z.enum(['accept', 'decline', 'cancel']),
  content: ElicitContentSchema.optional().describe('For accept: the fields the server asked for'),
});
export type AnswerArgs = z.infer<typeof AnswerArgsSchema>;

export async function decideApproval(client: McpflowClient, args: DecideArgs, approver: string): Promise<ApprovalOutcome> {
  let callHash = args.call_hash;
  if (callHash === undefined) {
    const progress = await client.progress(args.workflow_id);
    const pending = progress.pending_approvals.find((approval) => approval.id === args.approval_request_id);
    if (!pending) {
      const open = progress.pending_approvals.map((approval) => approval.id);
      throw new UpdateRejectedError(
        `approval_request_id: ${args.workflow_id} has no pending approval ${args.approval_request_id}${open.length ? ` (pending: ${open.join(', ')})` : ' (nothing pending)'}`,
      );
    }
    callHash = pending.call_hash;
  }
  const answer = {
    approval_request_id: args.approval_request_id,
    approver,
    ...(args.reason ? { reason: args.reason } : {}),
    ...(callHash ? { call_hash: callHash } : {}),
  };
  return args.decision === 'approve' ? client.approve(args.workflow_id, answer) : client.deny(args.workflow_id, answer);
}

export function answerQuestion(client: McpflowClient, args: AnswerArgs, approver: string): Promise<InputAnswerOutcome> {
  return answerInput(client, args.workflow_id, {
    action: args.action,
    approver,
    ...(args.request_id ? { request_id: args.request_id } : {}),
    ...(args.content ? { content: args.content } : {}),
  });
}

const ApprovalFormSchema = z.object({ decision: z.enum(['approve', 'deny']), reason: z.string().max(2_000).optional() });

/**
 * A task's `inputResponses`: every answer for a request still open; answers for anything else (not
 * our key, answered already: a client sending again) are ignored, as the extension says. An answer
 * that does not fit throws, naming the key.
 */
export async function applyInputResponses(client: McpflowClient, workflowId: string, responses: Record<string, unknown>, approver: string): Promise<number> {
  const progress = await client.progress(workflowId);
  const open = new Set([
    ...progress.pending_approvals.map((approval) => `approval:${approval.id}`),
    ...(progress.pending_input ?? []).map((input) => `input:${input.id}`),
  ]);
  let applied = 0;
  for (const [key, raw] of Object.entries(responses)) {
    const target = parseInputKey(key);
    if (!target || !open.has(`${target.kind}:${target.id}`)) continue;
    const response = ElicitResultSchema.safeParse(raw);
    if (!response.success) throw new UpdateRejectedError(`inputResponses.${key}: not an elicitation result (action accept|decline|cancel, content)`);
    const { action, content } = response.data;
    if (target.kind === 'input') {
      await answerQuestion(client, { workflow_id: workflowId, request_id: target.id, action, ...(content ? { content } : {}) }, approver);
    } else if (action !== 'cancel') {
      // Decline is a no; cancel leaves the approval open, to be asked again.
      const form = action === 'accept' ? ApprovalFormSchema.safeParse(content ?? {}) : undefined;
      if (form && !form.success)
        throw new UpdateRejectedError(`inputResponses.${key}.content: give "decision": "approve" or "deny" (and an optional "reason")`);
      const decision = form?.success ? form.data.decision : 'deny';
      const reason = form?.success ? form.data.reason : 'declined in the MCP client';
      await decideApproval(
        client,
        {
          workflow_id: workflowId,
          approval_request_id: target.id,
          decision,
          ...(reason ? { reason } : {}),
          ...(target.call_hash ? { call_hash: target.call_hash } : {}),
        },
        approver,
      );
    }
    applied += 1;
  }
  return applied;
}
