/**
 * The Responses output parser, reading what the API really sends: `input_schema` on listed
 * tools, `arguments` as a JSON string, `output` and a structured `error` on calls. Each output
 * item maps to what the workflow keeps of it: a catalog entry, a call record, a pending approval.
 */
import { classifyMcpCallError, type RecordedError } from './errors';
import { durationMs, type CallRecord, type PendingApproval } from './records';
import type { McpApprovalRequestItem, McpCallItem, McpListToolsItem, Response } from './schemas';
import { discoveredToolFromListed, type DiscoveredTool, type ServerCatalog } from './tools';

/** What the openai client exposes as `response.output_text`: every output_text part, joined. */
export function outputText(response: Pick<Response, 'output'>): string {
  const parts: string[] = [];
  for (const item of response.output) {
    if (item.type !== 'message') continue;
    for (const content of item.content) if (content.type === 'output_text') parts.push(content.text);
  }
  return parts.join('');
}

/** A server's catalog entry from a successful listing. */
export function listedServerCatalog(serverLabel: string, tools: DiscoveredTool[], fetchedAt: string): ServerCatalog {
  return { server_label: serverLabel, status: 'ok', tools, fetched_at: fetchedAt, stale: false, error: null };
}

/** The catalog entry an `mcp_list_tools` item (without error) stands for: a listing inside a query is as fresh as a discovery. */
export function catalogFromListing(item: McpListToolsItem, fetchedAt: string): ServerCatalog {
  return listedServerCatalog(
    item.server_label,
    item.tools.map((tool) => discoveredToolFromListed(tool, item.server_label)),
    fetchedAt,
  );
}

export interface CallTimes {
  started_at: string;
  completed_at: string | null;
}

/** The call record of an `mcp_call` item, and the classified error it carries. */
export function recordFromMcpCall(item: McpCallItem, times: CallTimes | undefined): { record: CallRecord; error: RecordedError | null } {
  const classified = item.error ? classifyMcpCallError(item.error) : null;
  const errorMessage = item.error ? describeCallError(item) : null;
  const startedAt = times?.started_at ?? null;
  const completedAt = times?.completed_at ?? null;
  return {
    record: {
      id: item.id,
      tool: item.name,
      server: item.server_label,
      arguments: parseArguments(item.arguments),
      status: item.error || item.status === 'failed' ? 'failed' : 'completed',
      output: item.output ?? null,
      error_type: classified?.type ?? null,
      error_message: errorMessage,
      approval_request_id: item.approval_request_id ?? null,
      started_at: startedAt,
      completed_at: completedAt,
      duration_ms: durationMs(startedAt, completedAt),
    },
    error: classified ? { type: classified.type, message: errorMessage ?? '', retryable: classified.retryable } : null,
  };
}

export function pendingFromApprovalRequest(item: McpApprovalRequestItem, requestedAt: string): PendingApproval {
  return { id: item.id, server: item.server_label, tool: item.name, arguments: parseArguments(item.arguments), requested_at: requestedAt };
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

/** The message of an `mcp_call` item's error, as call records and summaries show it. */
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
