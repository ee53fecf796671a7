/**
 * Every input, query, update and signal of mcpflow's workflows, shared by the workflows and by
 * clients (CLI, tests). Zod schemas are the single source of the types; updates validate with them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { DEFAULT_CACHE_TTL_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_MODEL, ExecutionModeSchema } from '../src/core/defaults';
import { ConversationModeSchema } from '../src/core/conversation';
import { RecordedErrorSchema, type RecordedError } from '../src/core/errors';
import {
  CallRecordSchema,
  HistoryFilterSchema,
  PendingApprovalSchema,
  QueryResultSchema,
  StatisticsTotalsSchema,
  type CallRecord,
  type HistoryFilter,
  type PendingApproval,
  type QueryResult,
  type WorkflowStatistics,
} from '../src/core/records';
import { jsonTextBytes, MAX_QUERY_BYTES } from '../src/core/payload-size';
import type { InputAnswer, InputAnswerOutcome, PendingInput, TaskProgress } from '../src/core/mcp-input';
import { RetrySettingsSchema } from '../src/core/retry';
import { ServerConfigSchema } from '../src/core/servers';
import { CatalogDiffSchema, CatalogSchema, type Catalog } from '../src/core/tools';

export { HistoryFilterSchema, PendingApprovalSchema, type PendingApproval };

const ServerListSchema = z.array(ServerConfigSchema);

/** Options shared by every workflow that talks to the model or to MCP servers. */
const RunOptionsShape = {
  mode: ExecutionModeSchema.default('hosted'),
  model: z.string().min(1).default(DEFAULT_MODEL),
  retry: RetrySettingsSchema.default(RetrySettingsSchema.parse({})),
  /** Start-to-close timeout of one Responses call; the openai client times out a little before. */
  call_timeout_ms: z.number().int().min(1_000).max(3_600_000).default(DEFAULT_CALL_TIMEOUT_MS),
  /** Whether the namespace has the McpServers/McpState/McpToolCallCount search attributes. */
  search_attributes: z.boolean().default(true),
};

const RequiredServersShape = {
  servers: ServerListSchema.min(1, 'give at least one MCP server').refine(uniqueLabels, 'server labels must be unique'),
};

const CacheTtlSchema = z.number().int().min(0).default(DEFAULT_CACHE_TTL_MS);

function uniqueLabels(servers: { label: string }[]): boolean {
  return new Set(servers.map((server) => server.label)).size === servers.length;
}

export const DiscoveryInputSchema = z.object({
  ...RequiredServersShape,
  ...RunOptionsShape,
  previous_catalog: CatalogSchema.optional(),
});
export type DiscoveryInput = z.input<typeof DiscoveryInputSchema>;

export const ServerDiscoverySchema = z.object({
  label: z.string(),
  status: z.enum(['ok', 'error']),
  tool_count: z.number().int(),
  attempts: z.number().int(),
  error: RecordedErrorSchema.nullable(),
});
export const DiscoveryResultSchema = z.object({
  catalog: CatalogSchema,
  diff: CatalogDiffSchema,
  servers: z.array(ServerDiscoverySchema),
  discovered_at: z.string(),
});
export type DiscoveryResult = z.infer<typeof DiscoveryResultSchema>;

/** A standing approval: calls of this tool run without asking, while its definition stays the same. */
export const StandingApprovalSchema = z.object({
  server: z.string(),
  tool: z.string(),
  definition_hash: z.string(),
});
export type StandingApproval = z.infer<typeof StandingApprovalSchema>;

/** What a caller may set per query; a session's executeQuery takes the same, each optional. */
const QueryOptionsShape = {
  query: z
    .string()
    .trim()
    .min(1, 'the query is empty')
    .superRefine((query, context) => {
      const bytes = jsonTextBytes(query);
      if (bytes > MAX_QUERY_BYTES) context.addIssue({ code: 'custom', message: `the query is ${bytes} bytes as JSON, at most ${MAX_QUERY_BYTES}: shorten it` });
    }),
  /** Stream the Responses call: heartbeats with progress, and exact call start/end times. */
  stream: z.boolean(),
  max_steps: z.number().int().min(1).max(50),
  /** Deny pending approvals after this long; absent = wait as long as it takes (days are fine). */
  approval_timeout_ms: z.number().int().positive().max(365 * 86_400_000, 'at most 365 days'),
  force_refresh: z.boolean(),
  /** Passed to the Responses API as request metadata (the emulator reads scripted plans from it). */
  metadata: z.record(z.string(), z.string().max(512)),
};

