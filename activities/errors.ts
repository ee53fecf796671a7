/**
 * Turns whatever an activity caught (an `openai` error, an MCP SDK error, a network failure)
 * into ErrorFacts for the core table, and then into the ApplicationFailure Temporal retries by:
 * `type` = MCPErrorType, `nonRetryable` from the table, `nextRetryDelay` from the server's
 * `retry-after` or the table's delay for this attempt. Classification reads error classes,
 * statuses and codes, never message text.
 */
import { ApplicationFailure } from '@temporalio/common';
import { OAuthClientFlowError, ProtocolError, SdkError, SdkErrorCode, SdkHttpError, SseError, UnauthorizedError } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import { classify, retryAfterFromHeaders, shouldRetryFromHeaders, type Classification, type ErrorFacts, type MCPErrorType } from '../src/core/errors';
import { activityFailureDetails, errorTypeOf, mcpflowFailure, readActivityFailureDetails } from '../src/core/failures';
import { nextRetryDelayMs, type RetrySettings } from '../src/core/retry';
import { rememberAttemptError } from './attempt-errors';
import { redactText } from './secrets';
import { McpflowError } from '../src/core/mcpflow-error';
import { McpAnswerTooLargeError } from './mcp/2025/bounded-fetch';

/** System (E*) and undici (UND_ERR_*) codes of a peer that cannot be reached or went away. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_ERROR_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A stateful MCP server answered 404 to a request that carried its session id: the server
 * restarted or expired the session. The MCP spec's answer is a new session, so this is a
 * connection failure (retried with a new connection), not the 404 of a wrong URL.
 */
export class McpSessionExpiredError extends McpflowError {
  constructor(cause: unknown) {
    super('the MCP server no longer knows this session (HTTP 404): the next attempt opens a new one', { cause });
  }
}

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
  if (error instanceof McpSessionExpiredError) return { source: 'connection' };
  // An MCP answer over the bound (./mcp/2025/bounded-fetch.ts): the connection is given up, as for stdio's.
  if (error instanceof McpAnswerTooLargeError) return { source: 'connection' };
  return mcpSdkFacts(error) ?? networkFacts(error) ?? { source: 'unknown' };
}

/** SDK-local failures that mean the connection is gone or unusable: a new connection may work. */
const SDK_CONNECTION_CODES = new Set<string>([SdkErrorCode.ConnectionClosed, SdkErrorCode.NotConnected, SdkErrorCode.SendFailed]);

/**
 * The MCP SDK's errors: a JSON-RPC error from the server (ProtocolError), an HTTP status
 * (SdkHttpError on Streamable HTTP; SseError, whose `code` is the status, on legacy HTTP+SSE),
 * the SDK's own timeout and closed-connection errors (SdkError), a sign-in the worker cannot do.
 */
function mcpSdkFacts(error: unknown): ErrorFacts | undefined {
  if (error instanceof ProtocolError) return { source: 'jsonrpc', code: error.code };
  if (error instanceof SdkHttpError && error.status > 0) return { source: 'http', status: error.status };
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.RequestTimeout) return { source: 'timeout' };
    if (SDK_CONNECTION_CODES.has(error.code)) return { source: 'connection' };
    return undefined;
  }
  if (error instanceof SseError && typeof error.code === 'number' && error.code > 0) return { source: 'http', status: error.code };
  if (error instanceof UnauthorizedError || error instanceof OAuthClientFlowError) return { source: 'http', status: 401 };
  return undefined;
}

/**
 * Failures below HTTP. Node's fetch (undici) throws a TypeError whose `cause` is the real
 * failure: a system error (ECONNREFUSED…), an undici error (UND_ERR_SOCKET…) or an HTTP parser
 * error (HPE_…, the peer does not speak HTTP). A TypeError with an Error cause and no known code
 * is still a network failure, except Node's own ERR_* codes (an invalid URL): those are misuse,
 * and trying again changes nothing.
 */
function networkFacts(error: unknown): ErrorFacts | undefined {
  const code = systemErrorCode(error);
  if (code && TIMEOUT_ERROR_CODES.has(code)) return { source: 'timeout' };
  if (code && (NETWORK_ERROR_CODES.has(code) || code.startsWith('HPE_'))) return { source: 'connection' };
  // AbortSignal.timeout() and aborted fetches reject with a DOMException named by its kind.
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { source: 'timeout' };
  if (error instanceof TypeError && error.cause instanceof Error && !code?.startsWith('ERR_')) return { source: 'connection' };
  return undefined;
}

