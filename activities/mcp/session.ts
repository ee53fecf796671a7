/**
 * One MCP server as the direct-mode activities see it, whatever revision it speaks: list its
 * tools, call one, follow / answer / cancel a task, close. `McpSessions.open` (./sessions.ts) picks the
 * implementation per server: 2026-07-28 (./2026/session.ts) for an HTTP server that answers
 * `server/discover`, else the 2025 pool (./2025/session.ts: Streamable HTTP, SSE fallback,
 * stdio). The activities (./index.ts, ./task-activities.ts) call only this interface.
 */
import type { ElicitResult } from '../../src/core/mcp-input';
import type { McpListedTool } from '../../src/core/schemas';
import type { CallAnswer, CallContinuation } from './2026/operations';
import type { GetTaskResult } from './2026/schema';

export type Schema = Record<string, unknown>;
export interface SessionRequestOptions {
  signal?: AbortSignal;
}

export interface ToolListing {
  tools: McpListedTool[];
  /** 2026-07-28 servers only: how long the listing may be considered fresh, and for whom. */
  ttl_ms?: number;
  cache_scope?: 'public' | 'private';
}

/** A call's answer, with the tool's output schema when the result carries structured content. */
export interface CalledTool {
  answer: CallAnswer;
  outputSchema: Schema | undefined;
}

/** A followed task, with the tool's output schema when it completed with structured content. */
export interface FollowedTask {
  task: GetTaskResult;
  outputSchema: Schema | undefined;
}

export interface McpSession {
  /** Every page of `tools/list`; `onPage` gets the count so far (each page is a heartbeat). */
  listTools(onPage: (count: number) => void): Promise<ToolListing>;
  callTool(tool: { name: string; input_schema: Record<string, unknown> }, args: Record<string, unknown>, continuation: CallContinuation): Promise<CalledTool>;
  getTask(taskId: string, toolName: string): Promise<FollowedTask>;
  updateTask(taskId: string, inputResponses: Record<string, ElicitResult>): Promise<void>;
  cancelTask(taskId: string): Promise<void>;
  /** Done with the session (a pooled connection stays in the pool; a 2026 client holds nothing). */
  close(): Promise<void>;
}
