/**
 * The error classification table of ARCHITECTURE.md: one place that turns what went wrong
 * (HTTP status and codes, `mcp_call.error` variants, JSON-RPC codes, transport failures) into an
 * MCPErrorType and a retry decision. Classification never reads message text.
 */
import { z } from 'zod';
import type { McpCallError } from './schemas';

export const MCPErrorTypeSchema = z.enum([
  'connection',
  'authentication',
  'tool_not_found',
  'invalid_arguments',
  'execution_error',
  'timeout',
  'rate_limit',
  'unknown',
  /**
   * A call of a tool with side effects that was sent and then cut off (its worker died, or no
   * answer came in time): it may or may not have run. Set by the workflow, never by an activity.
   */
  'outcome_unknown',
  /** A query's or batch's token or cost budget (max_tokens, max_cost_usd) was exceeded: the work stopped. Set by the workflow. */
  'budget_exceeded',
]);
export type MCPErrorType = z.infer<typeof MCPErrorTypeSchema>;
export const MCP_ERROR_TYPES = MCPErrorTypeSchema.options;

export type RetryRule =
  { kind: 'never'; advice: string } | { kind: 'exponential' } | { kind: 'fixed'; delayMs: number } | { kind: 'server_hint' } | { kind: 'read_only_tools' };

/** What each type means for retrying; delays come from RetrySettings (see retry.ts). */
export const ERROR_TABLE: Record<MCPErrorType, RetryRule> = {
  connection: { kind: 'exponential' },
  authentication: { kind: 'never', advice: 'check the API key or the MCP server credentials' },
  tool_not_found: { kind: 'never', advice: 'refresh the tool catalog; the server no longer offers this tool' },
  invalid_arguments: { kind: 'never', advice: 'fix the request: the arguments do not match the schema' },
  execution_error: { kind: 'read_only_tools' },
  timeout: { kind: 'fixed', delayMs: 5_000 },
  rate_limit: { kind: 'server_hint' },
  unknown: { kind: 'exponential' },
  outcome_unknown: { kind: 'never', advice: 'the call was sent and cut off; it may or may not have run: check the server before running it again' },
  budget_exceeded: { kind: 'never', advice: 'raise the budget (max_tokens / max_cost_usd, --max-tokens / --max-cost) or ask for less' },
};

/** Facts about a failure, gathered by whoever caught it (an activity, the response parser). */
export type ErrorFacts =
  | {
      source: 'http';
      status: number;
      code?: string | null;
      type?: string | null;
      /** From `retry-after-ms` or `retry-after`. */
      retryAfterMs?: number;
      /** From `x-should-retry`: the server's own retry decision overrides the table. */
      shouldRetry?: boolean;
    }
  | { source: 'connection' }
  | { source: 'timeout' }
  | { source: 'mcp_call'; error: McpCallError }
  | { source: 'jsonrpc'; code: number }
  | { source: 'tool_result_error'; readOnly?: boolean }
  /** A response that came back (or streamed) with `status: "failed"` and an `error.code`. */
  | { source: 'response_error'; code: string | null }
  | { source: 'tool_not_found' }
  | { source: 'invalid_arguments' }
  | { source: 'unknown' };

export interface Classification {
  type: MCPErrorType;
  retryable: boolean;
  /** A delay the server asked for; wins over the table's delay. */
  retryAfterMs?: number;
  /** Why it will not be retried, in words a user can act on. */
  advice?: string;
  /** Flex processing had no capacity (HTTP 429 `resource_unavailable`): backed off from the base delay, not the rate-limit one. */
  capacity?: boolean;
}

/**
 * The code of flex processing's HTTP 429 "Resource Unavailable": the tier lacks capacity for a
 * while (it is not the account's rate or quota, and the API does not bill it). Retried with
 * exponential backoff like a connection failure, under the rate_limit type.
 */
export const FLEX_CAPACITY_CODE = 'resource_unavailable';

/** JSON-RPC error codes (MCP spec and the TypeScript SDK's ErrorCode). */
export const JSONRPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  connectionClosed: -32000,
  requestTimeout: -32001,
} as const;

export function classify(facts: ErrorFacts): Classification {
  switch (facts.source) {
    case 'http':
      return classifyHttp(facts);
    case 'connection':
      return decide('connection');
    case 'timeout':
      return decide('timeout');
    case 'mcp_call':
      return classifyMcpCallError(facts.error);
    case 'jsonrpc':
      return decide(typeFromJsonRpcCode(facts.code));
    case 'tool_result_error':
      return decide('execution_error', { readOnly: facts.readOnly });
    case 'response_error':
      return classifyResponseError(facts.code);
    case 'tool_not_found':
      return decide('tool_not_found');
    case 'invalid_arguments':
      return decide('invalid_arguments');
    case 'unknown':
      return decide('unknown');
  }
}

