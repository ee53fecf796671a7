/**
 * McpSession (../session.ts) for a server that speaks a 2025 revision: over the worker's pool
 * (./connections.ts: Streamable HTTP with the SSE fallback, or a stdio program). Each request
 * holds a pooled connection only while it runs. These revisions have no tasks.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@modelcontextprotocol/client';
import type { AllowPrivateNetworks } from '../../../src/core/destinations';
import type { McpListedTool } from '../../../src/core/schemas';
import type { ServerConfig } from '../../../src/core/servers';
import type { Env } from '../../secrets';
import type { CallContinuation } from '../2026/operations';
import type { CalledTool, FollowedTask, McpSession, SessionRequestOptions, ToolListing } from '../session';
import { outputSchemaOf, rememberOutputSchemas } from '../structured';
import type { McpConnectionPool } from './connections';
import { mcpflowFailure } from '../../../src/core/failures';

export class PoolSession implements McpSession {
  constructor(
    private readonly server: ServerConfig,
    private readonly deps: { env: Env; connections: McpConnectionPool; allow: AllowPrivateNetworks },
    private readonly options: SessionRequestOptions,
  ) {}

  async listTools(onPage: (count: number) => void): Promise<ToolListing> {
    return { tools: await this.use((sdk) => listToolsOf(sdk, this.options, onPage)) };
  }

  async callTool(tool: { name: string }, args: Record<string, unknown>, continuation: CallContinuation): Promise<CalledTool> {
    if (continuation.input_responses || continuation.request_state !== undefined) {
      throw mcpflowFailure('invalid_arguments', `${this.server.label} no longer speaks MCP 2026-07-28: the input it asked for cannot be sent`, {
        retryable: false,
      });
    }
    return this.use(async (sdk) => {
      // Not client.callTool: its output-schema check throws on a mismatch (../structured.ts).
      const result = await sdk.request({ method: 'tools/call', params: { name: tool.name, arguments: args } }, this.options);
      const hasStructured = result.structuredContent !== undefined && result.isError !== true;
      return {
        answer: { kind: 'complete', result: { ...result, resultType: 'complete' } },
        outputSchema: hasStructured ? await outputSchemaOf(sdk, tool.name, this.options) : undefined,
      };
    });
  }

  getTask(taskId: string): Promise<FollowedTask> {
    throw this.noTasks(taskId);
  }

  updateTask(taskId: string): Promise<void> {
    throw this.noTasks(taskId);
  }

  cancelTask(taskId: string): Promise<void> {
    throw this.noTasks(taskId);
  }

  async close(): Promise<void> {
    // Each request returned its connection to the pool: nothing is held.
  }

  private use<T>(fn: (sdk: Client) => Promise<T>): Promise<T> {
    return this.deps.connections.use(this.server, this.deps.env, fn, this.options, this.deps.allow);
  }

  /** A task id comes only from a 2026-07-28 server: this one answered the probe with an older revision since. */
  private noTasks(taskId: string): ApplicationFailure {
    return mcpflowFailure('invalid_arguments', `${this.server.label} no longer speaks MCP 2026-07-28: its task ${taskId} cannot be followed`, {
      retryable: false,
    });
  }
}

/**
 * Every page of `tools/list`, in the shape the Responses API uses for listed tools. Page by page
 * (not the SDK's aggregating `listTools()`): each page is a heartbeat, so a long listing is
 * never mistaken for a stuck one, and no page cap cuts a big catalog.
 */
export async function listToolsOf(client: Client, options: SessionRequestOptions, onPage: (count: number) => void): Promise<McpListedTool[]> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request({ method: 'tools/list', params: cursor ? { cursor } : undefined }, options);
    rememberOutputSchemas(client, page.tools);
    for (const tool of page.tools) {
      tools.push({
        name: tool.name,
        description: tool.description ?? null,
        input_schema: tool.inputSchema as Record<string, unknown>,
        annotations: (tool.annotations as Record<string, unknown> | undefined) ?? null,
      });
    }
    cursor = page.nextCursor;
    onPage(tools.length);
  } while (cursor);
  return tools;
}
