/**
 * What `ask` and `status` return about a run: the answer as text, and as `structuredContent`
 * (declared as the tools' `outputSchema`) the state, the call records and the statistics.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { QueryOutcome } from '../client/client';
import { totalsOf, type QueryResult } from '../core/records';
import type { QueryProgress } from '../../workflows/messages';

export const RunViewSchema = z.object({
  workflow_id: z.string(),
  /** started, a running runQuery's state (executing, waiting_approval, waiting_input…) or finishing, then completed, failed, cancelled, terminated. */
  state: z.string(),
  detail: z.string().optional(),
  answer: z.string().optional(),
  success: z.boolean().optional(),
  error: z.string().nullable().optional(),
  tool_calls: z.array(z.record(z.string(), z.unknown())).optional(),
  statistics: z.record(z.string(), z.unknown()).optional(),
  pending_approvals: z.array(z.record(z.string(), z.unknown())).optional(),
  pending_input: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;

const MAX_ANSWER_TEXT = 200_000;

export function startedView(workflowId: string): RunView {
  return { workflow_id: workflowId, state: 'started', detail: `Started. Follow it with the status tool (workflow_id ${workflowId}).` };
}

export function runningView(workflowId: string, progress: QueryProgress): RunView {
  return {
    workflow_id: workflowId,
    // The run says completed or failed a moment before it closes: the answer is not readable yet.
    state: progress.state === 'completed' || progress.state === 'failed' ? 'finishing' : progress.state,
    detail: progress.detail,
    pending_approvals: progress.pending_approvals,
    ...(progress.pending_input?.length ? { pending_input: progress.pending_input } : {}),
  };
}

export function finishedView(outcome: QueryOutcome): RunView {
  const result = outcome.result;
  return {
    workflow_id: outcome.workflow_id,
    state: outcome.succeeded ? 'completed' : 'failed',
    success: outcome.succeeded,
    error: outcome.error,
    ...(result ? { answer: result.text_response.slice(0, MAX_ANSWER_TEXT), tool_calls: result.tool_calls, statistics: statisticsOf(result) } : {}),
  };
}

export function endedView(workflowId: string, status: string): RunView {
  return { workflow_id: workflowId, state: status.toLowerCase(), detail: `The run was ${status.toLowerCase()}.` };
}

/** One query's statistics, in the names of the `stats` query. */
function statisticsOf(result: QueryResult): Record<string, unknown> {
  const totals = totalsOf([result], result.tool_calls, []);
  return {
    duration_ms: result.duration_ms,
    retries: result.retries,
    tool_calls: totals.calls,
    calls_by_status: totals.calls_by_status,
    tool_usage: totals.tool_usage,
    server_usage: totals.server_usage,
    failed_calls: totals.failed_calls,
    unknown_outcome_calls: totals.unknown_outcome_calls,
  };
}

/** The text a person reads, plus the structured view. */
export function toolResultOf(view: RunView): CallToolResult {
  return { content: [{ type: 'text', text: textOf(view) }], structuredContent: view, ...(view.state === 'failed' ? { isError: true } : {}) };
}

function textOf(view: RunView): string {
  if (view.state === 'completed') return view.answer ?? '';
  if (view.state === 'failed') return `The run ${view.workflow_id} failed: ${view.error ?? 'unknown error'}${view.answer ? `\n\n${view.answer}` : ''}`;
  const waiting = [
    ...(view.pending_approvals ?? []).map(
      (approval) => `approval ${String(approval.id)}: ${String(approval.server)}.${String(approval.tool)} (decide_approval)`,
    ),
    ...(view.pending_input ?? []).map((input) => `question ${String(input.id)} from ${String(input.server)}: ${String(input.message)} (answer_question)`),
  ];
  return [`${view.workflow_id}: ${view.state}${view.detail ? ` — ${view.detail}` : ''}`, ...waiting].join('\n');
}
