/**
 * One Responses API call per activity. The openai client never retries (`maxRetries: 0`) and
 * times out before the activity does, so Temporal owns every retry and shows it in history.
 * With streaming, the activity heartbeats on each event (naming the server and tool at work)
 * and takes each MCP call's start and end time from the call's own events.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import type { ResponseCreateParamsNonStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { classify, type RecordedError } from '../src/core/errors';
import { clipCallOutputs } from '../src/core/payload-size';
import type { RetrySettings } from '../src/core/retry';
import { describeZodError, ResponseSchema, type FunctionToolConfig, type InputItem, type McpToolConfig, type OutputItem, type Response, type Usage } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import { attemptErrorsField } from './attempt-errors';
import { failureFromClassification, isListingError, listingFailure, toApplicationFailure, type FailureContext } from './errors';
import { requestBody } from './request';
import { redactDeep, secretValues, type Env } from './secrets';

export interface ResponsesCallInput {
  model: string;
  input: string | InputItem[];
  servers: ServerConfig[];
  /** Direct mode: MCP tools shown to the model as function tools (see src/core/function-tools.ts). */
  function_tools?: FunctionToolConfig[];
  previous_response_id?: string | null;
  /** `false`: the workflow carries the conversation; the API keeps nothing. */
  store?: false;
  instructions?: string;
  stream: boolean;
  metadata?: Record<string, string>;
  tool_choice?: 'auto' | 'none';
  /** Per-server overrides of the tool config, e.g. forcing approval while only listing tools. */
  tool_overrides?: Partial<McpToolConfig>;
  retry: RetrySettings;
  timeout_ms: number;
  /** The call is also the query's discovery: a server the API cannot list (HTTP 424) fails it at once, with `listing_failed`. */
  fail_on_listing_error?: boolean;
}

export interface CallTimes {
  started_at: string;
  completed_at: string | null;
}

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

/** Well inside the 2 s heartbeat timeout of streamed calls (workflows/query/model.ts); the SDK throttles what it sends. */
const KEEP_ALIVE_HEARTBEAT_MS = 500;


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
    try {
      const body = requestBody(input, deps.env);
      const client = deps.openai(input.timeout_ms);
      const startedAt = new Date().toISOString();
      const { response, callTimes } = input.stream
        ? await streamResponse(client, body, context, failure)
        : { response: await client.responses.create(body, { signal: context.cancellationSignal }), callTimes: {} };
      const parsed = ResponseSchema.safeParse(response);
      if (!parsed.success) {
        throw ApplicationFailure.create({
          type: 'unknown',
          message: `the Responses API sent a response mcpflow cannot read: ${describeZodError(parsed.error)}`,
        });
      }
      if (parsed.data.status === 'failed' && parsed.data.error) throw responseFailure(parsed.data.error.code, parsed.data.error.message, failure);
      // A server may echo the headers it received: outputs, mcp_call.error and the text quoting them leave without secrets.
      return redactDeep(summarize(parsed.data, fillCallTimes(parsed.data, callTimes, startedAt, new Date().toISOString()), failure.attempt), failure.secrets ?? []);
    } catch (error) {
      throw input.fail_on_listing_error && isListingError(error) ? listingFailure(error, failure) : toApplicationFailure(error, failure);
    }
  }

  return { callResponsesApi };
}

async function streamResponse(client: OpenAI, body: ResponseCreateParamsNonStreaming, context: Context, failure: FailureContext) {
  const callTimes: Record<string, CallTimes> = {};
  const labels = new Map<string, { server: string; tool: string }>();
  let final: unknown;
  let current: Record<string, string> = { event: 'waiting for the first event' };
  // The heartbeat timeout runs from the attempt's start: beat at once, and keep saying the worker
  // is alive while the API is slow to answer or a slow tool sends no events.
  context.heartbeat(current);
  const keepAlive = setInterval(() => context.heartbeat(current), KEEP_ALIVE_HEARTBEAT_MS);
  try {
    const stream = await client.responses.create({ ...body, stream: true }, { signal: context.cancellationSignal });
    for await (const event of stream) {
      final = readEvent(event, callTimes, labels, failure) ?? final;
      const itemId = 'item_id' in event && typeof event.item_id === 'string' ? event.item_id : undefined;
      current = { event: event.type, ...(itemId ? labels.get(itemId) : {}) };
      context.heartbeat(current);
    }
  } finally {
    clearInterval(keepAlive);
  }
  if (final === undefined) {
    throw ApplicationFailure.create({ type: 'connection', message: 'the Responses stream ended before response.completed' });
  }
  return { response: final, callTimes };
}

/** Notes call times and labels from one event; returns the final response when the event carries it. */
function readEvent(event: ResponseStreamEvent, callTimes: Record<string, CallTimes>, labels: Map<string, { server: string; tool: string }>, failure: FailureContext): unknown {
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
function responseFailure(code: string | null, message: string, failure: FailureContext): ApplicationFailure {
  const classification = classify({ source: 'response_error', code });
  const advice = classification.advice ? ` — ${classification.advice}` : '';
  return failureFromClassification(classification, `the model run failed (${code ?? 'no code'}): ${message}${advice}`, failure);
}

function fillCallTimes(response: Response, streamed: Record<string, CallTimes>, startedAt: string, completedAt: string) {
  const times: Record<string, CallTimes> = {};
  for (const item of response.output) {
    if (item.type !== 'mcp_call') continue;
    const exact = streamed[item.id];
    times[item.id] = exact ? { started_at: exact.started_at, completed_at: exact.completed_at ?? completedAt } : { started_at: startedAt, completed_at: completedAt };
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
