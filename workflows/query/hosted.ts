/**
 * Hosted mode: OpenAI calls the MCP servers inside a Responses call. What the workflow does
 * with a turn: keep its listings, calls and approval requests, and answer the requests.
 */
import type { ResponsesCallResult } from '../../activities/responses';
import { catalogFromListing, pendingFromApprovalRequest, recordFromMcpCall } from '../../src/core/parser';
import type { InputItem } from '../../src/core/schemas';
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
      run.addCall(record, error);
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
