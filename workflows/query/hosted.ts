/**
 * Hosted mode: OpenAI calls the MCP servers inside a Responses call. What the workflow does
 * with a turn: keep its listings, calls and approval requests, and answer the requests.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ResponsesCallResult } from '../../activities/responses';
import { readActivityFailureDetails } from '../../src/core/failures';
import { catalogFromListing, pendingFromApprovalRequest, recordFromMcpCall } from '../../src/core/parser';
import type { InputItem } from '../../src/core/schemas';
import { describeFailure } from '../failures';
import type { Approvals } from './approvals';
import type { QueryRunState } from './run-state';

/** Takes listings, calls and approval requests out of one model turn. */
export function absorbOutput(run: QueryRunState, approvals: Approvals, response: ResponsesCallResult) {
  for (const item of response.output) {
    if (item.type === 'mcp_list_tools' && !item.error) {
      // A listing inside a query is as fresh as a discovery, and costs nothing extra.
      const entry = catalogFromListing(item, new Date().toISOString());
      run.catalog = { servers: { ...run.catalog.servers, [item.server_label]: entry } };
      run.emit('discovery', `${item.server_label}: ${entry.tools.length} tools`);
    } else if (item.type === 'mcp_call') {
      const { record, error } = recordFromMcpCall(item, response.call_times[item.id]);
      // Who approved it, when it needed approval.
      run.addCall({ ...record, ...approvals.recordOf(record.approval_request_id) }, error);
    } else if (item.type === 'mcp_approval_request') {
      approvals.request(pendingFromApprovalRequest(item, new Date().toISOString()));
    }
  }
}

/** The input of the next turn: the answers to this turn's approval requests; null when the turn was the answer. */
export async function answerApprovalRequests(approvals: Approvals, response: ResponsesCallResult): Promise<InputItem[] | null> {
  const ids = response.output.filter((item) => item.type === 'mcp_approval_request').map((item) => item.id);
  if (!ids.length) return null;
  await approvals.settle(ids);
  return ids.map((id) => approvals.responseItem(id));
}

/**
 * A turn with approved calls that was cut off after the API took it is not sent again
 * (activities/responses-recovery.ts): each approved call of it is recorded as failed, its
 * outcome unknown (it may have run), as direct mode records a side effect cut off by a kill.
 * Runs recorded before this never failed that way: replay is unchanged.
 */
export function recordUnknownOutcomes(run: QueryRunState, asked: ResponsesCallResult | null, input: string | InputItem[], failure: unknown): void {
  if (
    !(failure instanceof ActivityFailure) ||
    !(failure.cause instanceof ApplicationFailure) ||
    readActivityFailureDetails(failure.cause.details)?.outcome_unknown !== true
  )
    return;
  const { error } = describeFailure(failure);
  const approved =
    typeof input === 'string' ? [] : input.flatMap((item) => (item.type === 'mcp_approval_response' && item.approve ? [item.approval_request_id] : []));
  for (const id of approved) {
    const item = asked?.output.find((each) => each.type === 'mcp_approval_request' && each.id === id);
    if (item?.type !== 'mcp_approval_request') continue;
    const request = pendingFromApprovalRequest(item, '');
    const message = `${request.server} · ${request.tool}: ${error.message}`;
    // The run's own failure counts the error once; the record says which call it concerns.
    run.addCall(
      {
        id,
        tool: request.tool,
        server: request.server,
        arguments: request.arguments,
        status: 'failed',
        output: null,
        error_type: error.type,
        error_message: message,
        approval_request_id: id,
        started_at: null,
        completed_at: new Date().toISOString(),
        duration_ms: null,
      },
      null,
    );
  }
}
