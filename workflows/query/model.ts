/** One model turn: a Responses call as an activity, with the run's timeout, retry policy and a summary for the Web UI. */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { retryBudget, setModelOptions } from '../../src/core/model-options';
import type { ResponsesCallInput } from '../../activities/request';
import { backgroundConflict, usesBackground } from '../../src/core/background';
import { activityRetryPolicy } from '../../src/core/retry';
import { heartbeatTimeoutFor } from '../../src/core/timing';
import type { FunctionToolConfig, InputItem } from '../../src/core/schemas';
import type { ServerConfig } from '../../src/core/servers';
import type { ParsedQueryInput } from '../messages';
import { BACKGROUND_MODE } from '../patches';
import { callInBackground } from './background';
import { QueryStop } from './stop';

/**
 * The first retry of a call whose attempt timed out (its worker died). Every failure an attempt
 * reports itself carries its own delay (ApplicationFailure.nextRetryDelay, activities/errors.ts),
 * so the policy's interval only paces timeouts: a lost worker's call is retried at once rather
 * than after the 1 s base delay. 10 ms rather than 100: the recovered run's history showed the
 * retry waiting out the whole interval after the heartbeat timeout (the server fires such a timer
 * no earlier than history.timerProcessorMaxTimeShift, 1 s by default, after creating it).
 */
const TIMED_OUT_RETRY_INTERVAL_MS = 10;

export interface ModelTurn {
  step: number;
  servers: readonly ServerConfig[];
  input: string | InputItem[];
  previousResponseId: string | null;
  /** `false` when the workflow carries the conversation (see conversation.ts). */
  store?: false;
  /** Direct mode: the MCP tools as function tools; hosted mode passes the servers instead. */
  functionTools?: FunctionToolConfig[];
  /** The turn is also the listing: a server that cannot be listed fails it at once (see catalog.ts). */
  failOnListingError?: boolean;
  /** Stateless turns of a reasoning model ask for the encrypted reasoning (conversation.ts). */
  include?: 'reasoning.encrypted_content'[];
}

/**
 * One model turn. A stored turn runs in background mode unless `background` is "off"
 * (./background.ts: short activities and durable timers, no worker waiting inside the call);
 * runs recorded before background mode replay as one activity each.
 */
export function callModel(options: ParsedQueryInput, turn: ModelTurn, onWaiting: (detail: string) => void = () => undefined) {
  const conflict = backgroundConflict(options.background, turn.store === false ? 'stateless' : 'stored');
  if (conflict) throw new QueryStop(conflict);
  const labels = turn.servers.map((server) => server.label).join(', ');
  const summary = `Responses call, turn ${turn.step}: ${labels}${turn.functionTools ? ' (direct mode)' : ''}`;
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: options.call_timeout_ms,
    // A worker that dies inside a streamed call is noticed within seconds (src/core/timing.ts).
    heartbeatTimeout: options.stream ? heartbeatTimeoutFor(options.call_timeout_ms) : undefined,
    retry: { ...activityRetryPolicy(retryBudget(options)), initialInterval: Math.min(TIMED_OUT_RETRY_INTERVAL_MS, Math.max(1, options.retry.base_delay_ms)) },
    summary,
  });
  const request: ResponsesCallInput = {
    model: options.model,
    input: turn.input,
    servers: turn.functionTools ? [] : [...turn.servers],
    ...(turn.functionTools ? { function_tools: turn.functionTools } : {}),
    previous_response_id: turn.previousResponseId,
    ...(turn.store === false ? { store: false as const } : {}),
    instructions: options.instructions,
    stream: options.stream,
    metadata: options.metadata,
    retry: options.retry,
    timeout_ms: options.call_timeout_ms,
    ...(turn.failOnListingError ? { fail_on_listing_error: true } : {}),
    ...setModelOptions(options),
    ...(turn.include ? { include: turn.include } : {}),
  };
  if (usesBackground(options.background, turn.store !== false) && patched(BACKGROUND_MODE))
    return callInBackground(options, request, { summary, step: turn.step, onWaiting });
  return activities.callResponsesApi(request);
}
