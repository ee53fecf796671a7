/**
 * Call records (the seed's MCPCall), query results (WorkflowResult), history filters and
 * statistics (get_call_history, get_statistics). User-facing JSON keeps the seed's snake_case.
 */
import { z } from 'zod';
import { errorSummary, MCPErrorTypeSchema, type RecordedError } from './errors';

export const CallStatusSchema = z.enum(['pending', 'executing', 'completed', 'failed', 'denied']);
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
});
export type CallRecord = z.infer<typeof CallRecordSchema>;

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

/** The seed's MCPCallExecutor.get_statistics, over call records. */
export function callStatistics(records: readonly CallRecord[]) {
  const byStatus: Partial<Record<CallStatus, number>> = {};
  const byTool: Record<string, number> = {};
  const byServer: Record<string, number> = {};
  const durations: number[] = [];
  for (const record of records) {
    byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    byTool[record.tool] = (byTool[record.tool] ?? 0) + 1;
    byServer[record.server] = (byServer[record.server] ?? 0) + 1;
    if (record.duration_ms !== null) durations.push(record.duration_ms);
  }
  return {
    total_calls: records.length,
    by_status: byStatus,
    by_tool: byTool,
    by_server: byServer,
    avg_duration_ms: durations.length ? average(durations) : null,
    max_duration_ms: durations.length ? Math.max(...durations) : null,
  };
}
export type CallStatistics = ReturnType<typeof callStatistics>;

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
});
/** The seed's WorkflowResult. */
export type QueryResult = z.infer<typeof QueryResultSchema>;

export interface WorkflowStatisticsInput {
  results: readonly QueryResult[];
  calls: readonly CallRecord[];
  errors: readonly RecordedError[];
  serversConfigured: number;
  toolsCached: number;
}

/** The seed's RobustMCPWorkflow.get_statistics, plus errors by type and per-server usage. */
export function workflowStatistics(input: WorkflowStatisticsInput) {
  const { results, calls } = input;
  const successful = results.filter((result) => result.success);
  const durations = successful.map((result) => result.duration_ms);
  const calls_ = callStatistics(calls);
  return {
    total_queries: results.length,
    successful: successful.length,
    failed: results.length - successful.length,
    success_rate: results.length ? (successful.length / results.length) * 100 : 0,
    avg_duration_ms: durations.length ? average(durations) : 0,
    max_duration_ms: durations.length ? Math.max(...durations) : 0,
    total_retries: results.reduce((sum, result) => sum + result.retries, 0),
    tool_calls: calls.length,
    tool_usage: calls_.by_tool,
    server_usage: calls_.by_server,
    calls_by_status: calls_.by_status,
    avg_call_duration_ms: calls_.avg_duration_ms,
    max_call_duration_ms: calls_.max_duration_ms,
    servers_configured: input.serversConfigured,
    tools_cached: input.toolsCached,
    errors_by_type: errorSummary(input.errors).by_type,
  };
}
export type WorkflowStatistics = ReturnType<typeof workflowStatistics>;

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
