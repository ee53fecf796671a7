/**
 * The inbox's decisions, sent to the runs as the CLI sends them (McpflowClient's `approve` /
 * `deny` updates, `answerInput`), each carrying `approver` (who is signed in) and, for an
 * approval, the `call_hash` of the call the person saw, so the run's validator can refuse a
 * decision about a call that is no longer the one shown. One request carries one item or a
 * filtered group ("approve all shown"); every item is answered or refused on its own.
 */
import { z } from 'zod';
import { answerInput } from '../client/answers';
import type { McpflowClient } from '../client/client';
import { ElicitContentSchema } from '../core/mcp-input';

export const MAX_BULK_ITEMS = 500;
const CONCURRENCY = 16;

export const DecisionRequestSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(2000).optional(),
  items: z
    .array(z.strictObject({ workflow_id: z.string().min(1), id: z.string().min(1), call_hash: z.string().min(1).max(200).nullish() }))
    .min(1)
    .max(MAX_BULK_ITEMS),
});
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

export const AnswerRequestSchema = z.strictObject({
  workflow_id: z.string().min(1),
  request_id: z.string().min(1),
  action: z.enum(['accept', 'decline', 'cancel']),
  content: ElicitContentSchema.optional(),
});
export type AnswerRequest = z.infer<typeof AnswerRequestSchema>;

export interface ItemOutcome {
  workflow_id: string;
  id: string;
  ok: boolean;
  error?: string;
}

/** Why an item was not answered: the run's validator (answered meanwhile, a changed call, a wrong answer) or the client (no worker, run ended), clipped. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 500) : 'failed';
}

export async function decide(client: McpflowClient, request: DecisionRequest, approver: string): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  for (let i = 0; i < request.items.length; i += CONCURRENCY) {
    const slice = request.items.slice(i, i + CONCURRENCY);
    outcomes.push(
      ...(await Promise.all(
        slice.map(async (item): Promise<ItemOutcome> => {
          const answer = {
            approval_request_id: item.id,
            approver,
            ...(request.reason ? { reason: request.reason } : {}),
            ...(item.call_hash ? { call_hash: item.call_hash } : {}),
          };
          try {
            await (request.decision === 'approve' ? client.approve(item.workflow_id, answer) : client.deny(item.workflow_id, answer));
            return { workflow_id: item.workflow_id, id: item.id, ok: true };
          } catch (error) {
            return { workflow_id: item.workflow_id, id: item.id, ok: false, error: errorText(error) };
          }
        }),
      )),
    );
  }
  return outcomes;
}

/** An elicitation answer; a wrong one (checked against the requested schema) is refused with the fields named. */
export async function answer(client: McpflowClient, request: AnswerRequest, approver: string): Promise<ItemOutcome> {
  try {
    await answerInput(client, request.workflow_id, {
      request_id: request.request_id,
      action: request.action,
      ...(request.content ? { content: request.content } : {}),
      approver,
    });
    return { workflow_id: request.workflow_id, id: request.request_id, ok: true };
  } catch (error) {
    return { workflow_id: request.workflow_id, id: request.request_id, ok: false, error: errorText(error) };
  }
}
