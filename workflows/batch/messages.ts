/**
 * runBatch's input, state, queries and updates, shared by the workflow and clients (CLI, tests).
 * Zod schemas are the single source of the types; updates validate with them.
 *
 * Sizes: lines reach the workflow in pages (see docs/ARCHITECTURE.md "Batches"); what a run
 * holds and carries into the next run is bounded by bytes (buffer) and counts (finished log,
 * failed lines), so that no payload approaches Temporal's 2 MiB whatever the file's size.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ExecutionModeSchema } from '../../src/core/defaults';
import { ServerConfigSchema } from '../../src/core/servers';
import { LineOutcomeSchema, type LineOutcome } from '../../src/core/line-outcome';
import { BudgetShape, costBudgetProblem, EMPTY_TOKENS, TokenTotalsSchema, type TokenTotals } from '../../src/core/usage';
import { QueryInputSchema } from '../messages';

/** Unstarted lines a run holds (and carries on continue-as-new); more are asked from the holders (held.ts) as they start. */
export const MAX_BUFFER_BYTES = 512 * 1024;
/** One line's query and settings, as JSON. */
export const MAX_LINE_BYTES = 32 * 1024;
/** Finished lines kept for `finished` readers (the CLI writing --out); older ones are read from the children. */
export const MAX_FINISHED_LOG = 1_000;
/** Failed lines kept for retry-failed (beyond: counted, not retryable from the batch). */
export const MAX_FAILED_KEPT = 10_000;
/** Lines a batch may have. */
export const MAX_LINES = 5_000_000;
/** Lines waiting for a person (approval, input) at most by default; beyond, no new line starts. */
export const DEFAULT_MAX_WAITING = 1_000;
/** Bytes of lines one holder workflow keeps (its input: under the 512 KiB payload warning, far under the 2 MiB limit). */
export const MAX_HELD_PAGE_BYTES = 448 * 1024;
/** Bytes of lines a holder sends in one signal. */
export const MAX_HELD_SEND_BYTES = 256 * 1024;

export const LineKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'an id is 1-100 letters, digits, ".", "_", ":" or "-"');

/** One line of the file, as the workflow gets it. */
export const BatchLineSchema = z.strictObject({
  /** The ordinal of the query in the file (1-based; blank rows are not counted). */
  n: z.number().int().min(1),
  /** The line's `id`, else `line-<n>`: names its runQuery child `<batch id>/<key>`. */
  key: LineKeySchema,
  query: z.string().trim().min(1, 'the query is empty'),
  /** Labels of the batch's servers this line uses; absent = all. */
  servers: z.array(z.string().min(1)).min(1).optional(),
  mode: ExecutionModeSchema.optional(),
  metadata: z.record(z.string(), z.string().max(512)).optional(),
});
export type BatchLine = z.infer<typeof BatchLineSchema>;

/** A line that was started: enough to find its child again. */
export const LineRefSchema = z.object({ n: z.number().int(), key: LineKeySchema, workflow_id: z.string() });
export type LineRef = z.infer<typeof LineRefSchema>;

/** One finished line, as the `finished` log and the CLI's --out see it (the answer is read from the child). */
export const FinishedLineSchema = LineRefSchema.extend({ seq: z.number().int(), ...LineOutcomeSchema.shape });
export type FinishedLine = z.infer<typeof FinishedLineSchema>;
export type { LineOutcome };

/** A failed line, and a line queued to run again: one that ran as a `runBatchLine` activity names the batch run whose history holds its input. */
export const RetryRefSchema = LineRefSchema.extend({ activity_run_id: z.string().optional() });
export type RetryRef = z.infer<typeof RetryRefSchema>;

export const FailedLineSchema = RetryRefSchema.extend({ error_type: z.string() });
export type FailedLine = z.infer<typeof FailedLineSchema>;

export const BatchStatusSchema = z.enum(['running', 'paused', 'stopping', 'cancelling', 'completed', 'stopped', 'cancelled']);
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

