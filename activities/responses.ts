/**
 * One Responses API call per activity. The openai client never retries (`maxRetries: 0`) and
 * times out before the activity does, so Temporal owns every retry and shows it in history.
 * With streaming, the activity heartbeats on each event (naming the server and tool at work)
 * and takes each MCP call's start and end time from the call's own events (./responses-stream.ts).
 * A turn cut off after the API took it is not sent again blindly (./responses-recovery.ts).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import type { ResponseCreateParamsNonStreaming } from 'openai/resources/responses/responses';
import { type RecordedError } from '../src/core/errors';
import { errorTypeOf, mcpflowFailure } from '../src/core/failures';
import { clipCallOutputs } from '../src/core/payload-size';
import { describeZodError, ResponseSchema, type OutputItem, type Response, type Usage } from '../src/core/schemas';
import { attemptErrorsField, earlierAttemptErrors } from './attempt-errors';
import { classifyError, errorMessage, isListingError, listingFailure, toApplicationFailure, type FailureContext } from './errors';
import { requestBody, type ResponsesCallInput } from './request';
import { approvedCallsAwaiting, earlierSentCall, outcomeUnknownFailure, retrieveStored, sentCallDetails } from './responses-recovery';
import { responseFailure, streamResponse, type CallTimes, type CallTracker } from './responses-stream';
import { redactDeep, secretValues, type Env } from './secrets';

export type { ResponsesCallInput } from './request';
export type { CallTimes } from './responses-stream';

export interface ResponsesCallResult {
  response_id: string;
  status: Response['status'];
  output: OutputItem[];
  usage: Usage | null;
  error: { code: string; message: string } | null;
  /** Start and end of each `mcp_call` by item id (exact when streamed, the call's window otherwise). */
  call_times: Record<string, CallTimes>;
  /** Which attempt succeeded (1 = first try). */
  attempt: number;
  /** Errors of the attempts before it, fixed by the retry (./attempt-errors.ts). */
  attempt_errors?: RecordedError[];
}

export interface ResponsesDeps {
  openai: (timeoutMs: number) => OpenAI;
  env: Env;
}

export function createResponsesActivities(deps: ResponsesDeps) {
  async function callResponsesApi(input: ResponsesCallInput): Promise<ResponsesCallResult> {
    const context = Context.current();
    const failure: FailureContext = {
      attempt: context.info.attempt,
      settings: input.retry,
      doing: 'calling the Responses API',
      secrets: secretValues(input.servers, deps.env),
    };
    const approved = approvedCallsAwaiting(input.input);
    const tracker = callTracker(context, input);
    try {
      const body = requestBody(input, deps.env);
      const client = deps.openai(input.timeout_ms);
      const startedAt = new Date().toISOString();
      const deadlineMs = Date.now() + Math.max(0, context.info.startToCloseTimeoutMs - RETRIEVE_MARGIN_MS);
      let outcome = approved.length ? await recoverEarlierAttempt(client, context, tracker, approved, failure, deadlineMs) : undefined;
      try {
        outcome ??= input.stream ? await streamResponse(client, body, context, failure, tracker) : await createResponse(client, body, context, tracker);
      } catch (error) {
        // A cancelled run stops its background response too: the API would finish it otherwise.
        if (context.cancellationSignal.aborted && body.background && tracker.sent.response_id)
          client.responses.cancel(tracker.sent.response_id).catch(() => undefined);
        if (!approved.length || !wasCutOff(tracker)) throw error;
        // Cut off after the API took the turn: its approved calls may have run. Never sent again.
        outcome = await recoverCutOffCall(client, context, tracker, approved, failure, deadlineMs, error);
      }
      return callResult(outcome, approved, failure, startedAt);
    } catch (error) {
      throw input.fail_on_listing_error && isListingError(error) ? listingFailure(error, failure) : toApplicationFailure(error, failure);
    }
  }

  return { callResponsesApi };
}

/**
 * The result of a call that ended: read against the schema, a failed model run classified (its
 * approved calls' outcome unknown once an MCP call began), secrets the servers echoed removed.
 */
export function callResult(outcome: CallOutcome, approved: readonly string[], failure: FailureContext, startedAt: string): ResponsesCallResult {
  const parsed = ResponseSchema.safeParse(outcome.response);
  if (!parsed.success) {
    throw mcpflowFailure('unknown', `the Responses API sent a response mcpflow cannot read: ${describeZodError(parsed.error)}`, { retryable: true });
  }
  if (parsed.data.status === 'failed' && parsed.data.error) {
    if (approved.length && parsed.data.output.some((item) => item.type === 'mcp_call'))
      throw outcomeUnknownFailure(`the model run failed (${parsed.data.error.code}): ${parsed.data.error.message}`, approved, failure);
    throw responseFailure(parsed.data.error.code, parsed.data.error.message, failure);
  }
  // A server may echo the headers it received: outputs, mcp_call.error and the text quoting them leave without secrets.
  return redactDeep(
    summarize(parsed.data, fillCallTimes(parsed.data, outcome.callTimes, startedAt, new Date().toISOString()), failure.attempt),
    failure.secrets ?? [],
  );
}

/** Time kept at the end of an attempt when polling a stored response, so the attempt ends by itself. */
const RETRIEVE_MARGIN_MS = 2_000;

