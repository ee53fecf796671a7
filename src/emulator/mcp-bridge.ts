import { STATUS_CODES } from 'node:http';
import { Client, ProtocolError, SdkHttpError, StreamableHTTPClientTransport, type Tool as SdkTool } from '@modelcontextprotocol/client';
import type { McpCallError, McpListedTool, McpToolConfig } from '../core/schemas';
import type { AllowPrivateNetworks } from '../core/destinations';
import { guardedFetch } from '../net/destination-guard';
import { McpflowError } from '../core/mcpflow-error';

/** Where and how to reach one MCP server, taken from a request's `mcp` tool. */
export interface McpServerTarget {
  label: string;
  url: string;
  headers?: Record<string, string> | null;
  /** OAuth access token, sent as `Authorization: Bearer`. */
  authorization?: string;
}

export function serverTargetOf(tool: McpToolConfig): McpServerTarget {
  return {
    label: tool.server_label,
    url: tool.server_url ?? '',
    headers: tool.headers ?? null,
    ...(tool.authorization ? { authorization: tool.authorization } : {}),
  };
}

export type McpCallOutcome = { ok: true; output: string } | { ok: false; error: McpCallError };

/** Listing failed: the emulator turns it into HTTP 424 `external_connector_error`. */
export class McpListingError extends McpflowError {
  constructor(
    readonly serverLabel: string,
    readonly detail: string,
  ) {
    super(`Error retrieving tool list from MCP server '${serverLabel}': ${detail}`);
  }
}

const LIST_TIMEOUT_MS = 15_000;
const CALL_TIMEOUT_MS = 60_000;

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/**
 * The MCP client side of one emulated request: one connection per server (URL and credentials),
 * opened on first use and closed when the request is done, as the hosted API does.
 */
export class McpBridge {
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(private readonly allowPrivateNetworks: AllowPrivateNetworks = 'loopback') {}

  async listTools(target: McpServerTarget): Promise<McpListedTool[]> {
    try {
      const { client } = await this.connect(target);
      // Without a cursor the SDK follows every page itself.
      const { tools } = await client.listTools(undefined, { timeout: LIST_TIMEOUT_MS });
      return tools.map(toListedTool);
    } catch (error) {
      throw new McpListingError(target.label, describeFailure(error));
    }
  }

  async callTool(target: McpServerTarget, name: string, args: Record<string, unknown>): Promise<McpCallOutcome> {
    try {
      const { client } = await this.connect(target);
      const result = await client.callTool({ name, arguments: args }, { timeout: CALL_TIMEOUT_MS });
      const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
      if (result.isError === true) return { ok: false, error: { type: 'mcp_tool_execution_error', content } };
      return { ok: true, output: outputText(content, result.structuredContent) };
    } catch (error) {
      return { ok: false, error: toCallError(error) };
    }
  }

  /** Closes every connection; ends server sessions so stateful servers do not keep them. */
  async closeAll(): Promise<void> {
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(
      pending.map(async (connecting) => {
        try {
          const { client, transport } = await connecting;
          if (transport.sessionId) await transport.terminateSession().catch(() => undefined);
          await client.close();
        } catch {
          // A connection that never opened has nothing to close.
        }
      }),
    );
  }

  private connect(target: McpServerTarget): Promise<Connection> {
    const key = JSON.stringify([target.url, target.headers ?? null, target.authorization ?? null]);
    let connecting = this.connections.get(key);
    if (!connecting) {
      connecting = openConnection(target, this.allowPrivateNetworks);
      this.connections.set(key, connecting);
    }
    return connecting;
  }
}

async function openConnection(target: McpServerTarget, allowPrivateNetworks: AllowPrivateNetworks): Promise<Connection> {
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  if (target.authorization) headers['Authorization'] = `Bearer ${target.authorization}`;
  // Like the real API, never a metadata or link-local address; private ranges only as configured
  // (loopback by default, for local servers; src/net/destination-guard.ts).
  const transport = new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers }, fetch: guardedFetch(allowPrivateNetworks) });
  const client = new Client({ name: 'mcpflow-emulator', version: '0.1.0' });
  await client.connect(transport, { timeout: LIST_TIMEOUT_MS });
  return { client, transport };
}

/** MCP `Tool` → the API's listed tool: `input_schema` and `annotations` with `read_only`. */
export function toListedTool(tool: SdkTool): McpListedTool {
  const annotations: Record<string, unknown> = { read_only: tool.annotations?.readOnlyHint === true };
  for (const [key, value] of Object.entries(tool.annotations ?? {})) {
    if (value !== undefined) annotations[key] = value;
  }
  return {
    name: tool.name,
    description: tool.description ?? null,
    input_schema: tool.inputSchema as Record<string, unknown>,
    annotations,
  };
}

/** The text parts joined; structured content or raw content as JSON when there is no text. */
function outputText(content: readonly unknown[], structured: unknown): string {
  const texts = content.map((part) => (isTextPart(part) ? part.text : undefined)).filter((text): text is string => text !== undefined);
  if (texts.length > 0) return texts.join('\n');
  if (structured !== undefined) return JSON.stringify(structured);
  return content.length > 0 ? JSON.stringify(content) : '';
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' && typeof (part as { text?: unknown }).text === 'string';
}

function toCallError(error: unknown): McpCallError {
  // SDK 2.x keeps the server's message as it is (1.x prefixed "MCP error <code>: ").
  if (error instanceof ProtocolError) return { type: 'mcp_protocol_error', code: error.code, message: error.message };
  if (error instanceof SdkHttpError && error.status > 0) return { type: 'http_error', code: error.status, message: error.message };
  // The server went away between listing and calling: the API reports it as a gateway error.
  return { type: 'http_error', code: 502, message: describeFailure(error) };
}

function describeFailure(error: unknown): string {
  if (error instanceof SdkHttpError && error.status > 0) return `Http status code: ${error.status} (${STATUS_CODES[error.status] ?? 'Error'})`;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `Could not connect to the server: ${error.message}${causeText}`;
  }
  return String(error);
}
