/**
 * mcpSession, a long-lived set of servers (servers, tool cache, many queries, statistics),
 * and refreshSession: inputs, carry, update arguments, queries and updates (see ../messages.ts).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { BackgroundModeSchema } from '../../src/core/background';
import { DiscoveryResultSchema } from '../discovery-messages';
import {
  CacheTtlSchema,
  QueryOptionsShape,
  RunOptionsShape,
  ServerListSchema,
  type StandingApproval,
  StandingApprovalSchema,
  uniqueLabels,
} from '../run-options';
import { type RecordedError, RecordedErrorSchema } from '../../src/core/errors';
import {
  type CallRecord,
  CallRecordSchema,
  type QueryResult,
  QueryResultSchema,
  StatisticsTotalsSchema,
  type WorkflowStatistics,
} from '../../src/core/records';
import { ServerConfigSchema } from '../../src/core/servers';
import { CatalogSchema } from '../../src/core/tools';
import { BudgetShape, ModelPriceSchema } from '../../src/core/usage';

export const SessionStateSchema = z.enum(['idle', 'discovering', 'executing', 'waiting', 'error']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const SessionInputSchema = z.object({
  servers: ServerListSchema.default([]).refine(uniqueLabels, 'server labels must be unique'),
  ...RunOptionsShape,
  cache_ttl_ms: CacheTtlSchema,
  /** The model's price (USD per million tokens, from the config's `prices`), given to each query: the estimated cost. */
  price: ModelPriceSchema.optional(),
  /** Call records and results kept in memory (older ones stay in the statistics). */
  max_history: z.number().int().min(1).max(10_000).default(200),
  /** Continue as new beyond this many history events, even before Temporal suggests it. */
  continue_as_new_after_events: z.number().int().min(50).max(50_000).default(20_000),
  /** The session's queries' `background` unless a query sets its own (src/core/background.ts). */
  background: BackgroundModeSchema.optional(),
  /** Set by continueAsNew: everything the previous run knew. */
  carried: z.lazy(() => SessionCarrySchema).optional(),
});
export type SessionInput = z.input<typeof SessionInputSchema>;

/** A query result as a session keeps it: its calls live in the session's call history, so only their count stays. */
export const SessionResultSchema = QueryResultSchema.omit({ tool_calls: true }).extend({ tool_calls: z.number().int().nonnegative() });
export type SessionResult = z.infer<typeof SessionResultSchema>;

export function toSessionResult(result: QueryResult): SessionResult {
  return { ...result, tool_calls: result.tool_calls.length };
}

/** A query a session started and has not seen the end of (carried across continue-as-new). */
export const ActiveQuerySchema = z.object({ workflow_id: z.string(), query: z.string(), started_at: z.string() });
export type ActiveQuery = z.infer<typeof ActiveQuerySchema>;

export const SessionCarrySchema = z.object({
  catalog: CatalogSchema,
  // Runs from before the summary shape carried whole results: both read the same.
  results: z.array(z.union([SessionResultSchema, QueryResultSchema.transform(toSessionResult)])),
  calls: z.array(CallRecordSchema),
  errors: z.array(RecordedErrorSchema),
  standing_approvals: z.array(StandingApprovalSchema),
  query_count: z.number().int(),
  /** Statistics of records no longer kept in memory. */
  base_totals: StatisticsTotalsSchema,
  /** Child queries still running (started with ParentClosePolicy ABANDON): the next run waits for their end with an activity. */
  running: z.array(ActiveQuerySchema).default([]),
});
export type SessionCarry = z.infer<typeof SessionCarrySchema>;

export const ExecuteQueryArgsSchema = z
  .strictObject(QueryOptionsShape)
  .partial()
  .required({ query: true })
  .extend({
    /** Names the child run `<session id>/<query_id>`, so a caller knows it before it starts; default `query-<n>`. */
    query_id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, ".", "_" or "-"')
      .optional(),
    /** The query's token and cost budget (workflows/query/budget.ts). */
    ...BudgetShape,
  });
export type ExecuteQueryArgs = z.infer<typeof ExecuteQueryArgsSchema>;

/** The workflow id of a session's query run. */
export function childQueryId(sessionId: string, queryId: string): string {
  return `${sessionId}/${queryId}`;
}

export const RefreshToolsArgsSchema = z.strictObject({ force_refresh: z.boolean().default(false) });
export type RefreshToolsArgs = z.input<typeof RefreshToolsArgsSchema>;

export const RemoveServerArgsSchema = z.strictObject({ label: z.string().min(1) });
export type RemoveServerArgs = z.infer<typeof RemoveServerArgsSchema>;

export const RememberApprovalArgsSchema = z.strictObject({
  server: z.string().min(1),
  tool: z.string().min(1),
  /** How long it applies (ms); absent: until the tool's definition changes. */
  ttl_ms: z
    .number()
    .int()
    .positive()
    .max(365 * 86_400_000, 'at most 365 days')
    .optional(),
});
export type RememberApprovalArgs = z.infer<typeof RememberApprovalArgsSchema>;

export const SessionRefreshResultSchema = DiscoveryResultSchema.extend({
  from_cache: z.boolean(),
  /** Standing approvals dropped because the tool's definition changed. */
  invalidated_approvals: z.array(StandingApprovalSchema),
});
export type SessionRefreshResult = z.infer<typeof SessionRefreshResultSchema>;

export interface SessionProgress {
  state: SessionState;
  servers: string[];
  tools_cached: number;
  catalog_fetched_at: string | null;
  queries_run: number;
  active_queries: ActiveQuery[];
  standing_approvals: StandingApproval[];
}

/** What `export` writes: the queries, calls and errors of the session. */
export interface SessionExport {
  exported_at: string;
  servers: string[];
  call_history: CallRecord[];
  results: SessionResult[];
  /** Every error the statistics count, so that they can be recomputed from the export. */
  errors: RecordedError[];
  statistics: WorkflowStatistics;
}

export const sessionProgressQuery = defineQuery<SessionProgress>('sessionProgress');
export const exportQuery = defineQuery<SessionExport>('export');

export const addServerUpdate = defineUpdate<string[], [z.input<typeof ServerConfigSchema>]>('addServer');
export const removeServerUpdate = defineUpdate<string[], [RemoveServerArgs]>('removeServer');
export const refreshToolsUpdate = defineUpdate<SessionRefreshResult, [RefreshToolsArgs]>('refreshTools');
/** What executeQuery returns since 'session-query-returns-at-once': the child's id, at once; runs from before return its result. */
export interface QueryStarted {
  started: true;
  workflow_id: string;
}
export function isQueryStarted(outcome: QueryResult | QueryStarted): outcome is QueryStarted {
  return 'started' in outcome && outcome.started === true;
}
export const executeQueryUpdate = defineUpdate<QueryResult | QueryStarted, [ExecuteQueryArgs]>('executeQuery');
export const rememberApprovalUpdate = defineUpdate<StandingApproval[], [RememberApprovalArgs]>('rememberApproval');

export const RefreshSessionInputSchema = z.object({
  session_id: z.string().min(1),
  force_refresh: z.boolean().default(true),
});
export type RefreshSessionInput = z.input<typeof RefreshSessionInputSchema>;
