/**
 * Turns whatever an activity caught (an `openai` error, an MCP SDK error, a network failure)
 * into ErrorFacts for the core table, and then into the ApplicationFailure Temporal retries by:
 * `type` = MCPErrorType, `nonRetryable` from the table, `nextRetryDelay` from the server's
 * `retry-after` or the table's delay for this attempt.
 */
import { ApplicationFailure } from '@temporalio/common';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { classify, MCPErrorTypeSchema, retryAfterFromHeaders, shouldRetryFromHeaders, type Classification, type ErrorFacts } from '../src/core/errors';
import { nextRetryDelayMs, type RetrySettings } from '../src/core/retry';

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_ERROR_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function errorFacts(error: unknown, nowMs = Date.now()): ErrorFacts {
  // Order matters: the timeout class extends the connection class, which extends APIError.
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { source: 'timeout' };
  if (error instanceof OpenAI.APIConnectionError) return { source: 'connection' };
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const get = (name: string) => error.headers?.get(name);
    return {
      source: 'http',
      status: error.status,
      code: error.code ?? null,
      type: error.type ?? null,
      retryAfterMs: retryAfterFromHeaders(get, nowMs),
      shouldRetry: shouldRetryFromHeaders(get),
    };
  }
  if (error instanceof McpError) return { source: 'jsonrpc', code: error.code };
  if (error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code > 0) {
    return { source: 'http', status: error.code };
  }
  const code = systemErrorCode(error);
  if (code && TIMEOUT_ERROR_CODES.has(code)) return { source: 'timeout' };
  if (code && NETWORK_ERROR_CODES.has(code)) return { source: 'connection' };
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { source: 'timeout' };
  // fetch() reports an unreachable host as a bare TypeError whose cause carries the code.
  if (error instanceof TypeError && error.message === 'fetch failed') return { source: 'connection' };
  return { source: 'unknown' };
}

/** The system error code of an error or of any error in its `cause` chain. */
function systemErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current === 'object' && 'code' in current && typeof current.code === 'string') return current.code;
    current = typeof current === 'object' && 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

export function classifyError(error: unknown): Classification {
  return classify(errorFacts(error));
}

/** Hides anything shaped like an API key or bearer token before a message reaches history or logs. */
export function redactSecrets(message: string): string {
  return message
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '$1-***')
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1***');
}

export function errorMessage(error: unknown, secrets: readonly string[] = []): string {
  let message = error instanceof Error ? error.message : String(error);
  // A server may echo a header value back in its error; the activity knows what it resolved.
  for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('***');
  return redactSecrets(message);
}

export interface FailureContext {
  /** The attempt that just failed (Temporal's `info.attempt`, 1-based). */
  attempt: number;
  settings: RetrySettings;
  /** What was being done, for the message: "calling the Responses API", "listing tools of weather". */
  doing: string;
  /** Secret values the activity resolved, kept out of the message. */
  secrets?: readonly string[];
}

export function toApplicationFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return withAttempt(error, context);
  const classification = classifyError(error);
  const message = `${context.doing} failed (${classification.type}): ${errorMessage(error, context.secrets)}${classification.advice ? ` — ${classification.advice}` : ''}`;
  return ApplicationFailure.create({
    type: classification.type,
    message,
    nonRetryable: !classification.retryable,
    nextRetryDelay: classification.retryable
      ? nextRetryDelayMs(classification.type, context.attempt, context.settings, classification.retryAfterMs)
      : undefined,
    details: [{ type: classification.type, retryable: classification.retryable, retry_after_ms: classification.retryAfterMs ?? null, attempt: context.attempt }],
  });
}

/**
 * A failure an activity raised itself (a stream that ended early, a response it cannot read)
 * gets the same attempt detail and table delay as a classified one, so retries are counted.
 */
function withAttempt(failure: ApplicationFailure, context: FailureContext): ApplicationFailure {
  const details = failure.details?.[0] as { attempt?: number } | undefined;
  if (typeof details?.attempt === 'number') return failure;
  const type = MCPErrorTypeSchema.safeParse(failure.type);
  const retryable = !failure.nonRetryable;
  return ApplicationFailure.create({
    type: failure.type ?? 'unknown',
    message: errorMessage(failure, context.secrets),
    nonRetryable: failure.nonRetryable === true,
    nextRetryDelay: failure.nextRetryDelay ?? (retryable && type.success ? nextRetryDelayMs(type.data, context.attempt, context.settings) : undefined),
    details: [{ type: failure.type, retryable, retry_after_ms: null, attempt: context.attempt }],
  });
}