function classifyHttp(facts: Extract<ErrorFacts, { source: 'http' }>): Classification {
  if (facts.status === 429 && facts.code === 'insufficient_quota') {
    // Same status as a rate limit, but waiting does not refill a quota.
    return {
      type: 'rate_limit',
      retryable: false,
      advice: 'the account has no quota left (insufficient_quota): add credit or raise the limit; waiting will not help',
    };
  }
  if (facts.status === 429 && facts.code === FLEX_CAPACITY_CODE && facts.shouldRetry !== false) {
    return {
      type: 'rate_limit',
      retryable: true,
      capacity: true,
      ...(facts.retryAfterMs !== undefined ? { retryAfterMs: facts.retryAfterMs } : {}),
      advice: 'flex processing had no capacity (resource_unavailable): retried with backoff; run without --service-tier flex if it persists',
    };
  }
  if (facts.code === 'previous_response_not_found') {
    // A stored conversation the API no longer has: sending the same request again cannot help.
    return {
      type: 'invalid_arguments',
      retryable: false,
      advice:
        'previous_response_not_found: the API no longer keeps the earlier response (30-day retention, or store: false); run with conversation "stateless" so the workflow carries the conversation',
    };
  }
  const classification = decide(typeFromHttpStatus(facts.status, facts.code), { retryAfterMs: facts.retryAfterMs });
  if (facts.shouldRetry === undefined || classification.type === 'authentication') return classification;
  if (!facts.shouldRetry) return { ...classification, retryable: false, advice: 'the server said not to retry (x-should-retry: false)' };
  if (ERROR_TABLE[classification.type].kind !== 'never') return { ...classification, retryable: true, advice: undefined };
  // The retry policy lists this type as non-retryable, and Temporal obeys the list over the
  // failure's own flag: the server's "retry" is honoured under a type the policy retries.
  return {
    type: 'unknown',
    retryable: true,
    ...(facts.retryAfterMs !== undefined ? { retryAfterMs: facts.retryAfterMs } : {}),
    advice: `the server asked to retry (x-should-retry: true) what is otherwise ${classification.type}, so it is retried as unknown`,
  };
}

/** Codes of `response.error` (ResponseErrorCode) and of stream `error` events. */
function classifyResponseError(code: string | null): Classification {
  switch (code) {
    case 'insufficient_quota':
      return classifyHttp({ source: 'http', status: 429, code });
    case 'rate_limit_exceeded':
      return decide('rate_limit');
    case 'server_error':
      return decide('connection');
    case 'vector_store_timeout':
      return decide('timeout');
    default:
      // invalid_prompt, image or file problems and the like: sending it again changes nothing.
      return decide(code ? 'invalid_arguments' : 'unknown');
  }
}

export function typeFromHttpStatus(status: number, code?: string | null): MCPErrorType {
  if (code === 'external_connector_error') return 'connection';
  if (status === 401 || status === 403) return 'authentication';
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'timeout';
  if (status === 424 || status >= 500) return 'connection';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'invalid_arguments';
  return 'unknown';
}

export function typeFromJsonRpcCode(code: number): MCPErrorType {
  switch (code) {
    case JSONRPC.invalidParams:
      return 'invalid_arguments';
    case JSONRPC.methodNotFound:
      return 'tool_not_found';
    case JSONRPC.requestTimeout:
      return 'timeout';
    case JSONRPC.connectionClosed:
      return 'connection';
    case JSONRPC.internalError:
      return 'execution_error';
    default:
      return 'unknown';
  }
}

export function classifyMcpCallError(error: McpCallError): Classification {
  switch (error.type) {
    case 'mcp_tool_execution_error':
      return decide('execution_error');
    case 'mcp_protocol_error':
      return decide(typeFromJsonRpcCode(error.code));
    case 'http_error':
      return decide(typeFromHttpStatus(error.code));
  }
}

function decide(type: MCPErrorType, extra: { retryAfterMs?: number; readOnly?: boolean } = {}): Classification {
  const rule = ERROR_TABLE[type];
  const retryable = rule.kind === 'read_only_tools' ? extra.readOnly === true : rule.kind !== 'never';
  const result: Classification = { type, retryable };
  if (extra.retryAfterMs !== undefined) result.retryAfterMs = extra.retryAfterMs;
  if (rule.kind === 'never') result.advice = rule.advice;
  if (rule.kind === 'read_only_tools' && !retryable) result.advice = 'the tool has side effects, so it is not run twice';
  return result;
}

/** Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date). */
export function retryAfterFromHeaders(get: (name: string) => string | null | undefined, nowMs: number): number | undefined {
  const ms = Number.parseFloat(get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const header = get('retry-after');
  if (!header) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/** Reads `x-should-retry: true|false`; anything else means "no opinion". */
export function shouldRetryFromHeaders(get: (name: string) => string | null | undefined): boolean | undefined {
  const value = get('x-should-retry');
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** One error as kept in statistics and summaries: type and a message safe to show. */
export const RecordedErrorSchema = z.object({
  type: MCPErrorTypeSchema,
  message: z.string(),
  retryable: z.boolean(),
});
export type RecordedError = z.infer<typeof RecordedErrorSchema>;

/** The error summary (how many, by type, how many retryable, the last few), over recorded errors. */
export function errorSummary(errors: readonly RecordedError[], lastN = 5) {
  const byType: Partial<Record<MCPErrorType, number>> = {};
  for (const error of errors) byType[error.type] = (byType[error.type] ?? 0) + 1;
  return {
    total_errors: errors.length,
    by_type: byType,
    recoverable_count: errors.filter((error) => error.retryable).length,
    last_errors: errors.slice(-lastN),
  };
}
export type ErrorSummary = ReturnType<typeof errorSummary>;
