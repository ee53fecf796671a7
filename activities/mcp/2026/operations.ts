/**
 * The 2026-07-28 requests direct mode makes, on the SDK client: `tools/list` (every page, with the
 * server's caching hints), `tools/call` (whose answer may be a result, an `InputRequiredResult` or
 * a task handle), and the tasks extension's `tasks/get`, `tasks/update`, `tasks/cancel`, which the
 * SDK sends as extension methods with the schemas of ./schema.ts.
 */
import { ProtocolError, type CallToolRequestParams, type Tool } from '@modelcontextprotocol/client';
import {
  ElicitRequestSchema,
  MAX_INPUT_REQUESTS_BYTES,
  MAX_REQUEST_STATE_BYTES,
  type CallInteraction,
  type ElicitRequest,
  type ElicitResult,
  type TaskHandle,
} from '../../../src/core/mcp-input';
import { jsonBytes } from '../../../src/core/payload-size';
import type { McpListedTool } from '../../../src/core/schemas';
import { taskResultOf, withAbortReason, type Mcp2026Client, type RequestOptions } from './client';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  EmptyResultSchema,
  ERROR_CODES,
  GetTaskResultSchema,
  InputRequiredResultSchema,
  type CallToolResult2026,
  type GetTaskResult,
} from './schema';
import { McpflowError } from '../../../src/core/mcpflow-error';

/** A server that answers with something the revision does not allow. */
export class ProtocolViolationError extends McpflowError {}

export interface Listing2026 {
  tools: McpListedTool[];
  output_schemas: Record<string, Record<string, unknown>>;
  /** The server's `ttlMs` for the listing (absent when it sent none). */
  ttl_ms?: number;
  cache_scope?: 'public' | 'private';
}

/**
 * Every page, walked by the SDK (which also leaves out tools whose `x-mcp-header` annotations
 * break the rules, with a warning, and caps runaway pagination at 64 pages). Not from the SDK's
 * cache: the catalog decides freshness, from the hints this returns (the first page's: the SDK's
 * walk keeps only those).
 */
export async function listTools2026(client: Mcp2026Client, options: RequestOptions, onListed: (count: number) => void = () => undefined): Promise<Listing2026> {
  const page = await withAbortReason(options.signal, client.sdk.listTools(undefined, { ...options, cacheMode: 'bypass' }));
  const listing: Listing2026 = { tools: [], output_schemas: {} };
  for (const tool of page.tools) {
    listing.tools.push({
      name: tool.name,
      description: tool.description ?? null,
      input_schema: tool.inputSchema as Record<string, unknown>,
      annotations: (tool.annotations as Record<string, unknown> | undefined) ?? null,
    });
    if (tool.outputSchema) listing.output_schemas[tool.name] = tool.outputSchema as Record<string, unknown>;
  }
  // The hints pass through the SDK's loose result schema (its public type leaves them out).
  const hints = page as { ttlMs?: unknown; cacheScope?: unknown };
  if (typeof hints.ttlMs === 'number') listing.ttl_ms = Math.max(0, Math.floor(hints.ttlMs));
  if (hints.cacheScope === 'public' || hints.cacheScope === 'private') listing.cache_scope = hints.cacheScope;
  onListed(listing.tools.length);
  return listing;
}

export type CallAnswer = { kind: 'complete'; result: CallToolResult2026 } | CallInteraction;

export interface CallContinuation {
  input_responses?: Record<string, ElicitResult>;
  request_state?: string;
}

export async function callTool2026(
  client: Mcp2026Client,
  tool: { name: string; input_schema: Record<string, unknown> },
  args: Record<string, unknown>,
  continuation: CallContinuation,
  options: RequestOptions,
): Promise<CallAnswer> {
  // The retry fields are wire-only: the SDK's public params type leaves them out.
  const params = { name: tool.name, arguments: args } as CallToolRequestParams & Record<string, unknown>;
  if (continuation.input_responses) params.inputResponses = continuation.input_responses;
  if (continuation.request_state !== undefined) params.requestState = continuation.request_state;
  // The definition mcpflow listed drives `Mcp-Param-*` mirroring; no outputSchema here, so the
  // SDK does not throw on a mismatch (direct mode records it instead: ../structured.ts).
  const toolDefinition = { name: tool.name, inputSchema: tool.input_schema } as Tool;
  try {
    return readCallAnswer(await withAbortReason(options.signal, client.sdk.callTool(params, { ...options, allowInputRequired: true, toolDefinition })));
  } catch (error) {
    const task = taskResultOf(error);
    if (task) return readCallAnswer(task);
    // The revision defines no "expired" error: a retry whose requestState the server refuses as
    // invalid params (expired, or no longer verifiable) is started over from the beginning.
    if (continuation.request_state !== undefined && error instanceof ProtocolError && error.code === ERROR_CODES.invalidParams) {
      return { kind: 'request_state_rejected', message: error.message };
    }
    throw error;
  }
}

