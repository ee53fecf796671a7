import { functionToolName } from '../core/function-tools';
import type { McpListedTool, McpToolConfig } from '../core/schemas';
import { listedTool } from './mcp-listing';
import { planCalls, type PlannedCall, type PlannerTool } from './planner';
import type { PreparedTurn } from './prepared-turn';
import { invalidScriptError, scriptedCalls } from './script';
import { isAllowed } from './tool-policy';

/** The calls the model makes for a new question: the script's, else the planner's. */
export function chooseCalls(prepared: PreparedTurn): PlannedCall[] {
  if (!prepared.isNewQuestion) return [];
  const scripted = prepared.script ? scriptedCalls(prepared.script)?.map((call) => asOffered(prepared, call)) : undefined;
  const calls = scripted ?? planCalls({ text: prepared.question, tools: plannerTools(prepared), today: prepared.today });
  const limit = prepared.request.max_tool_calls;
  return limit ? calls.slice(0, limit) : calls;
}

/** The tools the model may call: every listed MCP tool that `allowed_tools` lets through, and the functions. */
function plannerTools(prepared: PreparedTurn): PlannerTool[] {
  const tools: PlannerTool[] = [];
  for (const [label, config] of prepared.mcpTools) {
    for (const tool of prepared.listings[label] ?? []) {
      if (!isAllowed(config.allowed_tools, tool)) continue;
      tools.push({ kind: 'mcp', server: label, name: tool.name, description: tool.description ?? null, inputSchema: tool.input_schema });
    }
  }
  for (const tool of prepared.functionTools.values()) {
    tools.push({ kind: 'function', name: tool.name, description: tool.description ?? null, inputSchema: tool.parameters ?? {} });
  }
  return tools;
}

/**
 * One script works in both modes: `{"server":"calendar","tool":"book_meeting"}` names the function
 * tool `calendar__book_meeting` when the request offers that function (direct mode) and no MCP
 * server labelled `calendar`; `{"tool":"calendar__book_meeting"}` names the MCP tool when the
 * request offers no such function but an MCP server `calendar` (hosted mode).
 */
export function asOffered(prepared: PreparedTurn, call: PlannedCall): PlannedCall {
  if (call.kind === 'mcp' && call.server !== undefined && !prepared.mcpTools.has(call.server)) {
    const name = functionToolName(call.server, call.tool);
    if (prepared.functionTools.has(name)) return { kind: 'function', tool: name, arguments: call.arguments };
  }
  if (call.kind === 'function' && !prepared.functionTools.has(call.tool)) {
    const split = call.tool.indexOf('__');
    const server = split > 0 ? call.tool.slice(0, split) : undefined;
    if (server !== undefined && prepared.mcpTools.has(server)) return { kind: 'mcp', server, tool: call.tool.slice(split + 2), arguments: call.arguments };
  }
  return call;
}

/** A script may only make calls the planner could make, so it is checked before the response starts. */
export function checkScriptedCalls(prepared: PreparedTurn, scripted: readonly PlannedCall[]): void {
  for (const call of scripted.map((one) => asOffered(prepared, one))) {
    if (call.kind === 'function') {
      if (!prepared.functionTools.has(call.tool)) throw invalidScriptError(`no function tool named '${call.tool}'`);
      continue;
    }
    const { server, config, tool } = resolveMcpCall(prepared, call);
    if (!config) throw invalidScriptError(`no MCP server labelled '${server}' in tools`);
    if (!tool || !isAllowed(config.allowed_tools, tool)) throw invalidScriptError(`tool '${call.tool}' is not available on MCP server '${server}'`);
  }
}

export interface ResolvedMcpCall {
  server: string;
  /** Absent when the request does not send that server. */
  config: McpToolConfig | undefined;
  /** Absent when the server did not list that tool. */
  tool: McpListedTool | undefined;
}

export function resolveMcpCall(prepared: PreparedTurn, call: PlannedCall): ResolvedMcpCall {
  const server = call.server ?? '';
  return { server, config: prepared.mcpTools.get(server), tool: listedTool(prepared.listings, server, call.tool) };
}