/** Everything a run knows, carried into the next run by continue-as-new. */
export const BatchCarrySchema = z.object({
  received: z.number().int().min(0),
  buffer: z.array(BatchLineSchema),
  retry_queue: z.array(RetryRefSchema),
  /** Started by an earlier run and still running: watched, never started again. */
  running: z.array(LineRefSchema),
  waiting_approval: z.array(z.string()),
  succeeded: z.number().int().min(0),
  failed: z.number().int().min(0),
  cancelled: z.number().int().min(0),
  denied: z.number().int().min(0),
  /** Succeeded lines whose query answered although a tool call failed; absent in carries of older runs. */
  succeeded_with_failed_calls: z.number().int().min(0).default(0),
  failed_by_type: z.record(z.string(), z.number().int()),
  failed_lines: z.array(FailedLineSchema),
  finished: z.array(FinishedLineSchema),
  seq: z.number().int().min(0),
  paused: z.boolean(),
  /** Set by cancel, --max-failures or the budget (--max-tokens, --max-cost): no new line starts. */
  stop: z.enum(['cancel', 'max_failures', 'budget']).nullable(),
  /** Tokens of the finished lines; absent in carries of older runs. */
  tokens: TokenTotalsSchema.default(EMPTY_TOKENS),
  started_at: z.number(),
  /** Runs of this batch before this one (continue-as-new). */
  runs: z.number().int().min(0),
});
export type BatchCarry = z.infer<typeof BatchCarrySchema>;

/** The query settings every line shares (a line may choose its servers and mode). */
const LineDefaultsSchema = QueryInputSchema.pick({
  mode: true,
  model: true,
  retry: true,
  call_timeout_ms: true,
  search_attributes: true,
  cache_ttl_ms: true,
  approval_timeout_ms: true,
  max_steps: true,
  stream: true,
  reasoning: true,
  service_tier: true,
  prompt_cache_key: true,
  max_output_tokens: true,
  background: true,
  price: true,
});

export const BatchSettingsSchema = LineDefaultsSchema.extend({
  servers: z
    .array(ServerConfigSchema)
    .min(1, 'give at least one MCP server')
    .refine((servers) => new Set(servers.map((server) => server.label)).size === servers.length, 'server labels must be unique'),
  total: z.number().int().min(1).max(MAX_LINES),
  concurrency: z.number().int().min(1).max(1_000).default(10),
  /** Lines waiting for a person do not count against `concurrency`; lines in flight (running or waiting) are at most max(this, concurrency). */
  max_waiting: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_WAITING),
  /**
   * The lines past the first page are held by `batchLines` workflows (one per page, `heldLinesId`),
   * started by the CLI; the batch asks them for lines as its buffer empties, so no CLI is needed.
   * `pages[k]` is the number of the first line holder k has.
   */
  held: z.strictObject({ pages: z.array(z.number().int().min(1)).min(1).max(100_000) }).optional(),
  max_failures: z.number().int().min(1).optional(),
  /** Token and cost budget of the whole batch: once the finished lines exceed it, no new line starts (running ones finish). */
  ...BudgetShape,
  /** A short name of the source for humans (file name). */
  source: z.string().max(500).optional(),
  /** Continue as new after this many history events (Temporal warns at 10,240). */
  continue_as_new_after_events: z.number().int().min(500).max(40_000).default(8_000),
});

export const BatchInputSchema = BatchSettingsSchema.extend({
  /** The first lines (a scheduled batch: all of them); the rest come through `appendLines`. */
  lines: z.array(BatchLineSchema).default([]),
  /** Move failed lines back to the queue at start (retry-failed on a finished batch). */
  retry_failed: z.boolean().default(false),
  carried: BatchCarrySchema.optional(),
}).superRefine((input, context) => {
  const problem = costBudgetProblem(input, input.model, input.price);
  if (problem) context.addIssue({ code: 'custom', path: ['max_cost_usd'], message: problem });
});
export type BatchInput = z.input<typeof BatchInputSchema>;
export type ParsedBatchInput = z.infer<typeof BatchInputSchema>;
export type BatchSettings = z.input<typeof BatchSettingsSchema>;

