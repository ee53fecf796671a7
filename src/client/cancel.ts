/** Cancelling a run (a query stops at its next step; a session or a batch stops its lines): what `mcpflow cancel` does. */
import type { McpflowClient } from './client';

export interface CancelOutcome {
  workflow_id: string;
  /** False when the run had ended already (then `status` says how). */
  cancelled: boolean;
  status: string;
}

export async function cancelRun(client: McpflowClient, workflowId: string): Promise<CancelOutcome> {
  const before = await client.describe(workflowId);
  if (before.status !== 'RUNNING') return { workflow_id: workflowId, cancelled: false, status: before.status };
  await client.call(workflowId, () => client.handle(workflowId).cancel());
  return { workflow_id: workflowId, cancelled: true, status: 'RUNNING' };
}