/** The string code of an error or of the first error in its `cause` chain that has one. */
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
  return redactText(message, []);
}

/** A message with the secrets the activity resolved (a server may echo a header back, also base64) and key-shaped text hidden. */
export function hideSecrets(message: string, secrets: readonly string[] = []): string {
  return redactText(message, secrets);
}

export function errorMessage(error: unknown, secrets: readonly string[] = []): string {
  return hideSecrets(error instanceof Error ? error.message : String(error), secrets);
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

/**
 * The one builder of every ApplicationFailure an activity throws: type and retryability from
 * the classification, the table's delay (or the server's) for this attempt, and details in the
 * schema of src/core/failures.ts, which workflows read to count attempts.
 */
export function failureFromClassification(classification: Classification, message: string, context: FailureContext): ApplicationFailure {
  const { type, retryable, retryAfterMs } = classification;
  const failure = mcpflowFailure(type, hideSecrets(message, context.secrets), {
    retryable,
    nextRetryDelayMs: retryable ? retryDelayMs(classification, context) : undefined,
    details: [activityFailureDetails(type, retryable, context.attempt, retryAfterMs)],
  });
  // The next attempt learns of this error: if it succeeds, the run still counts it.
  rememberAttemptError(failure);
  return failure;
}

/** The table's delay; flex capacity backs off from the base delay (capacity returns on its own, unlike a rate limit's window). */
function retryDelayMs({ type, retryAfterMs, capacity }: Classification, { attempt, settings }: FailureContext): number {
  if (capacity && retryAfterMs === undefined) return Math.min(settings.base_delay_ms * 2 ** Math.max(0, attempt - 1), settings.max_delay_ms);
  return nextRetryDelayMs(type, attempt, settings, retryAfterMs);
}

export function toApplicationFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return withAttempt(error, context);
  const classification = classifyError(error);
  const advice = classification.advice ? ` — ${classification.advice}` : '';
  const unreadable = isUnreadableReply(error) ? 'the reply could not be read: ' : '';
  return failureFromClassification(classification, `${context.doing} failed (${classification.type}): ${unreadable}${errorMessage(error)}${advice}`, context);
}

/** A failure no retry can fix (a refused destination, a program that cannot start, a result too large): fixing the cause is the only way on. */
export function nonRetryableFailure(type: MCPErrorType, message: string, attempt: number): ApplicationFailure {
  return mcpflowFailure(type, message, { retryable: false, details: [activityFailureDetails(type, false, attempt)] });
}

/**
 * A TypeError with no network cause: a client library tripped over a reply of the wrong shape
 * (the openai SDK reads `output[i].type` before we can validate). Said so, so that "Cannot read
 * properties of null" is not mistaken for a bug of the caller.
 */
function isUnreadableReply(error: unknown): boolean {
  return error instanceof TypeError && !(error.cause instanceof Error) && systemErrorCode(error) === undefined;
}

/**
 * A failure an activity raised itself (a stream that ended early, arguments that do not match)
 * gets the same details and table delay as a classified one, so retries are counted.
 */
function withAttempt(failure: ApplicationFailure, context: FailureContext): ApplicationFailure {
  if (readActivityFailureDetails(failure.details)) return failure;
  const classification: Classification = { type: errorTypeOf(failure.type) ?? 'unknown', retryable: failure.nonRetryable !== true };
  return failureFromClassification(classification, failure.message, context);
}

/** HTTP 424 `external_connector_error`: the API could not list (or reach) one of the request's MCP servers. */
export function isListingError(error: unknown): boolean {
  return error instanceof OpenAI.APIError && error.status === 424;
}

/**
 * A listing error of a call made with `fail_on_listing_error`: not retried here, because the
 * workflow lists each server on its own (with retries) to learn which one failed.
 */
export function listingFailure(error: unknown, context: FailureContext): ApplicationFailure {
  const { type } = classifyError(error);
  return mcpflowFailure(type, `${context.doing} failed (${type}): ${errorMessage(error, context.secrets)}`, {
    retryable: false,
    details: [{ ...activityFailureDetails(type, false, context.attempt), listing_failed: true }],
  });
}
