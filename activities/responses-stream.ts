/**
 * A streamed Responses call: events read with a capped, linear SSE reader (./sse-events.ts),
 * a heartbeat on each event naming the server and tool at work, each MCP call's start and end
 * time from its own events, and the response id from `response.created` kept for a retry
 * (./responses-recovery.ts).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import type { ResponseCreateParamsNonStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { classify } from '../src/core/errors';
import { KEEP_ALIVE_HEARTBEAT_MS } from '../src/core/timing';
import { failureFromClassification, nonRetryableFailure, type FailureContext } from './errors';
import type { SentCall } from './responses-recovery';
import { readSseEvents, SseEventTooLargeError } from './sse-events';
import { mcpflowFailure } from '../src/core/failures';

export interface CallTimes {
  started_at: string;
  completed_at: string | null;
}

/** What the call has done so far, for the heartbeats and for the activity's catch. */
export interface CallTracker {
  sent: SentCall;
  /** The API answered 200 and the stream began: the turn's tools may run from here on. */
  accepted: boolean;
  /** An MCP call of the turn was announced (`output_item.added` or `mcp_call.in_progress`). */
  callStarted: boolean;
  /** The stream ended in the API's own report of a failure (an `error` event), not a cut. */
  apiReportedFailure: boolean;
  heartbeat(current: Record<string, string>): void;
}

export async function streamResponse(client: OpenAI, body: ResponseCreateParamsNonStreaming, context: Context, failure: FailureContext, tracker: CallTracker) {
  const callTimes: Record<string, CallTimes> = {};
  const labels = new Map<string, { server: string; tool: string }>();
  let final: unknown;
  let current: Record<string, string> = { event: 'waiting for the first event' };
  tracker.sent = { ...tracker.sent, sent: true, response_id: null };
  // The heartbeat timeout runs from the attempt's start: beat at once, and keep saying the worker
  // is alive while the API is slow to answer or a slow tool sends no events.
  tracker.heartbeat(current);
  const keepAlive = setInterval(() => tracker.heartbeat(current), KEEP_ALIVE_HEARTBEAT_MS);
  try {
    // The raw body: the SDK's own SSE decoder is quadratic in an event's size (./sse-events.ts).
    const response = await client.responses.create({ ...body, stream: true }, { signal: context.cancellationSignal }).asResponse();
    tracker.accepted = true;
    if (!response.body) throw mcpflowFailure('connection', 'the Responses stream had no body', { retryable: true });
    for await (const sse of readSseEvents(response.body)) {
      if (sse.data.startsWith('[DONE]')) break;
      const event = parseEvent(sse.data, response.headers);
      if (event.type === 'response.created' && typeof event.response?.id === 'string') {
        tracker.sent = { ...tracker.sent, response_id: event.response.id };
      }
      if (event.type === 'response.mcp_call.in_progress' || (event.type === 'response.output_item.added' && event.item.type === 'mcp_call'))
        tracker.callStarted = true;
      if (event.type === 'error') tracker.apiReportedFailure = true;
      final = readEvent(event, callTimes, labels, failure) ?? final;
      const itemId = 'item_id' in event && typeof event.item_id === 'string' ? event.item_id : undefined;
      current = { event: event.type, ...(itemId ? labels.get(itemId) : {}) };
      tracker.heartbeat(current);
    }
  } catch (error) {
    if (error instanceof SseEventTooLargeError) {
      // Sent again, the turn would run its tools again and meet the same event: not retried.
      throw nonRetryableFailure('execution_error', `${failure.doing} failed (execution_error): ${error.message}`, failure.attempt);
    }
    throw error;
  } finally {
    clearInterval(keepAlive);
  }
  if (final === undefined) {
    throw mcpflowFailure('connection', 'the Responses stream ended before response.completed', { retryable: true });
  }
  return { response: final, callTimes };
}

/** One event's JSON, as the SDK reads it: a top-level `error` object is an API error. */
function parseEvent(data: string, headers: Headers): ResponseStreamEvent {
  const parsed = JSON.parse(data) as (ResponseStreamEvent & { error?: unknown }) | null;
  if (parsed && typeof parsed === 'object' && parsed.error && !('type' in parsed && parsed.type === 'error')) {
    throw new OpenAI.APIError(undefined, parsed.error as object, undefined, headers);
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.type !== 'string') {
    throw mcpflowFailure('unknown', 'the Responses stream sent an event mcpflow cannot read (no type)', { retryable: true });
  }
  return parsed;
}

/** Notes call times and labels from one event; returns the final response when the event carries it. */
function readEvent(
  event: ResponseStreamEvent,
  callTimes: Record<string, CallTimes>,
  labels: Map<string, { server: string; tool: string }>,
  failure: FailureContext,
): unknown {
  switch (event.type) {
    case 'response.output_item.added':
      if (event.item.type === 'mcp_call' || event.item.type === 'mcp_list_tools') {
        labels.set(event.item.id ?? '', { server: event.item.server_label, tool: event.item.type === 'mcp_call' ? event.item.name : '(listing tools)' });
      }
      return undefined;
    case 'response.mcp_call.in_progress':
      callTimes[event.item_id] = { started_at: new Date().toISOString(), completed_at: null };
      return undefined;
    case 'response.mcp_call.completed':
    case 'response.mcp_call.failed': {
      const times = callTimes[event.item_id];
      if (times) times.completed_at = new Date().toISOString();
      return undefined;
    }
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
      return event.response;
    case 'error':
      throw responseFailure(event.code, event.message, failure);
    default:
      return undefined;
  }
}

/** A model run that failed inside a 200 answer (or a stream's `error` event), classified by its error code like any other failure. */
export function responseFailure(code: string | null, message: string, failure: FailureContext): ApplicationFailure {
  const classification = classify({ source: 'response_error', code });
  const advice = classification.advice ? ` — ${classification.advice}` : '';
  return failureFromClassification(classification, `the model run failed (${code ?? 'no code'}): ${message}${advice}`, failure);
}
