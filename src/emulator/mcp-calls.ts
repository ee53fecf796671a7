import type { McpCallError, McpToolConfig } from '../core/schemas';
import type { PendingApproval } from './conversations';
import { serverTargetOf, type McpBridge, type McpCallOutcome } from './mcp-bridge';
import type { OutputWriter } from './output-writer';
import type { ToolOutcome } from './planner-answer';
import type { TurnHooks } from './prepared-turn';
import { textParts } from './responses';

/** What running an MCP call needs from the turn. */
export interface McpCallContext {
  mcpTools: Map<string, McpToolConfig>;
  bridge: McpBridge;
  output: OutputWriter;
  hooks: TurnHooks;
}

/** Calls the tool and writes the `mcp_call` item; a failed call is an outcome, never an exception. */
export async function callMcpTool(context: McpCallContext, call: PendingApproval, approvalRequestId: string | null): Promise<ToolOutcome> {
  const config = context.mcpTools.get(call.server);
  const item = context.output.beginMcpCall(call, approvalRequestId);
  let result: McpCallOutcome;
  if (!config) {
    result = { ok: false, error: { type: 'mcp_protocol_error', code: -32601, message: `Unknown MCP server '${call.server}'` } };
  } else {
    context.hooks.onToolCall(call.server, call.tool);
    result = await context.bridge.callTool(serverTargetOf(config), call.tool, JSON.parse(call.arguments) as Record<string, unknown>);
  }
  context.output.endMcpCall(item, result);
  const called = { kind: 'mcp', server: call.server, tool: call.tool } as const;
  return result.ok ? { ...called, status: 'ok', output: result.output } : { ...called, status: 'error', error: callErrorTextForModel(result.error) };
}

/**
 * The failure as the model reads it when it writes the answer: the tool's own words for an
 * `isError` result, else the message and code. (Call records describe errors differently, with
 * `describeCallError` in src/core/parser.ts.)
 */
export function callErrorTextForModel(error: McpCallError): string {
  if (error.type !== 'mcp_tool_execution_error') return `${error.message} (code ${error.code})`;
  return textParts(error.content).filter(Boolean).join('\n') || 'The tool reported an error.';
}
