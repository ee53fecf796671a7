/** One model turn: a Responses call as an activity, with the run's timeout, retry policy and a summary for the Web UI. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { activityRetryPolicy } from '../../src/core/retry';
import type { FunctionToolConfig, InputItem } from '../../src/core/schemas';
import type { ServerConfig } from '../../src/core/servers';
import type { ParsedQueryInput } from '../messages';

const STREAM_HEARTBEAT_TIMEOUT_MS = 15_000;

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
}

export function callModel(options: ParsedQueryInput, turn: ModelTurn) {
  const labels = turn.servers.map((server) => server.label).join(', ');
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: options.call_timeout_ms,
    // The streaming activity heartbeats at least every 5 s (a keep-alive while a tool is slow):
    // three missed beats mean the worker is gone, and another one retries the call.
    heartbeatTimeout: options.stream ? Math.min(STREAM_HEARTBEAT_TIMEOUT_MS, options.call_timeout_ms) : undefined,
    retry: activityRetryPolicy(options.retry),
    summary: `Responses call, turn ${turn.step}: ${labels}${turn.functionTools ? ' (direct mode)' : ''}`,
  });
  return activities.callResponsesApi({
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
  });
}
