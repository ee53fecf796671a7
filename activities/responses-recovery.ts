/**
 * A hosted turn cut off after it was sent (its worker died, its stream broke) may already have
 * run its tools at the API. Sending it again runs them again, so the next attempt first reads
 * what the cut-off attempt left in its heartbeat details (Temporal hands them to the next attempt):
 *
 * for a turn that answers an approval request with "approve" (a side effect a person approved,
 * not yet run in the conversation):
 * - a stored response (its id learned from `response.created`) is retrieved
 *   (`GET /v1/responses/{id}`) and polled until it ends, instead of sending the turn again. Such
 *   turns, when stored and streamed, run in background mode (./request.ts): the API finishes a
 *   response after its client went away only then;
 * - with nothing to retrieve (`store: false`, or the response failed or is gone) the turn is never
 *   sent again. The attempt fails, non-retryable, with `outcome_unknown` in its details; the
 *   workflow records the approved calls as failed with an unknown outcome and tells the user
 *   (workflows/query/hosted.ts).
 * The same holds within one attempt whose stream broke after the API took the turn; a failure the
 * API reports itself (an `error` event, `response.failed`) before any MCP call of the turn started
 * is retried as before.
 *
 * Turns without an approved call (tools with `require_approval: "never"`, read-only by the user's
 * choice) are sent again as before: their tools may run twice.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import { z } from 'zod';
import { activityFailureDetails, mcpflowFailure } from '../src/core/failures';
import type { MCPErrorType } from '../src/core/errors';
import type { InputItem } from '../src/core/schemas';
import { hideSecrets, type FailureContext } from './errors';

/** What an attempt of a Responses call tells the next one, in its heartbeat details. */
export const SentCallSchema = z.object({
  /** The request left this worker: from here on the API may be running the turn's tools. */
  sent: z.boolean(),
  /** From `response.created` (streamed calls only). */
  response_id: z.string().nullable(),
  /** `store` was not false: the response can be retrieved by its id. */
  stored: z.boolean(),
});
export type SentCall = z.infer<typeof SentCallSchema>;

const DetailsSchema = z.looseObject({ mcpflow_sent_call: SentCallSchema });

/** Between two retrievals of a response still in progress. */
const POLL_INTERVAL_MS = 500;

/** The call an earlier attempt of this activity sent, if one did. */
export function earlierSentCall(context: Context): SentCall | undefined {
  if (context.info.attempt <= 1) return undefined;
  const parsed = DetailsSchema.safeParse(context.info.heartbeatDetails);
  return parsed.success && parsed.data.mcpflow_sent_call.sent ? parsed.data.mcpflow_sent_call : undefined;
}

/** The details every heartbeat of the call carries (what it is doing, and what was sent). */
export function sentCallDetails(current: Record<string, string>, sent: SentCall): Record<string, unknown> {
  return { ...current, mcpflow_sent_call: sent };
}

/**
 * Approval requests this turn approves whose call is not yet in the conversation: with
 * `conversation: "stateless"` the input carries every earlier item, and an approval already
 * acted on has its `mcp_call` (with the same `approval_request_id`) after it.
 */
export function approvedCallsAwaiting(input: string | InputItem[]): string[] {
  if (typeof input === 'string') return [];
  const ran = new Set(input.flatMap((item) => (item.type === 'mcp_call' && item.approval_request_id ? [item.approval_request_id] : [])));
  return input.flatMap((item) =>
    item.type === 'mcp_approval_response' && item.approve && !ran.has(item.approval_request_id) ? [item.approval_request_id] : [],
  );
}

/** The failure that stops a turn whose approved calls may or may not have run: never retried. */
export function outcomeUnknownFailure(why: string, approvals: readonly string[], failure: FailureContext): ApplicationFailure {
  const type: MCPErrorType = 'outcome_unknown';
  const message = `outcome unknown: ${why}; the approved call(s) (${approvals.join(', ')}) may or may not have run at the MCP server, so the turn was not sent again (it would run them again) — check the server before asking again`;
  return mcpflowFailure(type, hideSecrets(message, failure.secrets), {
    retryable: false,
    details: [{ ...activityFailureDetails(type, false, failure.attempt), outcome_unknown: true }],
  });
}

export type Retrieved = { kind: 'ended'; response: unknown } | { kind: 'lost'; why: string };

/**
 * Polls a stored response until it is no longer queued or in progress, heartbeating, until
 * `deadlineMs`. A response the API no longer has, or one still running at the deadline, is lost.
 */
export async function retrieveStored(client: OpenAI, responseId: string, context: Context, heartbeat: () => void, deadlineMs: number): Promise<Retrieved> {
  for (;;) {
    heartbeat();
    let response: { status?: string | null };
    try {
      response = await client.responses.retrieve(responseId, {}, { signal: context.cancellationSignal });
    } catch (error) {
      if (context.cancellationSignal.aborted) throw error;
      return { kind: 'lost', why: `response ${responseId} could not be retrieved (${error instanceof Error ? error.message : String(error)})` };
    }
    if (response.status !== 'queued' && response.status !== 'in_progress') return { kind: 'ended', response };
    if (Date.now() + POLL_INTERVAL_MS > deadlineMs)
      return { kind: 'lost', why: `response ${responseId} was still ${response.status} when this attempt ran out of time` };
    await context.sleep(POLL_INTERVAL_MS);
  }
}
