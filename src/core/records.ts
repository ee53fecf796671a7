/**
 * Call records, query results, history filters and statistics. User-facing JSON is
 * snake_case, as the Responses API's own fields are.
 */
import { z } from 'zod';
import { ApprovalDecisionSchema, InputAnswerRecordSchema } from './approvers';
import { errorSummary, MCPErrorTypeSchema, type ErrorSummary, type RecordedError } from './errors';
import { addTokens, EMPTY_TOKENS, estimatedCostUsd, TokenTotalsSchema, type TokenTotals } from './usage';

/** A call is recorded once it has ended; no run ever recorded one still pending or executing. */
export const CallStatusSchema = z.enum(['completed', 'failed', 'denied']);
export type CallStatus = z.infer<typeof CallStatusSchema>;

export const CallRecordSchema = z.object({
  /** The API's item id (`mcp_...`) in hosted mode, the activity's call id in direct mode. */
  id: z.string(),
  tool: z.string(),
  server: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  status: CallStatusSchema,
  output: z.string().nullable(),
  error_type: MCPErrorTypeSchema.nullable(),
  error_message: z.string().nullable(),
  approval_request_id: z.string().nullable(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  /** A direct call's `structuredContent` (absent in hosted mode and for text-only tools). */
  structured_content: z.record(z.string(), z.unknown()).optional(),
  /** Why `structured_content` does not match the tool's `outputSchema`, or why it was left out. */
  structured_content_error: z.string().optional(),
  /** Who approved or denied the call, how and when (absent when no approval was asked, and in older runs). */
  decision: ApprovalDecisionSchema.optional(),
  /** Answers to the MCP server's questions during the call, with who gave them (direct mode; absent when none). */
  input_answers: z.array(InputAnswerRecordSchema).optional(),
});
export type CallRecord = z.infer<typeof CallRecordSchema>;

/** A tool call waiting for a person's answer (an `mcp_approval_request`, or a direct-mode call). */
export const PendingApprovalSchema = z.object({
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  requested_at: z.string(),
  /** A hash of server, tool, arguments and tool definition as shown; a decision may echo it (absent in older runs). */
  call_hash: z.string().optional(),
  /** Where the arguments break the tool's input schema, checked before a person is asked (absent when they fit, and in older runs). */
  schema_problems: z.array(z.string()).optional(),
  /** The people the server's `approvers` policy lets decide (absent: anyone). */
  approvers: z.array(z.string()).optional(),
});
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

export const HistoryFilterSchema = z.object({
  status: CallStatusSchema.optional(),
  tool: z.string().optional(),
  server: z.string().optional(),
});
export type HistoryFilter = z.infer<typeof HistoryFilterSchema>;

export function filterHistory(records: readonly CallRecord[], filter: HistoryFilter = {}): CallRecord[] {
  return records.filter(
    (record) =>
      (!filter.status || record.status === filter.status) &&
      (!filter.tool || record.tool === filter.tool) &&
      (!filter.server || record.server === filter.server),
  );
}

export function durationMs(startedAt: string | null, completedAt: string | null): number | null {
  if (!startedAt || !completedAt) return null;
  const duration = Date.parse(completedAt) - Date.parse(startedAt);
  return Number.isFinite(duration) ? Math.max(0, duration) : null;
}

/** Failed calls, and of those the ones whose outcome is unknown (error type `outcome_unknown`). */
export function callFailureCounts(calls: readonly Pick<CallRecord, 'status' | 'error_type'>[]): { failed_calls: number; unknown_outcome_calls: number } {
  return {
    failed_calls: calls.filter((call) => call.status === 'failed').length,
    unknown_outcome_calls: calls.filter((call) => call.error_type === 'outcome_unknown').length,
  };
}

export const QueryResultSchema = z.object({
  query: z.string(),
  success: z.boolean(),
  text_response: z.string(),
  tool_calls: z.array(CallRecordSchema),
  duration_ms: z.number(),
  retries: z.number().int().nonnegative(),
  error: z.string().nullable(),
  error_type: MCPErrorTypeSchema.nullable(),
  /** True when the answer or catalog is an older one, served because retries ran out. */
  stale: z.boolean(),
  response_id: z.string().nullable(),
  /** Calls that failed (status `failed`), those with an unknown outcome included; absent in results of older runs. */
  failed_calls: z.number().int().nonnegative().optional(),
  /** Calls of tools with side effects that were sent and cut off: they may or may not have run. */
  unknown_outcome_calls: z.number().int().nonnegative().optional(),
  /** The tokens of every model turn and their estimated cost (src/core/usage.ts); absent in results of older runs. */
  usage: TokenTotalsSchema.optional(),
});
/** What a query run returns: the answer, its calls, and how it ended. */
export type QueryResult = z.infer<typeof QueryResultSchema>;

/**
 * Statistics as sums that can be added together, so that a long-lived session can drop old
 * records from memory (or continue as new) and still report exact totals.
 */
export const StatisticsTotalsSchema = z.object({
  queries: z.number().int(),
  successful: z.number().int(),
  success_duration_sum: z.number(),
  success_duration_max: z.number(),
  retries: z.number().int(),
  calls: z.number().int(),
  tool_usage: z.record(z.string(), z.number().int()),
  server_usage: z.record(z.string(), z.number().int()),
  calls_by_status: z.record(z.string(), z.number().int()),
  /** Totals carried by sessions recorded before these two fields start at 0. */
  failed_calls: z.number().int().default(0),
  unknown_outcome_calls: z.number().int().default(0),
  call_duration_sum: z.number(),
  call_duration_count: z.number().int(),
  call_duration_max: z.number().nullable(),
  errors_by_type: z.record(z.string(), z.number().int()),
  /** Errors that were retryable; totals carried by sessions recorded before this field start at 0. */
  recoverable_errors: z.number().int().default(0),
  /** Tokens of the model turns; totals carried by sessions recorded before this field start at 0. */
  tokens: TokenTotalsSchema.default(EMPTY_TOKENS),
});
export type StatisticsTotals = z.infer<typeof StatisticsTotalsSchema>;

export const EMPTY_TOTALS: StatisticsTotals = {
  queries: 0,
  successful: 0,
  success_duration_sum: 0,
  success_duration_max: 0,
  retries: 0,
  calls: 0,
  tool_usage: {},
  server_usage: {},
  calls_by_status: {},
  failed_calls: 0,
  unknown_outcome_calls: 0,
  call_duration_sum: 0,
  call_duration_count: 0,
  call_duration_max: null,
  errors_by_type: {},
  recoverable_errors: 0,
  tokens: EMPTY_TOKENS,
};

export function totalsOf(
  results: readonly Pick<QueryResult, 'success' | 'duration_ms' | 'retries' | 'usage'>[],
  calls: readonly CallRecord[],
  errors: readonly RecordedError[],
): StatisticsTotals {
  const successful = results.filter((result) => result.success);
  const durations = calls.flatMap((call) => (call.duration_ms === null ? [] : [call.duration_ms]));
  return {
    queries: results.length,
    successful: successful.length,
    success_duration_sum: successful.reduce((sum, result) => sum + result.duration_ms, 0),
    success_duration_max: successful.reduce((max, result) => Math.max(max, result.duration_ms), 0),
    retries: results.reduce((sum, result) => sum + result.retries, 0),
    calls: calls.length,
    tool_usage: countBy(calls, (call) => call.tool),
    server_usage: countBy(calls, (call) => call.server),
    calls_by_status: countBy(calls, (call) => call.status),
    ...callFailureCounts(calls),
    call_duration_sum: durations.reduce((sum, duration) => sum + duration, 0),
    call_duration_count: durations.length,
    call_duration_max: durations.length ? Math.max(...durations) : null,
    errors_by_type: countBy(errors, (error) => error.type),
    recoverable_errors: errors.filter((error) => error.retryable).length,
    tokens: results.reduce((sum, result) => (result.usage ? addTokens(sum, result.usage) : sum), EMPTY_TOKENS),
  };
}

export function addTotals(a: StatisticsTotals, b: StatisticsTotals): StatisticsTotals {
  return {
    queries: a.queries + b.queries,
    successful: a.successful + b.successful,
    success_duration_sum: a.success_duration_sum + b.success_duration_sum,
    success_duration_max: Math.max(a.success_duration_max, b.success_duration_max),
    retries: a.retries + b.retries,
    calls: a.calls + b.calls,
    tool_usage: addCounts(a.tool_usage, b.tool_usage),
    server_usage: addCounts(a.server_usage, b.server_usage),
    calls_by_status: addCounts(a.calls_by_status, b.calls_by_status),
    failed_calls: a.failed_calls + b.failed_calls,
    unknown_outcome_calls: a.unknown_outcome_calls + b.unknown_outcome_calls,
    call_duration_sum: a.call_duration_sum + b.call_duration_sum,
    call_duration_count: a.call_duration_count + b.call_duration_count,
    call_duration_max:
      a.call_duration_max === null
        ? b.call_duration_max
        : b.call_duration_max === null
          ? a.call_duration_max
          : Math.max(a.call_duration_max, b.call_duration_max),
    errors_by_type: addCounts(a.errors_by_type, b.errors_by_type),
    recoverable_errors: a.recoverable_errors + b.recoverable_errors,
    tokens: addTokens(a.tokens, b.tokens),
  };
}

/**
 * get_statistics' keys (docs/ARCHITECTURE.md maps them), plus per-server usage, errors by type and
 * the error summary: exact counts from the totals, the last errors from those still in memory.
 */
export function statisticsFromTotals(totals: StatisticsTotals, serversConfigured: number, toolsCached: number, recentErrors: readonly RecordedError[] = []) {
  return {
    total_queries: totals.queries,
    successful: totals.successful,
    failed: totals.queries - totals.successful,
    success_rate: totals.queries ? (totals.successful / totals.queries) * 100 : 0,
    avg_duration_ms: totals.successful ? totals.success_duration_sum / totals.successful : 0,
    max_duration_ms: totals.success_duration_max,
    total_retries: totals.retries,
    tool_calls: totals.calls,
    tool_usage: totals.tool_usage,
    server_usage: totals.server_usage,
    calls_by_status: totals.calls_by_status,
    /** Calls that failed; of those, calls of tools with side effects that were cut off and may or may not have run. */
    failed_calls: totals.failed_calls,
    unknown_outcome_calls: totals.unknown_outcome_calls,
    avg_call_duration_ms: totals.call_duration_count ? totals.call_duration_sum / totals.call_duration_count : null,
    max_call_duration_ms: totals.call_duration_max,
    servers_configured: serversConfigured,
    tools_cached: toolsCached,
    errors_by_type: totals.errors_by_type,
    error_summary: summaryFromTotals(totals, recentErrors),
    /** Tokens of every model turn; `estimated_cost_usd` is null when a turn's model had no price. */
    tokens: { ...totals.tokens, estimated_cost_usd: estimatedCostUsd(totals.tokens) },
  };
}
export type WorkflowStatistics = ReturnType<typeof statisticsFromTotals>;

export interface WorkflowStatisticsInput {
  results: readonly QueryResult[];
  calls: readonly CallRecord[];
  errors: readonly RecordedError[];
  serversConfigured: number;
  toolsCached: number;
  /** A running query's tokens so far (its result, which has them, comes at the end). */
  tokens?: TokenTotals;
}

export function workflowStatistics(input: WorkflowStatisticsInput): WorkflowStatistics {
  const totals = totalsOf(input.results, input.calls, input.errors);
  return statisticsFromTotals(input.tokens ? { ...totals, tokens: input.tokens } : totals, input.serversConfigured, input.toolsCached, input.errors);
}

function summaryFromTotals(totals: StatisticsTotals, recentErrors: readonly RecordedError[]): ErrorSummary {
  const recent = errorSummary(recentErrors);
  return {
    total_errors: Object.values(totals.errors_by_type).reduce((sum, count) => sum + count, 0),
    by_type: totals.errors_by_type,
    recoverable_count: totals.recoverable_errors,
    last_errors: recent.last_errors,
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [key, count] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + count;
  return sum;
}
