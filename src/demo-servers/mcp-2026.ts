/**
 * The MCP endpoint of a demo server run on revision 2026-07-28 (`--protocol 2026-07-28`): small
 * and hand-written on the revision's schema, since the SDK 1.x has no such server. Stateless by
 * design of the revision: no `initialize`, no session; every POST carries its protocol version
 * and capabilities in `_meta`, mirrored in the `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name`
 * headers, which are checked. Serves `server/discover`, `tools/list` (with `ttlMs`/`cacheScope`),
 * `tools/call` (the demo tools, plus the calendar's interactive ones) and the tasks extension.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, jsonRpcError, readBody, sendJson } from './http-util';
import type { InteractiveTool } from './interactive';
import type { InteractiveState } from './interactive-state';
import type { DemoServerState } from './state';

export const PROTOCOL_2026 = '2026-07-28';
export const PROTOCOL_2025 = '2025-11-25';
export const DemoProtocolSchema = z.enum([PROTOCOL_2026, PROTOCOL_2025]);
export type DemoProtocol = z.infer<typeof DemoProtocolSchema>;

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const MAX_BODY = 4 * 1024 * 1024;

const RequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number()]),
  method: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
});
const MetaSchema = z.looseObject({
  'io.modelcontextprotocol/protocolVersion': z.string(),
  'io.modelcontextprotocol/clientCapabilities': z.looseObject({ extensions: z.record(z.string(), z.unknown()).optional() }),
});

export interface Mcp2026Options {
  instructions: string;
  interactive: InteractiveTool[];
  interactiveState: InteractiveState;
  /** `ttlMs` of list results and `server/discover`. */
  listTtlMs: () => number;
  adminUrl: () => string;
}

type Answer = { status: number; body: unknown };

const ok = (id: string | number, result: Record<string, unknown>): Answer => ({
  status: 200,
  body: { jsonrpc: '2.0', id, result: { ...result, _meta: { ...((result._meta as object | undefined) ?? {}), 'io.modelcontextprotocol/serverInfo': { name: 'mcpflow-demo', version: '1.0.0' } } } },
});
const error = (status: number, id: string | number | null, code: number, message: string, data?: unknown): Answer => ({
  status,
  body: { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } },
});

