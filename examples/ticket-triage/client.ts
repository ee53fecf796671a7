/**
 * Starts a triage and answers its approvals: the user's workflow through Temporal's client, the
 * approvals of its mcpflow children through McpflowClient (`mcpflow/client`), as
 * `mcpflow approvals list` / `approve` would.
 *
 * Run (with worker.ts running): npx tsx examples/ticket-triage/client.ts
 */
import { Connection, Client } from '@temporalio/client';
// In your project: from 'mcpflow/client' (listPendingApprovals is what `mcpflow approvals list` runs).
import { McpflowClient } from '../../src/client';
import { listPendingApprovals, type PendingApprovalRow } from '../../src/client/pending';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import type { TriageWorkflows } from './worker';
import type { TicketTriageInput, TicketTriageResult } from './workflows';

export interface Triage {
  workflowId: string;
  result(): Promise<TicketTriageResult>;
}

/** Starts `ticketTriage` on the worker's queue. */
export async function startTriage(client: Client, taskQueue: string, input: TicketTriageInput, workflowId = `triage-${input.ticket_id}`): Promise<Triage> {
  const handle = await client.workflow.start<TriageWorkflows['ticketTriage']>('ticketTriage', { taskQueue, workflowId, args: [input] });
  return { workflowId, result: () => handle.result() };
}

/** The approvals the triage's queries wait for (every runQuery waiting, as `mcpflow approvals list`), narrowed to this triage's children. */
export async function pendingApprovalsOf(mcpflow: McpflowClient, triageWorkflowId: string): Promise<PendingApprovalRow[]> {
  const rows = await listPendingApprovals(mcpflow, {});
  return rows.filter((row) => row.workflow_id.startsWith(`${triageWorkflowId}/`));
}

if (require.main === module) {
  void (async () => {
    const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, dataConverter: mcpflowDataConverter() });
    const mcpflow = new McpflowClient(client, connection, { address, namespace: 'default' }, 'ticket-triage');
    const servers = [{ label: 'calendar', url: process.env.CALENDAR_MCP_URL ?? 'http://127.0.0.1:8931/mcp', require_approval: 'always' as const }];
    const triage = await startTriage(client, 'ticket-triage', {
      ticket_id: `T-${Date.now()}`,
      questions: [
        { query: 'What meetings do I have today?', servers },
        { query: 'Book a 30 minute triage call today at 15:00', servers },
      ],
    });
    for (;;) {
      const waiting = await pendingApprovalsOf(mcpflow, triage.workflowId);
      for (const row of waiting) {
        console.log(`approving ${row.approval.server}.${row.approval.tool} for ${row.workflow_id}`);
        await mcpflow.approve(row.workflow_id, {});
      }
      const done = await Promise.race([triage.result(), new Promise<undefined>((resolve) => setTimeout(resolve, 1_000, undefined))]);
      if (done) {
        console.log(
          JSON.stringify(
            done.results.map((result) => result.text_response),
            null,
            2,
          ),
        );
        break;
      }
    }
    await connection.close();
  })();
}
