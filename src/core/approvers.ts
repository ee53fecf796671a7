/**
 * Who may decide a call waiting for a person, and what a decision records. A server's
 * `approvers` is a list (every tool of the server) or an object by tool name, with "*" for the
 * tools it does not name. The policy travels in the workflow input with the server's other rules,
 * and the update validators (workflows/query/approvals.ts, elicitation.ts) refuse a decision from
 * anyone else. The approver is a claim the caller makes: README "Who approved" says how far it
 * can be trusted.
 */
import { z } from 'zod';

const ApproverNameSchema = z.string().min(1).max(200);

export const ApproversSchema = z.union([
  z.array(ApproverNameSchema).min(1, 'name at least one approver, or leave "approvers" out'),
  z.record(z.string().min(1), z.array(ApproverNameSchema).min(1, 'name at least one approver for each tool')),
]);
export type Approvers = z.infer<typeof ApproversSchema>;

/** The people who may decide calls of `tool`, or undefined: anyone may. */
export function approversFor(server: { approvers?: Approvers | undefined }, tool: string): readonly string[] | undefined {
  const policy = server.approvers;
  if (!policy) return undefined;
  if (Array.isArray(policy)) return policy;
  return policy[tool] ?? policy['*'];
}

/** Why `approver` may not decide a call of `server` · `tool`, or undefined when the policy lets them. */
export function approverProblem(server: { label: string; approvers?: Approvers | undefined }, tool: string, approver: string | undefined): string | undefined {
  const allowed = approversFor(server, tool);
  if (!allowed || (approver !== undefined && allowed.includes(approver))) return undefined;
  const who = approver === undefined ? 'the decision names no approver' : `"${approver}" is not one of them`;
  return `${server.label} · ${tool} may be decided only by ${allowed.join(', ')} (the server's "approvers" policy): ${who}`;
}

/** How a call's approval was decided: by a person (an update), a standing approval, or the approval timeout. */
export const DecidedBySchema = z.enum(['person', 'standing_approval', 'timeout']);

/** The decision on a call that needed approval, kept on its call record (absent when none was asked, and in older runs). */
export const ApprovalDecisionSchema = z.object({
  approve: z.boolean(),
  decided_by: DecidedBySchema,
  /** Who decided: the approver the decision named, else the client's identity (absent when the update named none). */
  approver: z.string().optional(),
  reason: z.string().optional(),
  decided_at: z.string(),
  /** The call_hash the person's decision echoed, when it did. */
  call_hash: z.string().optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** An answer to an MCP server's question, kept on the call's record. */
export const InputAnswerRecordSchema = z.object({
  request_id: z.string(),
  action: z.enum(['accept', 'decline', 'cancel']),
  /** Absent when the update named none, or the approval timeout cancelled the question. */
  approver: z.string().optional(),
  answered_at: z.string(),
});
export type InputAnswerRecord = z.infer<typeof InputAnswerRecordSchema>;
