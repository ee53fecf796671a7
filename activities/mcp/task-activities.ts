/**
 * Direct-mode activities for the tasks of MCP 2026-07-28 servers (the tasks extension): follow a
 * task (`tasks/get`), answer it (`tasks/update`) or cancel it (`tasks/cancel`). The workflow
 * sleeps between polls (workflows/query/tasks.ts); each activity is one short request.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CallInteraction, ElicitResult } from '../../src/core/mcp-input';
import { clipToBytes, MAX_TOOL_OUTPUT_BYTES } from '../../src/core/payload-size';
import type { RetrySettings } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import type { DiscoveredTool } from '../../src/core/tools';
import type { DirectCallResult } from './results';
import { taskHandle } from './2026/operations';
import type { CallToolResult2026 } from './2026/schema';
import { readTaskResult } from './2026/session';
import type { McpSession } from './session';
import { redactText, secretValues, type Env } from '../secrets';

/** One task of a 2026-07-28 server: follow it (`tasks/get`), answer it (`tasks/update`) or cancel it. */
export interface DirectTaskInput {
  server: ServerConfig;
  tool: DiscoveredTool;
  task_id: string;
  retry: RetrySettings;
  timeout_ms: number;
  /** For `updateTaskDirect`. */
  input_responses?: Record<string, ElicitResult>;
}

/** What the task activities share with callToolDirect (./index.ts): a finished task is a finished call. */
export interface McpCallResults {
  env: Env;
  withSession<T>(server: ServerConfig, timeoutMs: number | undefined, doing: string, work: (session: McpSession) => Promise<T>): Promise<T>;
  fail(error: unknown, input: DirectTaskInput, doing: string): ApplicationFailure;
  completedCall(
    input: DirectTaskInput,
    result: CallToolResult2026,
    outputSchema: Record<string, unknown> | undefined,
    startedAt: string,
    doing: string,
  ): DirectCallResult;
  interactionResult(interaction: CallInteraction, startedAt: string, server: ServerConfig): DirectCallResult;
}

export function createMcpTaskActivities(shared: McpCallResults) {
  const { env, withSession, fail, completedCall, interactionResult } = shared;

  /**
   * One `tasks/get`: the task's state, or the finished call when it completed. A task that
   * failed or was cancelled is a finished call too, flagged as an error.
   */
  async function getTaskDirect(input: DirectTaskInput): Promise<DirectCallResult> {
    const startedAt = new Date().toISOString();
    const doing = `following task ${input.task_id} of ${input.server.label}.${input.tool.name}`;
    try {
      const { task, outputSchema } = await withSession(input.server, input.timeout_ms, doing, (session) => session.getTask(input.task_id, input.tool.name));
      if (task.status === 'completed')
        return { ...completedCall(input, readTaskResult(task.result), outputSchema, startedAt, doing), task_status: 'completed' };
      const at = new Date().toISOString();
      const attempt = Context.current().info.attempt;
      const secrets = secretValues([input.server], env);
      if (task.status === 'failed')
        return {
          output: clipToBytes(redactText(`the task failed: ${task.error?.message ?? task.statusMessage ?? 'no reason given'}`, secrets), MAX_TOOL_OUTPUT_BYTES),
          is_error: true,
          started_at: startedAt,
          completed_at: at,
          attempt,
          task_status: 'failed',
        };
      if (task.status === 'cancelled')
        return {
          output: clipToBytes(redactText(`the task was cancelled${task.statusMessage ? `: ${task.statusMessage}` : ''}`, secrets), MAX_TOOL_OUTPUT_BYTES),
          is_error: true,
          started_at: startedAt,
          completed_at: at,
          attempt,
          task_status: 'cancelled',
        };
      return interactionResult(taskHandle(task), startedAt, input.server);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** `tasks/update`: the person's answers to a task waiting for input. */
  async function updateTaskDirect(input: DirectTaskInput): Promise<void> {
    const doing = `answering task ${input.task_id} of ${input.server.label}`;
    try {
      await withSession(input.server, input.timeout_ms, doing, (session) => session.updateTask(input.task_id, input.input_responses ?? {}));
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** `tasks/cancel`: cooperative; the server acknowledges and may still finish. */
  async function cancelTaskDirect(input: DirectTaskInput): Promise<void> {
    const doing = `cancelling task ${input.task_id} of ${input.server.label}`;
    try {
      await withSession(input.server, input.timeout_ms, doing, (session) => session.cancelTask(input.task_id));
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  return { getTaskDirect, updateTaskDirect, cancelTaskDirect };
}
