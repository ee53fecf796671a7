/** runQuery: its input, state, progress, approvals, and its queries, updates and signal to a parent session (see ../messages.ts). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { CacheTtlSchema, QueryOptionsShape, RequiredServersShape, RunOptionsShape, StandingApprovalSchema } from '../run-options';
import { BackgroundModeSchema } from '../../src/core/background';
import { ConversationModeSchema } from '../../src/core/conversation';
import type { InputAnswer, InputAnswerOutcome, PendingInput, TaskProgress } from '../../src/core/mcp-input';
import {
  type CallRecord,
  CallRecordSchema,
  type HistoryFilter,
  type PendingApproval,
  PendingApprovalSchema,
  type QueryResult,
  QueryResultSchema,
  type WorkflowStatistics,
} from '../../src/core/records';
import { type Catalog, CatalogSchema } from '../../src/core/tools';
import { BudgetShape, ModelPriceSchema, type TokenTotals } from '../../src/core/usage';

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
  /** Model turns in background mode, followed by id with durable timers: `auto` (absent) = when stored (src/core/background.ts). */
  background: BackgroundModeSchema.optional(),
  /** The model's price (USD per million tokens, from the config's `prices`): the estimated cost; absent = unknown. */
  price: ModelPriceSchema.optional(),
  /** Token and cost budget of the whole query, checked after each model turn (workflows/query/budget.ts). */
  ...BudgetShape,
});
export type QueryInput = z.input<typeof QueryInputSchema>;
export type ParsedQueryInput = z.infer<typeof QueryInputSchema>;

/** `waiting_input`: an MCP server asked the user a question (elicitation, workflows/query/elicitation.ts). */
export const QueryStateSchema = z.enum(['idle', 'discovering', 'executing', 'waiting_approval', 'waiting_input', 'completed', 'failed']);
export type QueryState = z.infer<typeof QueryStateSchema>;

/** Every tool call as it happens, as a log that clients read through `progress` (retries in flight are read from the pending activities, see src/cli/watch.ts). */
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
  /** Tokens of the model turns so far and their estimated cost; absent in older runs. */
  tokens?: TokenTotals;
  /** Each model turn's tokens (at most max_steps entries); absent in older runs. */
  tokens_by_turn?: { step: number; tokens: TokenTotals }[];
}

export const ApprovalAnswerSchema = z.strictObject({
  /** Which request; absent = every pending request. */
  approval_request_id: z.string().min(1).optional(),
  reason: z.string().max(2000).optional(),
  /** Who decides (a client's identity, an inbox user, an MCP client); recorded with the decision. */
  approver: z.string().min(1).max(200).optional(),
  /** The `call_hash` of the pending approval the person saw; a decision for a call that differs is refused. */
  call_hash: z.string().min(1).max(200).optional(),
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

/** Sent by a query run to its parent session, so the session can say what its children wait for. */
export const QueryStateChangeSchema = z.object({
  workflow_id: z.string(),
  state: QueryStateSchema,
  pending_approvals: z.array(PendingApprovalSchema),
});
export type QueryStateChange = z.infer<typeof QueryStateChangeSchema>;
export const queryStateSignal = defineSignal<[QueryStateChange]>('queryState');