export interface BatchProgress {
  batch_id: string;
  status: BatchStatus;
  total: number;
  received: number;
  /** Bytes of unstarted lines held and the limit: a feeder sends at most the difference. */
  buffer_bytes: number;
  buffer_limit_bytes: number;
  done: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  denied: number;
  /** Succeeded lines whose query answered although a tool call failed. */
  succeeded_with_failed_calls: number;
  failed_by_type: Record<string, number>;
  running: number;
  waiting_approval: number;
  queued_retries: number;
  started_at: string;
  elapsed_ms: number;
  /** Finished lines per second since the start. */
  rate: number;
  eta_ms: number | null;
  last_seq: number;
  runs: number;
  concurrency: number;
  /** Present on batches started since waiting lines stopped holding slots. */
  max_waiting?: number;
  /** Lines come from holder workflows (else from a `batch run` feeding them). */
  held?: boolean;
  /** Why lines the batch needs do not arrive, with what to run; null when they do. */
  lines_problem?: string | null;
  /** Tokens of the finished lines and their estimated cost; absent in older batches. */
  tokens?: TokenTotals;
  /** Why the batch stopped starting lines when its budget did it; null otherwise. */
  budget_stop?: string | null;
}

export interface BatchResult {
  batch_id: string;
  status: BatchStatus;
  progress: BatchProgress;
  settings: z.infer<typeof BatchSettingsSchema>;
  /** The final state: a retry-failed run starts from it. */
  state: BatchCarry;
}

export const AppendLinesArgsSchema = z.strictObject({
  /** Line number of the first line: the batch's `received` + 1 (lines it already has are skipped). */
  from: z.number().int().min(1),
  lines: z.array(BatchLineSchema).min(1),
});
export type AppendLinesArgs = z.infer<typeof AppendLinesArgsSchema>;

/** A holder sends the lines from `from` on (a page that ends at its last line ends it); empty = still there. */
export const HeldLinesArgsSchema = z.strictObject({ from: z.number().int().min(1), lines: z.array(BatchLineSchema) });
export type HeldLinesArgs = z.infer<typeof HeldLinesArgsSchema>;
/** The batch asks a holder for lines from `from`, at most `max_bytes` of them. */
export const SendLinesArgsSchema = z.strictObject({ from: z.number().int().min(1), max_bytes: z.number().int().min(1) });
export type SendLinesArgs = z.infer<typeof SendLinesArgsSchema>;

export const FinishedArgsSchema = z.strictObject({
  after_seq: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(MAX_FINISHED_LOG).default(500),
});
export type FinishedArgs = z.input<typeof FinishedArgsSchema>;
export interface FinishedPage {
  lines: FinishedLine[];
  /** The oldest seq still in the log: a reader whose after_seq + 1 is older missed lines. */
  oldest_seq: number | null;
  last_seq: number;
}

export const ControlArgsSchema = z.strictObject({ reason: z.string().max(2000).optional() });
export type ControlArgs = z.infer<typeof ControlArgsSchema>;

export const batchProgressQuery = defineQuery<BatchProgress>('progress');
export const finishedQuery = defineQuery<FinishedPage, [FinishedArgs?]>('finished');

/** What a page left: the feeder sends the next one without asking for progress first. */
export interface AppendLinesOutcome {
  received: number;
  buffer_bytes: number;
  buffer_limit_bytes: number;
}
export const appendLinesUpdate = defineUpdate<AppendLinesOutcome, [AppendLinesArgs]>('appendLines');
export const heldLinesSignal = defineSignal<[HeldLinesArgs]>('heldLines');
export const sendLinesSignal = defineSignal<[SendLinesArgs]>('sendLines');
export const pauseUpdate = defineUpdate<BatchStatus, [ControlArgs]>('pause');
export const resumeUpdate = defineUpdate<BatchStatus, [ControlArgs]>('resume');
export const cancelBatchUpdate = defineUpdate<BatchStatus, [ControlArgs]>('cancelBatch');
export const retryFailedUpdate = defineUpdate<{ queued: number }, [ControlArgs]>('retryFailed');

/** The workflow id of a line's runQuery: derived from the batch and the line, so a line is never started twice. */
export function lineWorkflowId(batchId: string, key: string): string {
  return `${batchId}/${key}`;
}

/** The workflow id of the holder of page `index` ("~" is not allowed in line keys: no clash with a line). */
export function heldLinesId(batchId: string, index: number): string {
  return `${batchId}/~lines-${index}`;
}

/** The holder page that has line `n`. */
export function heldPageOf(pages: readonly number[], n: number): number {
  let index = 0;
  for (let lo = 0, hi = pages.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (pages[mid]! <= n) {
      index = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return index;
}
