/**
 * Background mode (src/core/background.ts): a model turn as short activities instead of one
 * that waits for the whole call. `createBackgroundResponse` sends the turn with
 * `background: true` and returns the response id at once; the workflow sleeps on durable
 * timers between `retrieveBackgroundResponse` polls (`GET /v1/responses/{id}`), and
 * `cancelBackgroundResponse` (`POST /v1/responses/{id}/cancel`) stops it when the query is
 * cancelled or its time is up. The id is in history once the create activity completes, so a
 * worker lost during the call is replaced by one that follows the same response: the turn is
 * never sent again and its hosted tools run once.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Response as ApiResponse } from 'openai/resources/responses/responses';
import type { BackgroundTurnFailure } from '../src/core/background';
import type { MCPErrorType, RecordedError } from '../src/core/errors';
import { activityFailureDetails, errorTypeOf, mcpflowFailure } from '../src/core/failures';
import type { RetrySettings } from '../src/core/retry';
import type { ServerConfig } from '../src/core/servers';
import { KEEP_ALIVE_HEARTBEAT_MS } from '../src/core/timing';
import { attemptErrorsField } from './attempt-errors';
import { isListingError, listingFailure, toApplicationFailure, type FailureContext } from './errors';
import { requestBody, type ResponsesCallInput } from './request';
import { callResult, type ResponsesCallResult, type ResponsesDeps } from './responses';
import { approvedCallsAwaiting, earlierSentCall, outcomeUnknownFailure, sentCallDetails, type SentCall } from './responses-recovery';
import { secretValues } from './secrets';

export interface BackgroundCreated {
  response_id: string;
  /** Approval requests this turn approves whose calls are not yet in the conversation (./responses-recovery.ts). */
  approved: string[];
  attempt: number;
  attempt_errors?: RecordedError[];
  /** The API answered with a response that had already ended. */
  result?: ResponsesCallResult;
}

export interface BackgroundRetrieveInput {
  response_id: string;
  /** The turn's servers: their secrets are kept out of what the response echoes. */
  servers: ServerConfig[];
  approved: string[];
  retry: RetrySettings;
  timeout_ms: number;
  /** Which time the turn is sent (1 = first): failures count it as their attempt. */
  turn_attempt: number;
  /** When the turn's time (`call_timeout_ms`) is up: a response still running then is cancelled. */
  deadline_ms: number;
}

export type BackgroundPoll = { done: false; status: string; detail: string } | { done: true; result: ResponsesCallResult };

export interface BackgroundCancelInput {
  response_id: string;
  retry: RetrySettings;
  timeout_ms: number;
}

