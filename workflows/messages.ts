/**
 * Every input, query and update of mcpflow's workflows, shared by the workflows and by clients
 * (CLI, tests). Zod schemas are the single source of the types; updates validate with them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { RecordedErrorSchema } from '../src/core/errors';
import { CallRecordSchema, HistoryFilterSchema, QueryResultSchema, type CallRecord, type HistoryFilter, type QueryResult, type WorkflowStatistics } from '../src/core/records';
import { RetrySettingsSchema } from '../src/core/retry';
import { ServerConfigSchema } from '../src/core/servers';
import { CatalogDiffSchema, CatalogSchema, type Catalog } from '../src/core/tools';

export const TASK_QUEUE = 'mcpflow';

export const ExecutionModeSchema = z.enum(['hosted', 'direct']);
export type ExecutionMode = z.infer<typeof ExecutionModeSchema>;

/** Options shared by every workflow that talks to the model or to MCP servers. */
const RunOptionsShape = {
  servers: z.array(ServerConfigSchema).min(1, 'give at least one MCP server').refine(uniqueLabels, 'server labels must be unique'),
  mode: ExecutionModeSchema.default('hosted'),
  model: z.string().min(1).default('gpt-4o-mini'),
  retry: RetrySettingsSchema.default(RetrySettingsSchema.parse({})),
  /** Start-to-close timeout of one Responses call; the openai client times out a little before. */
  call_timeout_ms: z.number().int().min(1_000).max(3_600_000).default(120_000),
};

function uniqueLabels(servers: { label: string }[]): boolean {
  return new Set(servers.map((server) => server.label)).size === servers.length;
}

export const DiscoveryInputSchema = z.object({
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

export const QueryInputSchema = z.object({
  ...RunOptionsShape,
  query: z.string().trim().min(1, 'the query is empty'),
  instructions: z.string().optional(),
  /** Stream the Responses call: heartbeats with progress, and exact call start/end times. */
  stream: z.boolean().default(true),
  max_steps: z.number().int().min(1).max(50).default(10),
  /** Deny pending approvals after this long; absent = wait as long as it takes (days are fine). */
  approval_timeout_ms: z.number().int().positive().optional(),
  cache_ttl_ms: z.number().int().min(0).default(30 * 60_000),
  force_refresh: z.boolean().default(false),
  /** A catalog from an earlier run (a session's cache); used while younger than the TTL. */
  catalog: CatalogSchema.optional(),
  /** An earlier answer to the same query, returned marked stale when retries run out. */
  fallback_result: QueryResultSchema.optional(),
  /** Passed to the Responses API as request metadata (the emulator reads scripted plans from it). */
  metadata: z.record(z.string(), z.string().max(512)).optional(),
});
export type QueryInput = z.input<typeof QueryInputSchema>;
export type ParsedQueryInput = z.infer<typeof QueryInputSchema>;

export const QueryStateSchema = z.enum(['idle', 'discovering', 'executing', 'waiting_approval', 'retrying', 'completed', 'failed']);
export type QueryState = z.infer<typeof QueryStateSchema>;

export const PendingApprovalSchema = z.object({
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  requested_at: z.string(),
});
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

/** The seed's callbacks (on_tool_call, retry) as a log that clients read through `progress`. */
export const ProgressEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.enum(['state', 'tool_call', 'approval_request', 'approval_answer', 'retry', 'discovery', 'error']),
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

export { HistoryFilterSchema };