/** A `tools/call` answer as the SDK hands it over (`resultType` consumed when complete), or a task. */
export function readCallAnswer(raw: Record<string, unknown>): CallAnswer {
  const type = typeof raw.resultType === 'string' ? raw.resultType : 'complete';
  if (type === 'input_required') {
    const input = parseOr(InputRequiredResultSchema, raw, 'tools/call');
    if (!input.inputRequests && input.requestState === undefined)
      throw new ProtocolViolationError('an InputRequiredResult has neither inputRequests nor requestState');
    if (input.requestState !== undefined && Buffer.byteLength(input.requestState) > MAX_REQUEST_STATE_BYTES) {
      throw new ProtocolViolationError(
        `the server's requestState is ${Buffer.byteLength(input.requestState)} bytes, more than mcpflow keeps (${MAX_REQUEST_STATE_BYTES})`,
      );
    }
    return {
      kind: 'input_required',
      input_requests: elicitations(input.inputRequests ?? {}),
      ...(input.requestState === undefined ? {} : { request_state: input.requestState }),
    };
  }
  if (type === 'task') return taskHandle(parseOr(CreateTaskResultSchema, raw, 'tools/call'));
  if (type !== 'complete') throw new ProtocolViolationError(`tools/call answered with resultType "${type}", which mcpflow does not know`);
  return { kind: 'complete', result: parseOr(CallToolResultSchema, raw, 'tools/call') };
}

export async function getTask(client: Mcp2026Client, taskId: string, options: RequestOptions): Promise<GetTaskResult> {
  return withAbortReason(options.signal, client.sdk.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema, options));
}

export async function updateTask(client: Mcp2026Client, taskId: string, inputResponses: Record<string, ElicitResult>, options: RequestOptions): Promise<void> {
  await withAbortReason(options.signal, client.sdk.request({ method: 'tasks/update', params: { taskId, inputResponses } }, EmptyResultSchema, options));
}

export async function cancelTask(client: Mcp2026Client, taskId: string, options: RequestOptions): Promise<void> {
  await withAbortReason(options.signal, client.sdk.request({ method: 'tasks/cancel', params: { taskId } }, EmptyResultSchema, options));
}

/** The workflow's view of a task (the final result, if any, is read by the caller). */
export function taskHandle(task: {
  taskId: string;
  status: TaskHandle['status'];
  statusMessage?: string;
  pollIntervalMs?: number;
  inputRequests?: Record<string, { method: string }>;
  error?: { message: string };
}): TaskHandle {
  const handle: TaskHandle = { kind: 'task', task_id: task.taskId, status: task.status };
  if (task.statusMessage !== undefined) handle.status_message = task.statusMessage.slice(0, 2_000);
  if (task.pollIntervalMs !== undefined) handle.poll_interval_ms = task.pollIntervalMs;
  if (task.status === 'input_required') handle.input_requests = elicitations(task.inputRequests ?? {});
  if (task.status === 'failed') handle.error_message = (task.error?.message ?? 'the task failed').slice(0, 2_000);
  return handle;
}

/** Only elicitation was declared; anything else is the server breaking the MRTR rules. */
function elicitations(requests: Record<string, { method: string }>): Record<string, ElicitRequest> {
  if (jsonBytes(requests) > MAX_INPUT_REQUESTS_BYTES)
    throw new ProtocolViolationError(`the server's inputRequests are more than ${MAX_INPUT_REQUESTS_BYTES} bytes`);
  const out: Record<string, ElicitRequest> = {};
  for (const [key, request] of Object.entries(requests)) {
    if (request.method !== 'elicitation/create') {
      throw new ProtocolViolationError(
        `the server asked for "${request.method}" (input request ${key}), which mcpflow did not declare: only elicitation is supported`,
      );
    }
    const parsed = ElicitRequestSchema.safeParse(request);
    if (!parsed.success)
      throw new ProtocolViolationError(
        `input request ${key} is not a valid elicitation/create request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    out[key] = parsed.data;
  }
  return out;
}

function parseOr<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
  method: string,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || '(result)'}: ${issue.message}`);
  throw new ProtocolViolationError(`the server's ${method} result does not match MCP 2026-07-28: ${problems.join('; ')}`);
}