export function createBackgroundActivities(deps: ResponsesDeps) {
  async function createBackgroundResponse(input: ResponsesCallInput): Promise<BackgroundCreated> {
    const context = Context.current();
    const failure = failureContext(context.info.attempt, input.retry, input.servers, deps, 'starting a background Responses call');
    const approved = approvedCallsAwaiting(input.input);
    const earlier = earlierSentCall(context);
    let sent: SentCall = { sent: false, response_id: null, stored: true };
    const beat = (event: string) => context.heartbeat(sentCallDetails({ event }, sent));
    const keepAlive = setInterval(() => beat('waiting for the API to take the turn'), KEEP_ALIVE_HEARTBEAT_MS);
    try {
      // The earlier attempt's POST may have reached the API; its id never came back. Sent again,
      // approved calls would run twice: stopped here, as a cut-off streamed turn is.
      if (earlier && approved.length)
        throw outcomeUnknownFailure('the worker starting this turn in the background was lost after sending it', approved, failure);
      const body = { ...requestBody(input, deps.env), background: true, stream: false as const };
      delete body.store;
      const client = deps.openai(input.timeout_ms);
      const startedAt = new Date().toISOString();
      sent = { ...sent, sent: true };
      beat('sending the turn in background mode');
      const response = await client.responses.create(body, { signal: context.cancellationSignal });
      if (!isRunning(response.status))
        return { response_id: response.id, approved, attempt: failure.attempt, result: callResult({ response, callTimes: {} }, approved, failure, startedAt) };
      return { response_id: response.id, approved, attempt: failure.attempt, ...attemptErrorsField() };
    } catch (error) {
      // The first turn is also the listing: a server the API cannot list is found by listing each (workflows/query/catalog.ts).
      if (input.fail_on_listing_error && isListingError(error)) throw listingFailure(error, failure);
      throw toApplicationFailure(error, failure);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async function retrieveBackgroundResponse(input: BackgroundRetrieveInput): Promise<BackgroundPoll> {
    const context = Context.current();
    const failure = failureContext(input.turn_attempt, input.retry, input.servers, deps, `following background response ${input.response_id}`);
    const client = deps.openai(input.timeout_ms);
    let response: ApiResponse;
    try {
      response = await client.responses.retrieve(input.response_id, {}, { signal: context.cancellationSignal });
    } catch (error) {
      // A connection error or a 5xx is retried by Temporal (GET changes nothing); a response the API lost is not.
      throw toApplicationFailure(error, { ...failure, attempt: context.info.attempt });
    }
    if (isRunning(response.status)) {
      if (Date.now() < input.deadline_ms) return { done: false, status: response.status ?? 'in_progress', detail: runningDetail(response) };
      await client.responses.cancel(input.response_id).catch(() => undefined);
      const why = `response ${input.response_id} was still ${response.status} when the call timeout ran out; it was cancelled`;
      if (input.approved.length) throw outcomeUnknownFailure(why, input.approved, failure);
      throw turnFailure('timeout', true, why, failure.attempt);
    }
    if (response.status === 'cancelled') {
      const why = `response ${input.response_id} was cancelled at the API`;
      if (input.approved.length && response.output.some((item) => item.type === 'mcp_call')) throw outcomeUnknownFailure(why, input.approved, failure);
      throw turnFailure('unknown', false, why, failure.attempt);
    }
    const startedAt = typeof response.created_at === 'number' ? new Date(response.created_at * 1000).toISOString() : new Date().toISOString();
    try {
      return { done: true, result: callResult({ response, callTimes: {} }, input.approved, failure, startedAt) };
    } catch (error) {
      // The response ended failed: sending the turn again is the workflow's choice, not a GET again.
      if (error instanceof ApplicationFailure && !error.nonRetryable)
        throw turnFailure(errorTypeOf(error.type) ?? 'unknown', true, error.message, failure.attempt);
      throw error;
    }
  }

  async function cancelBackgroundResponse(input: BackgroundCancelInput): Promise<{ status: string }> {
    const context = Context.current();
    const client = deps.openai(input.timeout_ms);
    try {
      const response = await client.responses.cancel(input.response_id, { signal: context.cancellationSignal });
      return { status: response.status ?? 'cancelled' };
    } catch (error) {
      throw toApplicationFailure(error, failureContext(context.info.attempt, input.retry, [], deps, `cancelling background response ${input.response_id}`));
    }
  }

  return { createBackgroundResponse, retrieveBackgroundResponse, cancelBackgroundResponse };
}

function failureContext(attempt: number, settings: RetrySettings, servers: ServerConfig[], deps: ResponsesDeps, doing: string): FailureContext {
  return { attempt, settings, doing, secrets: secretValues(servers, deps.env) };
}

function isRunning(status: string | null | undefined): boolean {
  return status === 'queued' || status === 'in_progress';
}

/** What the running response is doing, from its output so far: the MCP call at work, if one is. */
function runningDetail(response: ApiResponse): string {
  const last = response.output.at(-1);
  if (last?.type === 'mcp_call') return `${last.server_label} · ${last.name}`;
  if (last?.type === 'mcp_list_tools') return `${last.server_label}: listing tools`;
  return response.status ?? 'in_progress';
}

/**
 * The background response ended without an answer. Never retried by Temporal (the GET would
 * only read the same end): `retryable` tells the workflow whether to send the turn again.
 */
function turnFailure(type: MCPErrorType, retryable: boolean, message: string, attempt: number): ApplicationFailure {
  const details: BackgroundTurnFailure = { ...activityFailureDetails(type, retryable, attempt), background_response_ended: true };
  return mcpflowFailure(type, message, { retryable: false, details: [details] });
}
