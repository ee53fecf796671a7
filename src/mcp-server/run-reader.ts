/**
 * A run read from Temporal alone: its status, then its progress (running) or its result
 * (closed). Nothing is kept in the mcp-server, so any instance, or a restarted one, reads the same.
 */
import type { McpflowClient, QueryOutcome, WorkflowSummary } from '../client/client';
import { NotFoundError } from '../client/errors';
import type { QueryProgress } from '../../workflows/messages';
import { endedView, finishedView, runningView, type RunView } from './run-view';
import { McpflowError } from '../core/mcpflow-error';

export type RunState =
  | { kind: 'running'; summary: WorkflowSummary; progress: QueryProgress }
  | { kind: 'finished'; summary: WorkflowSummary; outcome: QueryOutcome }
  | { kind: 'ended'; summary: WorkflowSummary };

/** A workflow id that is not a runQuery of this namespace. */
export class UnknownRunError extends McpflowError {}

export async function describeRun(client: McpflowClient, workflowId: string): Promise<WorkflowSummary> {
  try {
    const summary = await client.describe(workflowId);
    if (summary.type !== 'runQuery') throw new UnknownRunError(`${workflowId} is a ${summary.type}, not a query run`);
    return summary;
  } catch (error) {
    if (error instanceof NotFoundError) throw new UnknownRunError(`no query run ${workflowId} in namespace ${client.namespace}`);
    throw error;
  }
}

export async function readRun(client: McpflowClient, workflowId: string): Promise<RunState> {
  const summary = await describeRun(client, workflowId);
  if (summary.status === 'RUNNING') return { kind: 'running', summary, progress: await client.progress(workflowId) };
  if (summary.status === 'COMPLETED' || summary.status === 'FAILED') return { kind: 'finished', summary, outcome: await client.waitForQuery(workflowId) };
  return { kind: 'ended', summary };
}

export function viewOf(run: RunState): RunView {
  if (run.kind === 'running') return runningView(run.summary.workflow_id, run.progress);
  if (run.kind === 'finished') return finishedView(run.outcome);
  return endedView(run.summary.workflow_id, run.summary.status);
}
