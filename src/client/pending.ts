/**
 * Runs across the cluster, found with mcpflow's search attributes (visibility): pending
 * approvals and MCP servers' questions (McpState = 'waiting_approval', then each run's `progress`
 * for the requests themselves), and runs by state and server for `mcpflow list`.
 */
import { MCP_BATCH_ID, MCP_SERVERS, MCP_STATE } from '../core/search-attributes';
import type { PendingApproval } from '../../workflows/messages';
import type { PendingInput } from '../core/mcp-input';
import type { McpflowClient } from './client';
import { NotFoundError } from './errors';

export interface RunFilter {
  batch?: string;
  server?: string;
  /** McpState, or a Temporal execution status (running / failed / completed…) */
  state?: string;
}

export interface PendingApprovalRow {
  workflow_id: string;
  approval: PendingApproval;
}

/** A question an MCP server asked a direct-mode query (answered with `mcpflow answer`). */
export interface PendingInputRow {
  workflow_id: string;
  input: PendingInput;
}

/** A run the listing found but whose progress could not be read (undecodable, no worker, missing key…). */
export interface UnreadableRow {
  workflow_id: string;
  error: string;
}

export interface WaitingRows {
  approvals: PendingApprovalRow[];
  inputs: PendingInputRow[];
  /** Reported, never skipped silently: what waits there is unknown. */
  unreadable: UnreadableRow[];
  /** Each listed run's start time and parent (a session or batch), by workflow id: what the inbox shows. */
  runs: Record<string, { started_at: string; parent_id: string | null }>;
}

export interface RunRow {
  workflow_id: string;
  type: string;
  status: string;
  state: string | null;
  servers: string[];
  batch_id: string | null;
  start_time: string;
}

const PROGRESS_CONCURRENCY = 16;

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility query of a filter. */
export function runsQuery(filter: RunFilter & { waitingApproval?: boolean }): string {
  const parts = ["WorkflowType = 'runQuery'"];
  // A run started without mcpflow's search attributes (its client found none on the namespace,
  // or an older client) never sets McpState: it may wait too, so it is asked as well.
  if (filter.waitingApproval)
    parts.push(`(${MCP_STATE.name} IN ('waiting_approval', 'waiting_input') OR ${MCP_STATE.name} IS NULL)`, "ExecutionStatus = 'Running'");
  if (filter.batch) parts.push(`${MCP_BATCH_ID.name} = ${quote(filter.batch)}`);
  if (filter.server) parts.push(`${MCP_SERVERS.name} = ${quote(filter.server)}`);
  if (filter.state) {
    // Temporal's own status says how a run ended; McpState says what a running one does.
    const closed: Record<string, string> = { completed: 'Completed', failed: 'Failed', cancelled: 'Canceled', terminated: 'Terminated', timed_out: 'TimedOut' };
    if (closed[filter.state]) parts.push(`ExecutionStatus = '${closed[filter.state]}'`);
    else if (filter.state === 'running') parts.push("ExecutionStatus = 'Running'");
    else parts.push(`${MCP_STATE.name} = ${quote(filter.state)}`, "ExecutionStatus = 'Running'");
  }
  return parts.join(' AND ');
}

export async function listRuns(client: McpflowClient, filter: RunFilter, limit = 1_000): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for await (const run of client.temporal.workflow.list({ query: runsQuery(filter) })) {
    const attributes = run.typedSearchAttributes;
    rows.push({
      workflow_id: run.workflowId,
      type: run.type,
      status: run.status.name,
      state: attributes.get(MCP_STATE) ?? null,
      servers: attributes.get(MCP_SERVERS) ?? [],
      batch_id: attributes.get(MCP_BATCH_ID) ?? null,
      start_time: run.startTime.toISOString(),
    });
    if (rows.length >= limit) break;
  }
  return rows;
}

/** Every pending approval of the runs the filter finds, narrowed to a tool when given. */
export async function listPendingApprovals(client: McpflowClient, filter: { batch?: string; server?: string; tool?: string }): Promise<PendingApprovalRow[]> {
  return (await listWaiting(client, filter)).approvals;
}

/** What the runs the filter finds wait for: approvals (McpState 'waiting_approval') and servers' questions ('waiting_input'; 'waiting_approval' in runs from before). */
export async function listWaiting(client: McpflowClient, filter: { batch?: string; server?: string; tool?: string }): Promise<WaitingRows> {
  const ids: string[] = [];
  // Without the attributes on the namespace, every running runQuery is asked (the server filter still applies below).
  const query = (await client.searchAttributesAvailable())
    ? runsQuery({ ...filter, waitingApproval: true })
    : "WorkflowType = 'runQuery' AND ExecutionStatus = 'Running'";
  const rows: WaitingRows = { approvals: [], inputs: [], unreadable: [], runs: {} };
  for await (const run of client.temporal.workflow.list({ query })) {
    ids.push(run.workflowId);
    rows.runs[run.workflowId] = { started_at: run.startTime.toISOString(), parent_id: run.parentExecution?.workflowId ?? null };
  }
  const wanted = (request: { server: string; tool: string }) =>
    (!filter.tool || request.tool === filter.tool) && (!filter.server || request.server === filter.server);
  for (let i = 0; i < ids.length; i += PROGRESS_CONCURRENCY) {
    const progress = await Promise.all(
      ids.slice(i, i + PROGRESS_CONCURRENCY).map((id) =>
        client.progress(id).then(
          (p) => ({ id, approvals: p.pending_approvals, inputs: p.pending_input ?? [], error: undefined }),
          // Gone between the listing and the query: nothing to answer. Anything else is said.
          (error: unknown) => ({
            id,
            approvals: [] as PendingApproval[],
            inputs: [] as PendingInput[],
            error: error instanceof NotFoundError ? undefined : (error as Error).message,
          }),
        ),
      ),
    );
    for (const { id, approvals, inputs, error } of progress) {
      if (error !== undefined) rows.unreadable.push({ workflow_id: id, error });
      for (const approval of approvals.filter(wanted)) rows.approvals.push({ workflow_id: id, approval });
      for (const input of inputs.filter(wanted)) rows.inputs.push({ workflow_id: id, input });
    }
  }
  return rows;
}

export interface BulkAnswer {
  answered: PendingApprovalRow[];
  refused: Array<PendingApprovalRow & { error: string }>;
}

/** Approves or denies each row (one update per request, 16 at a time); refusals (answered meanwhile) are reported, not thrown. */
export async function answerAll(client: McpflowClient, rows: PendingApprovalRow[], approve: boolean, reason?: string, approver?: string): Promise<BulkAnswer> {
  const result: BulkAnswer = { answered: [], refused: [] };
  for (let i = 0; i < rows.length; i += PROGRESS_CONCURRENCY) {
    await Promise.all(
      rows.slice(i, i + PROGRESS_CONCURRENCY).map(async (row) => {
        // Bound to the call as listed: a call that changed since is refused, not answered blindly.
        const answer = {
          approval_request_id: row.approval.id,
          ...(reason ? { reason } : {}),
          ...(approver ? { approver } : {}),
          ...(row.approval.call_hash ? { call_hash: row.approval.call_hash } : {}),
        };
        try {
          await (approve ? client.approve(row.workflow_id, answer) : client.deny(row.workflow_id, answer));
          result.answered.push(row);
        } catch (error) {
          result.refused.push({ ...row, error: (error as Error).message });
        }
      }),
    );
  }
  return result;
}
