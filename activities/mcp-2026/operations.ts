/**
 * The 2026-07-28 requests direct mode makes: `tools/list` over every page (with the server's
 * caching hints), `tools/call` (whose answer may be a result, an `InputRequiredResult` or a task
 * handle), and the tasks extension's `tasks/get`, `tasks/update`, `tasks/cancel`.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  ElicitRequestSchema,
  MAX_INPUT_REQUESTS_BYTES,
  MAX_REQUEST_STATE_BYTES,
  type CallInteraction,
  type ElicitRequest,
  type ElicitResult,
  type TaskHandle,
} from '../../src/core/mcp-input';
import { jsonBytes } from '../../src/core/payload-size';
import type { McpListedTool } from '../../src/core/schemas';
import type { Mcp2026Client, RequestOptions } from './client';
import { paramHeaders, paramHeaderValues } from './param-headers';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  ERROR_CODES,
  GetTaskResultSchema,
  InputRequiredResultSchema,
  ListToolsResultSchema,
  type CallToolResult2026,
  type GetTaskResult,
} from './schema';

/** A server that answers with something the revision does not allow. */
export class ProtocolViolationError extends Error {
  override name = 'ProtocolViolationError';
}

export interface Listing2026 {
  tools: McpListedTool[];
  output_schemas: Record<string, Record<string, unknown>>;
  /** The smallest `ttlMs` of the pages (absent when no page had one). */
  ttl_ms?: number;
  /** `private` when any page was private. */
  cache_scope?: 'public' | 'private';
}

export async function listTools2026(
  client: Mcp2026Client,
  options: RequestOptions,
  onPage: (count: number) => void = () => undefined,
  onRejected: (tool: string, reason: string) => void = () => undefined,
): Promise<Listing2026> {
  const listing: Listing2026 = { tools: [], output_schemas: {} };
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    // A page's result as the revision defines it; a bad one is the server's fault, named as such.
    const page = parseOr(ListToolsResultSchema, await client.request('tools/list', cursor ? { cursor } : {}, options), 'tools/list');
    for (const tool of page.tools) {
      // A tool whose x-mcp-header annotations break the rules MUST be left out (Streamable HTTP).
      const mapping = paramHeaders(tool.inputSchema);
      if (!mapping.ok) {
        onRejected(tool.name, mapping.reason);
        continue;
      }
      listing.tools.push({ name: tool.name, description: tool.description ?? null, input_schema: tool.inputSchema, annotations: tool.annotations ?? null });
      if (tool.outputSchema) listing.output_schemas[tool.name] = tool.outputSchema;
    }
    if (page.ttlMs !== undefined) listing.ttl_ms = Math.min(listing.ttl_ms ?? Number.MAX_SAFE_INTEGER, page.ttlMs);
    if (page.cacheScope) listing.cache_scope = listing.cache_scope === 'private' ? 'private' : page.cacheScope;
    onPage(listing.tools.length);
    if (page.nextCursor !== undefined && seen.has(page.nextCursor)) throw new ProtocolViolationError(`tools/list returned the cursor ${page.nextCursor} twice`);
    if (page.nextCursor !== undefined) seen.add(page.nextCursor);
    cursor = page.nextCursor;
  } while (cursor);
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
  const name = tool.name;
  const params: Record<string, unknown> = { name, arguments: args };
  const mapping = paramHeaders(tool.input_schema);
  if (!mapping.ok) throw new ProtocolViolationError(`${name} has invalid x-mcp-header annotations: ${mapping.reason}`);
  options = { ...options, headers: { ...(options.headers ?? {}), ...paramHeaderValues(mapping.headers, args) } };
  if (continuation.input_responses) params.inputResponses = continuation.input_responses;
  if (continuation.request_state !== undefined) params.requestState = continuation.request_state;
  let raw: Record<string, unknown>;
  try {
    raw = await client.request('tools/call', params, options);
  } catch (error) {
    // The revision defines no "expired" error: a retry whose requestState the server refuses as
    // invalid params (expired, or no longer verifiable) is started over from the beginning.
    if (continuation.request_state !== undefined && error instanceof McpError && error.code === ERROR_CODES.invalidParams) {
      return { kind: 'request_state_rejected', message: error.message };
    }
    throw error;
  }
  return readCallAnswer(raw);
}

