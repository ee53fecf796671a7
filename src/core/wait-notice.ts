/**
 * What a run tells the worker's webhooks when it starts to wait for a person
 * (activities/notify.ts): the activity input, built by workflow code. It carries no URL: the
 * worker's config alone says where notifications go.
 */
import type { RetrySettings } from './retry';

export interface WaitNotice {
  /** `approval`: a tool call waits for approve/deny; `input`: an MCP server asked a question (elicitation). */
  kind: 'approval' | 'input';
  /** The approval request id or question id: with the workflow and run ids, the notification's idempotency key. */
  request_id: string;
  server: string;
  tool: string;
  requested_at: string;
  /** The arguments as JSON, clipped (approvals). */
  arguments_preview?: string;
  /** The server's question (input). */
  message?: string;
  call_hash?: string;
  schema_problems?: string[];
  approvers?: string[];
  /** The run's retry settings: the delays between attempts when a webhook is down. */
  retry?: RetrySettings;
}

/** Bytes of the arguments a notice carries (the inbox link shows them all). */
export const NOTICE_ARGUMENTS_BYTES = 2_000;

/** What the activity did: how many webhooks took the notification. */
export interface WaitNoticeResult {
  delivered: number;
}

/** One call's arguments and its tool's schema, for activities/argument-check.ts. */
export interface ArgumentCheck {
  id: string;
  input_schema: Record<string, unknown>;
  definition_hash: string;
  arguments: Record<string, unknown>;
}

/** The problems found, by call id (calls that fit are absent). */
export type ArgumentCheckResult = Record<string, string[]>;