export const QueryInputSchema = z.object({
  ...RequiredServersShape,
  ...RunOptionsShape,
  ...QueryOptionsShape,
  instructions: z.string().optional(),
  stream: QueryOptionsShape.stream.default(true),
  max_steps: QueryOptionsShape.max_steps.default(10),
  approval_timeout_ms: QueryOptionsShape.approval_timeout_ms.optional(),
  cache_ttl_ms: CacheTtlSchema,
  force_refresh: QueryOptionsShape.force_refresh.default(false),
  /** A catalog from an earlier run (a session's cache); used while younger than the TTL. */
  catalog: CatalogSchema.optional(),
  /** An earlier answer to the same query, returned marked stale when retries run out. */
  fallback_result: QueryResultSchema.optional(),
  /** Approval requests for these tools are approved at once, while the tool's definition is unchanged. */
  standing_approvals: z.array(StandingApprovalSchema).default([]),
  metadata: QueryOptionsShape.metadata.optional(),
  /**
   * `stored`: turns are chained with `previous_response_id` (the API keeps responses 30 days);
   * `stateless`: the workflow sends every item back with `store: false`. Default: `stateless` when
   * `approval_timeout_ms` is absent or longer than 30 days, else `stored` (workflows/query/conversation.ts).
   */
  conversation: ConversationModeSchema.optional(),
});
export type QueryInput = z.input<typeof QueryInputSchema>;
export type ParsedQueryInput = z.infer<typeof QueryInputSchema>;

/** `waiting_input`: an MCP server asked the user a question (elicitation, workflows/query/elicitation.ts). */
export const QueryStateSchema = z.enum(['idle', 'discovering', 'executing', 'waiting_approval', 'waiting_input', 'completed', 'failed']);
export type QueryState = z.infer<typeof QueryStateSchema>;

/** The seed's on_tool_call callback as a log that clients read through `progress` (retries in flight are read from the pending activities, see src/cli/watch.ts). */
export const ProgressEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.enum(['state', 'tool_call', 'approval_request', 'approval_answer', 'discovery', 'error']),
  message: z.string(),
  call: CallRecordSchema.optional(),
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

export interface QueryProgress {
  state: QueryState;
  step: number;
  max_steps: number;
  detail: string;
  pending_approvals: PendingApproval[];
  calls_so_far: number;
  retries: number;
  /** The latest events (bounded); `seq` lets a watcher print only what is new. */
  events: ProgressEvent[];
  /** Questions an MCP server asked (elicitation) that wait for `mcpflow answer`; absent in older runs. */
  pending_input?: PendingInput[];
  /** Tasks the run follows (MCP tasks extension), with their latest status; absent in older runs. */
  tasks?: TaskProgress[];
}

export const ApprovalAnswerSchema = z.strictObject({
  /** Which request; absent = every pending request. */
  approval_request_id: z.string().min(1).optional(),
  reason: z.string().max(2000).optional(),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

export interface ApprovalOutcome {
  answered: string[];
  approve: boolean;
}

export const progressQuery = defineQuery<QueryProgress>('progress');
export const statsQuery = defineQuery<WorkflowStatistics>('stats');
export const historyQuery = defineQuery<CallRecord[], [HistoryFilter?]>('history');
export const catalogQuery = defineQuery<Catalog>('catalog');
export const resultQuery = defineQuery<QueryResult | null>('result');

export const approveUpdate = defineUpdate<ApprovalOutcome, [ApprovalAnswer]>('approve');
export const denyUpdate = defineUpdate<ApprovalOutcome, [ApprovalAnswer]>('deny');
/** Answers an MCP server's question (elicitation); the validator checks it against the requested schema. */
export const answerUpdate = defineUpdate<InputAnswerOutcome, [InputAnswer]>('answer');

// ---------------------------------------------------------------------------------------------
// mcpSession: the long-lived object of the seed (servers, tool cache, many queries, statistics)

export const SessionStateSchema = z.enum(['idle', 'discovering', 'executing', 'waiting', 'error']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const SessionInputSchema = z.object({
  servers: ServerListSchema.default([]).refine(uniqueLabels, 'server labels must be unique'),
  ...RunOptionsShape,
  cache_ttl_ms: CacheTtlSchema,
  /** Call records and results kept in memory (older ones stay in the statistics). */
  max_history: z.number().int().min(1).max(10_000).default(200),
  /** Continue as new beyond this many history events, even before Temporal suggests it. */
  continue_as_new_after_events: z.number().int().min(50).max(50_000).default(20_000),
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
    query_id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, ".", "_" or "-"').optional(),
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

export const RememberApprovalArgsSchema = z.strictObject({ server: z.string().min(1), tool: z.string().min(1) });
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

/** The seed's export_history shape. */
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

/** Sent by a query run to its parent session, so the session can say what its children wait for. */
export const QueryStateChangeSchema = z.object({
  workflow_id: z.string(),
  state: QueryStateSchema,
  pending_approvals: z.array(PendingApprovalSchema),
});
export type QueryStateChange = z.infer<typeof QueryStateChangeSchema>;
export const queryStateSignal = defineSignal<[QueryStateChange]>('queryState');

export const RefreshSessionInputSchema = z.object({
  session_id: z.string().min(1),
  force_refresh: z.boolean().default(true),
});
export type RefreshSessionInput = z.input<typeof RefreshSessionInputSchema>;
