/**
 * The seed's MCPResponseParser, reading what the API really sends: `input_schema` on listed
 * tools, `arguments` as a JSON string, `output` and a structured `error` on calls.
 */
import { classifyMcpCallError, type MCPErrorType } from './errors';
import type { McpApprovalRequestItem, McpCallItem, Response } from './schemas';
import { discoveredToolFromListed, type DiscoveredTool } from './tools';

export type ParsedItem =
  | { kind: 'text'; text: string }
  | { kind: 'tool_list'; server_label: string; tools: DiscoveredTool[]; error: string | null }
  | {
      kind: 'tool_call';
      id: string;
      server_label: string;
      tool: string;
      arguments: Record<string, unknown>;
      output: string | null;
      error: { type: MCPErrorType; message: string } | null;
      approval_request_id: string | null;
    }
  | { kind: 'approval_request'; id: string; server_label: string; tool: string; arguments: Record<string, unknown> }
  | { kind: 'function_call'; call_id: string; tool: string; arguments: Record<string, unknown> }
  | { kind: 'error'; type: MCPErrorType; message: string };

export function parseResponse(response: Response): ParsedItem[] {
  const parsed: ParsedItem[] = [];
  const text = outputText(response);
  if (text) parsed.push({ kind: 'text', text });
  if (response.error) parsed.push({ kind: 'error', type: 'unknown', message: `${response.error.code}: ${response.error.message}` });
  for (const item of response.output) {
    switch (item.type) {
      case 'mcp_list_tools':
        parsed.push({
          kind: 'tool_list',
          server_label: item.server_label,
          tools: item.tools.map((tool) => discoveredToolFromListed(tool, item.server_label)),
          error: item.error ?? null,
        });
        if (item.error) parsed.push({ kind: 'error', type: 'connection', message: `${item.server_label}: ${item.error}` });
        break;
      case 'mcp_call':
        parsed.push(parseCall(item));
        break;
      case 'mcp_approval_request':
        parsed.push(parseApprovalRequest(item));
        break;
      case 'function_call':
        parsed.push({ kind: 'function_call', call_id: item.call_id, tool: item.name, arguments: parseArguments(item.arguments) });
        break;
      default:
        break;
    }
  }
  return parsed;
}

/** What the openai client exposes as `response.output_text`: every output_text part, joined. */
export function outputText(response: Pick<Response, 'output'>): string {
  const parts: string[] = [];
  for (const item of response.output) {
    if (item.type !== 'message') continue;
    for (const content of item.content) if (content.type === 'output_text') parts.push(content.text);
  }
  return parts.join('');
}

function parseCall(item: McpCallItem): Extract<ParsedItem, { kind: 'tool_call' }> {
  return {
    kind: 'tool_call',
    id: item.id,
    server_label: item.server_label,
    tool: item.name,
    arguments: parseArguments(item.arguments),
    output: item.output ?? null,
    error: item.error ? { type: classifyMcpCallError(item.error).type, message: describeCallError(item) } : null,
    approval_request_id: item.approval_request_id ?? null,
  };
}

function parseApprovalRequest(item: McpApprovalRequestItem): Extract<ParsedItem, { kind: 'approval_request' }> {
  return {
    kind: 'approval_request',
    id: item.id,
    server_label: item.server_label,
    tool: item.name,
    arguments: parseArguments(item.arguments),
  };
}

/** `arguments` is a JSON string; anything that is not a JSON object is kept under `_raw`. */
export function parseArguments(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: keep what the model sent so the record shows it
  }
  return { _raw: text };
}

export function describeCallError(item: McpCallItem): string {
  const error = item.error;
  if (!error) return '';
  switch (error.type) {
    case 'mcp_tool_execution_error':
      return contentText(error.content) || `tool ${item.name} failed`;
    case 'mcp_protocol_error':
      return `MCP protocol error ${error.code}: ${error.message}`;
    case 'http_error':
      return `HTTP ${error.code} from ${item.server_label}: ${error.message}`;
  }
}

/** Text of MCP content blocks (`[{type: "text", text}]`), or the JSON of anything else. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block: unknown) =>
        typeof block === 'object' && block !== null && 'text' in block && typeof block.text === 'string' ? block.text : JSON.stringify(block),
      )
      .join('\n');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** True when the model still waits for answers before it can go on. */
export function pendingApprovals(parsed: readonly ParsedItem[]) {
  return parsed.filter((item): item is Extract<ParsedItem, { kind: 'approval_request' }> => item.kind === 'approval_request');
}
