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
import type { Mcp2026Client } from './2026/client';
import type { Modern } from './2026/direct';
import { cancelTask, getTask, taskHandle, updateTask } from './2026/operations';
import type { CallToolResult2026 } from './2026/schema';
import { withDeadline } from './deadline';
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
  modern: Modern;
  fail(error: unknown, input: DirectTaskInput, doing: string): ApplicationFailure;
  completedCall(input: DirectTaskInput, result: CallToolResult2026, outputSchema: Record<string, unknown> | undefined, startedAt: string, doing: string): DirectCallResult;
  interactionResult(interaction: CallInteraction, startedAt: string, server: ServerConfig): DirectCallResult;
  modernOutputSchema(client: Mcp2026Client, tool: string, result: CallToolResult2026, options: { signal?: AbortSignal }): Promise<Record<string, unknown> | undefined>;
}

export function createMcpTaskActivities(shared: McpCallResults) {
  const { env, modern, fail, completedCall, interactionResult, modernOutputSchema } = shared;

  async function taskClient(input: DirectTaskInput, options: { signal?: AbortSignal }): Promise<Mcp2026Client> {
    const client = await modern.clientFor(input.server, options);
    if (!client) throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `${input.server.label} no longer speaks MCP 2026-07-28: its task ${input.task_id} cannot be followed` });
    return client;
  }

  /**
   * One `tasks/get`: the task's state, or the finished call when it completed. A task that
   * failed or was cancelled is a finished call too, flagged as an error.
   */
  async function getTaskDirect(input: DirectTaskInput): Promise<DirectCallResult> {
    const startedAt = new Date().toISOString();
    const doing = `following task ${input.task_id} of ${input.server.label}.${input.tool.name}`;
    try {
      const { task, outputSchema } = await withDeadline(input.timeout_ms, async (options) => {
        const client = await taskClient(input, options);
        const got = await getTask(client, input.task_id, options);
        if (got.status !== 'completed') return { task: got, outputSchema: undefined };
        const result = readTaskResult(got.result);
        return { task: got, outputSchema: await modernOutputSchema(client, input.tool.name, result, options) };
      }, doing);
      if (task.status === 'completed') return { ...completedCall(input, readTaskResult(task.result), outputSchema, startedAt, doing), task_status: 'completed' };
      const at = new Date().toISOString();
      const attempt = Context.current().info.attempt;
      const secrets = secretValues([input.server], env);
      if (task.status === 'failed') return { output: clipToBytes(redactText(`the task failed: ${task.error?.message ?? task.statusMessage ?? 'no reason given'}`, secrets), MAX_TOOL_OUTPUT_BYTES), is_error: true, started_at: startedAt, completed_at: at, attempt, task_status: 'failed' };
      if (task.status === 'cancelled') return { output: clipToBytes(redactText(`the task was cancelled${task.statusMessage ? `: ${task.statusMessage}` : ''}`, secrets), MAX_TOOL_OUTPUT_BYTES), is_error: true, started_at: startedAt, completed_at: at, attempt, task_status: 'cancelled' };
      return interactionResult(taskHandle(task), startedAt, input.server);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** `tasks/update`: the person's answers to a task waiting for input. */
  async function updateTaskDirect(input: DirectTaskInput): Promise<void> {
    const doing = `answering task ${input.task_id} of ${input.server.label}`;
    try {
      await withDeadline(input.timeout_ms, async (options) => updateTask(await taskClient(input, options), input.task_id, input.input_responses ?? {}, options), doing);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** `tasks/cancel`: cooperative; the server acknowledges and may still finish. */
  async function cancelTaskDirect(input: DirectTaskInput): Promise<void> {
    const doing = `cancelling task ${input.task_id} of ${input.server.label}`;
    try {
      await withDeadline(input.timeout_ms, async (options) => cancelTask(await taskClient(input, options), input.task_id, options), doing);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  return { getTaskDirect, updateTaskDirect, cancelTaskDirect };
}

/** A completed task's `result`: what the call would have returned. */
function readTaskResult(result: Record<string, unknown> | undefined): CallToolResult2026 {
  const content = Array.isArray(result?.content) ? (result.content as CallToolResult2026['content']) : [];
  return { ...(result ?? {}), resultType: 'complete', content, isError: result?.isError === true } as CallToolResult2026;
}
