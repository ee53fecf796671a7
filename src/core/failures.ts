/**
 * What a failure carries in its `details`, as schemas: activities build the details with one
 * function each, and workflows and clients read them with one reader each (never with casts).
 * A reader returns undefined for details it cannot read (an older run, another producer).
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { errorSummary, MCPErrorTypeSchema, RecordedErrorSchema, type MCPErrorType, type RecordedError } from './errors';
import { QueryResultSchema, type QueryResult } from './records';

/** The first detail of every ApplicationFailure an mcpflow activity throws. */
export const ActivityFailureDetailsSchema = z.object({
  type: z.string(),
  retryable: z.boolean(),
  retry_after_ms: z.number().nonnegative().nullable(),
  /** The attempt that failed (1-based): how many tries were spent when this one is the last. */
  attempt: z.number().int().min(1),
  /** A Responses call asked to fail fast could not list an MCP server (HTTP 424): the workflow lists each server on its own. */
  listing_failed: z.boolean().optional(),
  /** A hosted turn with approved calls was cut off after the API took it: they may or may not have run, and it is not sent again. */
  outcome_unknown: z.boolean().optional(),
});
export type ActivityFailureDetails = z.infer<typeof ActivityFailureDetailsSchema>;

export function activityFailureDetails(type: MCPErrorType, retryable: boolean, attempt: number, retryAfterMs?: number | null): ActivityFailureDetails {
  return { type, retryable, retry_after_ms: retryAfterMs ?? null, attempt };
}

/**
 * The one builder of the ApplicationFailures mcpflow raises for a tool, a server or the model
 * (activities, and workflow input checks): `type` is a type of the error table, never a free
 * string, so retries, statistics and the CLI know every type that can arrive.
 */
export function mcpflowFailure(
  type: MCPErrorType,
  message: string,
  options: { retryable: boolean; nextRetryDelayMs?: number; details?: unknown[] },
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !options.retryable, nextRetryDelay: options.nextRetryDelayMs, details: options.details });
}

export function readActivityFailureDetails(details: readonly unknown[] | undefined | null): ActivityFailureDetails | undefined {
  const parsed = ActivityFailureDetailsSchema.safeParse(details?.[0]);
  return parsed.success ? parsed.data : undefined;
}

/** `runQuery` fails with ApplicationFailure type QUERY_FAILED and these details: the error summary and the partial result. */
export const QUERY_FAILED = 'QueryFailed';

export const ErrorSummarySchema = z.object({
  total_errors: z.number().int().nonnegative(),
  by_type: z.partialRecord(MCPErrorTypeSchema, z.number().int().nonnegative()),
  recoverable_count: z.number().int().nonnegative(),
  last_errors: z.array(RecordedErrorSchema),
});

export const QueryFailedDetailsSchema = z.object({
  summary: ErrorSummarySchema,
  result: QueryResultSchema,
});
export type QueryFailedDetails = z.infer<typeof QueryFailedDetailsSchema>;

export function queryFailedDetails(errors: readonly RecordedError[], result: QueryResult): QueryFailedDetails {
  return { summary: errorSummary(errors), result };
}

export function readQueryFailedDetails(details: readonly unknown[] | undefined | null): QueryFailedDetails | undefined {
  const parsed = QueryFailedDetailsSchema.safeParse(details?.[0]);
  return parsed.success ? parsed.data : undefined;
}

/** The error type a failure's `type` names, when it is one of mcpflow's. */
export function errorTypeOf(type: string | null | undefined): MCPErrorType | undefined {
  const parsed = MCPErrorTypeSchema.safeParse(type);
  return parsed.success ? parsed.data : undefined;
}
