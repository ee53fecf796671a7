/**
 * The tasks extension (`io.modelcontextprotocol/tasks`, modelcontextprotocol/ext-tasks) on a 2026-07-28
 * demo server: the one part of the revision's surroundings the SDK 2.x does not have. Its era
 * registry even answers `tasks/*` with -32601 on a modern request, so these requests are answered
 * here, in front of the SDK's handler: `tasks/get`, `tasks/update`, `tasks/cancel`, plus the
 * extension's rule that a tool only a task can serve is refused (-32021) to a client that did not
 * declare the extension. The SDK's own classifier checks the envelope and the standard headers.
 */
import { classifyInboundRequest, SERVER_INFO_META_KEY, type Implementation } from '@modelcontextprotocol/server';
import type { IncomingHttpHeaders } from 'node:http';
import type { InteractiveState } from './interactive-state';
import { TASKS_EXTENSION } from './protocol';

export interface TasksAnswer {
  status: number;
  body: unknown;
}

export interface TasksExtension {
  state: InteractiveState;
  /** Tools that can only run as a task. */
  taskTools: readonly string[];
  serverInfo: Implementation;
}

type Id = string | number | null;

const error = (status: number, id: Id, code: number, message: string, data?: unknown): TasksAnswer => ({
  status,
  body: { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } },
});

const missingExtension = (id: Id, what: string): TasksAnswer =>
  // The MCP spec answers -32021 with HTTP 400 wherever it arises.
  error(400, id, -32021, `Missing required client capability: ${what} needs the ${TASKS_EXTENSION} extension`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `Mcp-Name` value, undoing the Base64 sentinel the standard headers use for non-ASCII values. */
function decodeHeader(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^=\?base64\?(.*)\?=$/.exec(value);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
}

/** The answer to a request the extension owns; undefined hands the request to the SDK. */
export function answerTasksRequest(headers: IncomingHttpHeaders, body: unknown, tasks: TasksExtension): TasksAnswer | undefined {
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: header(headers, 'mcp-protocol-version'),
    mcpMethodHeader: header(headers, 'mcp-method'),
    mcpNameHeader: header(headers, 'mcp-name'),
    body,
  });
  if (outcome.kind !== 'modern' || outcome.messageKind !== 'request') return undefined; // the SDK answers it
  const { id, method, params = {} } = outcome.message;
  const meta = params._meta as Record<string, { extensions?: Record<string, unknown> } | undefined> | undefined;
  const declared = meta?.['io.modelcontextprotocol/clientCapabilities']?.extensions?.[TASKS_EXTENSION] !== undefined;

  if (method === 'tools/call') {
    const name = typeof params.name === 'string' ? params.name : undefined;
    return name !== undefined && tasks.taskTools.includes(name) && !declared ? missingExtension(id, name) : undefined;
  }
  if (method !== 'tasks/get' && method !== 'tasks/update' && method !== 'tasks/cancel') return undefined;
  if (!declared) return missingExtension(id, method);
  const taskId = typeof params.taskId === 'string' ? params.taskId : '';
  // The extension's routing header: Mcp-Name carries the task id; the classifier checked Mcp-Method.
  if (header(headers, 'mcp-method') === undefined || decodeHeader(header(headers, 'mcp-name')) !== taskId) {
    return error(400, id, -32020, `Header mismatch: ${method} needs Mcp-Method ${method} and Mcp-Name ${taskId}`);
  }
  const task = tasks.state.tasks.get(taskId);
  if (!task) return error(200, id, -32602, `Unknown task ${taskId}`);
  if (method === 'tasks/cancel') tasks.state.cancelTask(taskId);
  if (method === 'tasks/update') tasks.state.updateTask(taskId, params.inputResponses);
  const fields = method === 'tasks/get' ? tasks.state.taskFields(task) : {};
  return { status: 200, body: { jsonrpc: '2.0', id, result: { resultType: 'complete', ...fields, _meta: { [SERVER_INFO_META_KEY]: tasks.serverInfo } } } };
}
