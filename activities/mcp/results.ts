/**
 * What the direct-mode MCP activities (./index.ts, ./task-activities.ts) take and return: their own
 * module so that the two need not import each other. Shapes are part of workflow histories.
 */
import type { RecordedError } from '../../src/core/errors';
import type { CallInteraction, ElicitResult } from '../../src/core/mcp-input';
import type { RetrySettings } from '../../src/core/retry';
import type { McpListedTool } from '../../src/core/schemas';
import type { ServerConfig } from '../../src/core/servers';
import type { DiscoveredTool } from '../../src/core/tools';
import type { StructuredOutcome } from './structured';

/** What a direct listing returns; the caching hints only from a 2026-07-28 server. */
export interface DirectListResult {
  tools: McpListedTool[];
  attempt: number;
  /** The server's `ttlMs` (smallest over the pages): how long the listing may be considered fresh. */
  ttl_ms?: number;
  cache_scope?: 'public' | 'private';
}

export interface DirectListInput {
  server: ServerConfig;
  retry: RetrySettings;
  /** The activity's start-to-close timeout; without it, the one Temporal gave this activity. */
  timeout_ms?: number;
}

export interface DirectCallInput {
  server: ServerConfig;
  tool: DiscoveredTool;
  arguments: Record<string, unknown>;
  retry: RetrySettings;
  /** The activity's start-to-close timeout. */
  timeout_ms: number;
  /** A retry of an input-required call (MCP 2026-07-28 multi round-trip): the person's answers, keyed as the server asked. */
  input_responses?: Record<string, ElicitResult>;
  /** Echoed back exactly as the server sent it. */
  request_state?: string;
}

export interface DirectCallResult extends StructuredOutcome {
  output: string;
  /** The tool ran and reported a failure (`isError: true`) that is not worth retrying. */
  is_error: boolean;
  started_at: string;
  completed_at: string;
  attempt: number;
  /** Errors of the attempts before it, fixed by the retry (./attempt-errors.ts). */
  attempt_errors?: RecordedError[];
  /**
   * The call is not finished (2026-07-28 servers only): the server asks for input, returned a task
   * to follow, or refused the `requestState` of a retry. `output` is empty then.
   */
  interaction?: CallInteraction;
  /** Set by getTaskDirect when the task ended. */
  task_status?: 'completed' | 'failed' | 'cancelled';
}