export function readCallAnswer(raw: Record<string, unknown>): CallAnswer {
  const type = typeof raw.resultType === 'string' ? raw.resultType : 'complete';
  if (type === 'input_required') {
    const input = parseOr(InputRequiredResultSchema, raw, 'tools/call');
    if (!input.inputRequests && input.requestState === undefined) throw new ProtocolViolationError('an InputRequiredResult has neither inputRequests nor requestState');
    if (input.requestState !== undefined && Buffer.byteLength(input.requestState) > MAX_REQUEST_STATE_BYTES) {
      throw new ProtocolViolationError(`the server's requestState is ${Buffer.byteLength(input.requestState)} bytes, more than mcpflow keeps (${MAX_REQUEST_STATE_BYTES})`);
    }
    return { kind: 'input_required', input_requests: elicitations(input.inputRequests ?? {}), ...(input.requestState === undefined ? {} : { request_state: input.requestState }) };
  }
  if (type === 'task') {
    const task = parseOr(CreateTaskResultSchema, raw, 'tools/call');
    return taskHandle(task);
  }
  if (type !== 'complete') throw new ProtocolViolationError(`tools/call answered with resultType "${type}", which mcpflow does not know`);
  return { kind: 'complete', result: parseOr(CallToolResultSchema, raw, 'tools/call') };
}

export async function getTask(client: Mcp2026Client, taskId: string, options: RequestOptions): Promise<GetTaskResult> {
  return parseOr(GetTaskResultSchema, await client.request('tasks/get', { taskId }, options), 'tasks/get');
}

export async function updateTask(client: Mcp2026Client, taskId: string, inputResponses: Record<string, ElicitResult>, options: RequestOptions): Promise<void> {
  await client.request('tasks/update', { taskId, inputResponses }, options);
}

export async function cancelTask(client: Mcp2026Client, taskId: string, options: RequestOptions): Promise<void> {
  await client.request('tasks/cancel', { taskId }, options);
}

/** The workflow's view of a task (the final result, if any, is read by the caller). */
export function taskHandle(task: { taskId: string; status: TaskHandle['status']; statusMessage?: string; pollIntervalMs?: number; inputRequests?: Record<string, { method: string }>; error?: { message: string } }): TaskHandle {
  const handle: TaskHandle = { kind: 'task', task_id: task.taskId, status: task.status };
  if (task.statusMessage !== undefined) handle.status_message = task.statusMessage.slice(0, 2_000);
  if (task.pollIntervalMs !== undefined) handle.poll_interval_ms = task.pollIntervalMs;
  if (task.status === 'input_required') handle.input_requests = elicitations(task.inputRequests ?? {});
  if (task.status === 'failed') handle.error_message = (task.error?.message ?? 'the task failed').slice(0, 2_000);
  return handle;
}

/** Only elicitation was declared; anything else is the server breaking the MRTR rules. */
function elicitations(requests: Record<string, { method: string }>): Record<string, ElicitRequest> {
  if (jsonBytes(requests) > MAX_INPUT_REQUESTS_BYTES) throw new ProtocolViolationError(`the server's inputRequests are more than ${MAX_INPUT_REQUESTS_BYTES} bytes`);
  const out: Record<string, ElicitRequest> = {};
  for (const [key, request] of Object.entries(requests)) {
    if (request.method !== 'elicitation/create') {
      throw new ProtocolViolationError(`the server asked for "${request.method}" (input request ${key}), which mcpflow did not declare: only elicitation is supported`);
    }
    const parsed = ElicitRequestSchema.safeParse(request);
    if (!parsed.success) throw new ProtocolViolationError(`input request ${key} is not a valid elicitation/create request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    out[key] = parsed.data;
  }
  return out;
}

function parseOr<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, method: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || '(result)'}: ${issue.message}`);
  throw new ProtocolViolationError(`the server's ${method} result does not match MCP 2026-07-28: ${problems.join('; ')}`);
}