export async function handleMcp2026Request(req: IncomingMessage, res: ServerResponse, state: DemoServerState, options: Mcp2026Options): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, jsonRpcError(null, -32000, 'Method not allowed: MCP 2026-07-28 has no GET stream and no sessions.'), { allow: 'POST' });
    return;
  }
  let text: string;
  try {
    text = await readBody(req, MAX_BODY);
  } catch (caught) {
    if (caught instanceof BodyTooLargeError) return sendJson(res, 413, jsonRpcError(null, -32600, caught.message));
    throw caught;
  }
  const outage = state.faults.unavailableRemainingMs();
  if (outage > 0) {
    state.recordFaulted('unavailable');
    return sendJson(res, 503, jsonRpcError(null, -32000, 'Injected fault: service unavailable'), { 'retry-after': String(Math.ceil(outage / 1000)) });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return sendJson(res, 400, jsonRpcError(null, -32700, 'Parse error: request body is not valid JSON'));
  }
  const answer = await answer2026(req, json, state, options);
  sendJson(res, answer.status, answer.body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodeHeader(value: string): string {
  const match = /^=\?base64\?(.*)\?=$/.exec(value);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
}

async function answer2026(req: IncomingMessage, json: unknown, state: DemoServerState, options: Mcp2026Options): Promise<Answer> {
  const parsed = RequestSchema.safeParse(json);
  if (!parsed.success) return error(400, null, -32600, 'Invalid request: expected one JSON-RPC request object');
  const { id, method, params } = parsed.data;
  if (method === 'initialize') {
    // A 2025 client: name what this server speaks (it has no way to move forward on its own).
    return error(400, id, -32022, `This server speaks MCP ${PROTOCOL_2026} only (no initialize).`, { supported: [PROTOCOL_2026], requested: String((params.protocolVersion as string | undefined) ?? '') });
  }
  const meta = MetaSchema.safeParse(params._meta);
  const headerVersion = header(req, 'mcp-protocol-version');
  if (!meta.success || headerVersion === undefined) return error(400, id, -32020, 'Header mismatch: MCP-Protocol-Version and _meta protocolVersion / clientCapabilities are required');
  const version = meta.data['io.modelcontextprotocol/protocolVersion'];
  if (headerVersion !== version) return error(400, id, -32020, `Header mismatch: MCP-Protocol-Version ${headerVersion} does not match _meta ${version}`);
  if (version !== PROTOCOL_2026) return error(400, id, -32022, 'Unsupported protocol version', { supported: [PROTOCOL_2026], requested: version });
  if (header(req, 'mcp-method') !== method) return error(400, id, -32020, `Header mismatch: Mcp-Method must be ${method}`);
  const nameSource = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined;
  if (nameSource !== undefined) {
    const name = header(req, 'mcp-name');
    if (name === undefined || decodeHeader(name) !== nameSource) return error(400, id, -32020, `Header mismatch: Mcp-Name must be ${String(nameSource)}`);
  }
  const tasksDeclared = meta.data['io.modelcontextprotocol/clientCapabilities'].extensions?.[TASKS_EXTENSION] !== undefined;

  switch (method) {
    case 'server/discover':
      return ok(id, {
        resultType: 'complete',
        supportedVersions: [PROTOCOL_2026],
        capabilities: { tools: {}, extensions: { [TASKS_EXTENSION]: {} } },
        instructions: options.instructions,
        ttlMs: options.listTtlMs(),
        cacheScope: 'public',
      });
    case 'tools/list': {
      if (params.cursor !== undefined) return error(400, id, -32602, 'Invalid cursor: this server returns every tool on one page');
      const tools = [...state.tools().map((tool) => tool.listing()), ...options.interactive.map((tool) => tool.listing())];
      return ok(id, { resultType: 'complete', tools, ttlMs: options.listTtlMs(), cacheScope: 'public' });
    }
    case 'tools/call':
      return callTool(id, params, state, options, tasksDeclared);
    case 'tasks/get':
    case 'tasks/update':
    case 'tasks/cancel': {
      if (!tasksDeclared) return error(400, id, -32021, 'tasks/* needs the io.modelcontextprotocol/tasks extension', { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
      const taskId = typeof params.taskId === 'string' ? params.taskId : '';
      const task = options.interactiveState.tasks.get(taskId);
      if (!task) return error(200, id, -32602, `Unknown task ${taskId}`);
      if (method === 'tasks/cancel') options.interactiveState.cancelTask(taskId);
      if (method === 'tasks/update') options.interactiveState.updateTask(taskId, params.inputResponses);
      if (method === 'tasks/get') return ok(id, { resultType: 'complete', ...options.interactiveState.taskFields(task) });
      return ok(id, { resultType: 'complete' });
    }
    default:
      return error(404, id, -32601, `Method not found: ${method}`);
  }
}

async function callTool(id: string | number, params: Record<string, unknown>, state: DemoServerState, options: Mcp2026Options, tasksDeclared: boolean): Promise<Answer> {
  const name = typeof params.name === 'string' ? params.name : '';
  const args = (params.arguments && typeof params.arguments === 'object' && !Array.isArray(params.arguments) ? params.arguments : {}) as Record<string, unknown>;
  const onExecuted = (tool: string) => state.recordExecuted(tool);
  const interactive = options.interactive.find((tool) => tool.name === name);
  if (interactive) {
    const answer = interactive.call(args, {
      inputResponses: params.inputResponses as Record<string, unknown> | undefined,
      requestState: typeof params.requestState === 'string' ? params.requestState : undefined,
      tasksDeclared,
      onExecuted,
      adminUrl: options.adminUrl(),
    });
    return 'error' in answer ? error(200, id, answer.error.code, answer.error.message, answer.error.data) : ok(id, answer.result);
  }
  const tool = state.tools().find((each) => each.name === name);
  if (!tool) return error(200, id, -32602, `Unknown tool: ${name}`);
  const result = await tool.invoke(args, onExecuted);
  if ('invalid' in result) return error(200, id, -32602, `Invalid arguments for ${name}: ${result.invalid}`);
  return ok(id, { ...result, resultType: 'complete' });
}
