import type { McpListedTool, McpToolConfig } from '../core/schemas';
import { listedTool } from './mcp-listing';
import { planCalls, type PlannedCall, type PlannerTool } from './planner';
import type { PreparedTurn } from './prepared-turn';
import { invalidScriptError, scriptedCalls } from './script';
import { isAllowed } from './tool-policy';

/** The calls the model makes for a new question: the script's, else the planner's. */
export function chooseCalls(prepared: PreparedTurn): PlannedCall[] {
  if (!prepared.isNewQuestion) return [];
  const scripted = prepared.script ? scriptedCalls(prepared.script) : undefined;
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

/** A script may only make calls the planner could make, so it is checked before the response starts. */
export function checkScriptedCalls(prepared: PreparedTurn, calls: readonly PlannedCall[]): void {
  for (const call of calls) {
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