export type CallOutcome = { response: unknown; callTimes: Record<string, CallTimes> };

function callTracker(context: Context, input: ResponsesCallInput): CallTracker {
  const earlierErrors = earlierAttemptErrors(context);
  const tracker: CallTracker = {
    // What an earlier attempt sent stays in the details until this one sends anew.
    sent: earlierSentCall(context) ?? { sent: false, response_id: null, stored: input.store !== false },
    accepted: false,
    callStarted: false,
    apiReportedFailure: false,
    heartbeat: (current) =>
      context.heartbeat({ ...sentCallDetails(current, tracker.sent), ...(earlierErrors.length ? { mcpflow_attempt_errors: earlierErrors } : {}) }),
  };
  return tracker;
}

async function createResponse(client: OpenAI, body: ResponseCreateParamsNonStreaming, context: Context, tracker: CallTracker): Promise<CallOutcome> {
  tracker.sent = { ...tracker.sent, sent: true, response_id: null };
  tracker.heartbeat({ event: 'waiting for the response' });
  return { response: await client.responses.create(body, { signal: context.cancellationSignal }), callTimes: {} };
}

/**
 * An earlier attempt sent this turn, which approves calls, and was cut off (its worker died):
 * its stored response is followed instead of sending the turn again; without one (or when it
 * did not complete) the turn stops here, its outcome unknown. Undefined: nothing was sent yet.
 */
async function recoverEarlierAttempt(
  client: OpenAI,
  context: Context,
  tracker: CallTracker,
  approved: string[],
  failure: FailureContext,
  deadlineMs: number,
): Promise<CallOutcome | undefined> {
  const earlier = earlierSentCall(context);
  if (!earlier) return undefined;
  const why = 'the worker running this turn was lost after sending it';
  if (!earlier.stored || !earlier.response_id) {
    throw outcomeUnknownFailure(
      `${why} (nothing is stored at the API to follow instead${earlier.stored ? '' : ': conversation "stateless"'})`,
      approved,
      failure,
    );
  }
  const responseId = earlier.response_id;
  const retrieved = await retrieveStored(
    client,
    responseId,
    context,
    () => tracker.heartbeat({ event: `following response ${responseId} of the attempt that was cut off` }),
    deadlineMs,
  );
  if (retrieved.kind === 'ended' && statusOf(retrieved.response) === 'completed') return { response: retrieved.response, callTimes: {} };
  throw outcomeUnknownFailure(
    `${why}, and ${retrieved.kind === 'lost' ? retrieved.why : `its response ended ${statusOf(retrieved.response)}`}`,
    approved,
    failure,
  );
}

/** The same, within the attempt whose stream broke after the API took the turn. */
async function recoverCutOffCall(
  client: OpenAI,
  context: Context,
  tracker: CallTracker,
  approved: string[],
  failure: FailureContext,
  deadlineMs: number,
  error: unknown,
): Promise<CallOutcome> {
  const type = error instanceof ApplicationFailure ? (errorTypeOf(error.type) ?? 'unknown') : classifyError(error).type;
  const { response_id: responseId, stored } = tracker.sent;
  // Not for a failure the API reported, nor an event too large to read (the stored response holds it too).
  const retrievable = !tracker.apiReportedFailure && !(error instanceof ApplicationFailure && error.nonRetryable);
  if (stored && responseId && retrievable) {
    const retrieved = await retrieveStored(
      client,
      responseId,
      context,
      () => tracker.heartbeat({ event: `following response ${responseId} after its stream broke` }),
      deadlineMs,
    );
    if (retrieved.kind === 'ended' && statusOf(retrieved.response) === 'completed') return { response: retrieved.response, callTimes: {} };
  }
  throw outcomeUnknownFailure(`the turn was cut off after the API took it (${type}): ${errorMessage(error, failure.secrets)}`, approved, failure);
}

/**
 * The API took the turn and then the call broke without the API saying why (a dropped stream, a
 * timeout, an event too large to read), or the API reported a failure after an MCP call began.
 */
function wasCutOff(tracker: CallTracker): boolean {
  if (!tracker.accepted) return false;
  if (tracker.apiReportedFailure) return tracker.callStarted;
  return true;
}

function statusOf(response: unknown): string {
  return typeof response === 'object' && response !== null && 'status' in response ? String(response.status) : 'unreadable';
}

function fillCallTimes(response: Response, streamed: Record<string, CallTimes>, startedAt: string, completedAt: string) {
  const times: Record<string, CallTimes> = {};
  for (const item of response.output) {
    if (item.type !== 'mcp_call') continue;
    const exact = streamed[item.id];
    times[item.id] = exact
      ? { started_at: exact.started_at, completed_at: exact.completed_at ?? completedAt }
      : { started_at: startedAt, completed_at: completedAt };
  }
  return times;
}

function summarize(response: Response, callTimes: Record<string, CallTimes>, attempt: number): ResponsesCallResult {
  return {
    response_id: response.id,
    status: response.status,
    output: clipCallOutputs(response.output),
    usage: response.usage ?? null,
    error: response.error ?? null,
    call_times: callTimes,
    attempt,
    ...attemptErrorsField(),
  };
}
