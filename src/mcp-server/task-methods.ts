/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` of the tasks extension, which the SDK 2.x does
 * not serve: answered from Temporal alone (the task id is the workflow id), so a restarted
 * mcp-server or another instance answers for tasks it did not create. Transport-agnostic: the
 * HTTP front (./http.ts) and the stdio front (./stdio.ts) hand requests here.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { cancelRun } from '../client/cancel';
import { UpdateRejectedError } from '../client/errors';
import { TASKS_EXTENSION } from '../demo-servers/protocol';
import { applyInputResponses } from './decisions';
import { approverOf, declaresTasks } from './identity';
import type { McpServerOptions } from './options';
import { UnknownRunError, describeRun } from './run-reader';
import { readTask } from './task-view';

export const TASK_METHODS: readonly string[] = ['tasks/get', 'tasks/update', 'tasks/cancel'];

export type TaskMethodAnswer = { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown }; httpStatus: number };

const failure = (httpStatus: number, code: number, message: string, data?: unknown): TaskMethodAnswer => ({
  httpStatus,
  error: { code, message, ...(data === undefined ? {} : { data }) },
});

export async function answerTaskMethod(
  method: string,
  params: Record<string, unknown>,
  options: McpServerOptions,
  authInfo?: AuthInfo,
): Promise<TaskMethodAnswer> {
  const meta = params._meta as Record<string, unknown> | undefined;
  if (!declaresTasks(meta)) {
    // The extension's refusal: -32021, HTTP 400 wherever it arises.
    return failure(400, -32021, `Missing required client capability: ${method} needs the ${TASKS_EXTENSION} extension`, {
      requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
    });
  }
  const taskId = typeof params.taskId === 'string' ? params.taskId : '';
  if (!taskId) return failure(200, -32602, 'taskId: required (the task id ask returned)');
  const { client } = options;
  try {
    if (method === 'tasks/get') return { result: { resultType: 'complete', ...(await readTask(client, taskId, options)) } };
    await describeRun(client, taskId);
    if (method === 'tasks/cancel') {
      await cancelRun(client, taskId);
      return { result: { resultType: 'complete' } };
    }
    const responses = params.inputResponses;
    if (typeof responses !== 'object' || responses === null || Array.isArray(responses))
      return failure(200, -32602, 'inputResponses: required, an object of answers keyed as the task asked');
    await applyInputResponses(client, taskId, responses as Record<string, unknown>, approverOf(authInfo, meta));
    return { result: { resultType: 'complete' } };
  } catch (error) {
    if (error instanceof UnknownRunError) return failure(200, -32602, `Unknown task ${taskId}: ${error.message}`);
    if (error instanceof UpdateRejectedError) return failure(200, -32602, error.message);
    return failure(200, -32603, (error as Error).message);
  }
}
