/**
 * Direct talk with an MCP server over Streamable HTTP, with the MCP SDK: `tools/list` costs no
 * tokens and works for servers that only the worker can reach.
 */
import { Context } from '@temporalio/activity';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RetrySettings } from '../src/core/retry';
import type { McpListedTool } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import { toApplicationFailure } from './errors';
import { resolveHeaders, resolveSecret, type Env } from './secrets';

export async function withMcpClient<T>(server: ServerConfig, env: Env, use: (client: Client) => Promise<T>): Promise<T> {
  const headers = resolveHeaders(server, env);
  if (server.authorization) headers.Authorization = `Bearer ${resolveSecret(server.authorization, env, `server ${server.label}: authorization`)}`;
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } });
  const client = new Client({ name: 'mcpflow', version: '0.1.0' });
  await client.connect(transport);
  try {
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Every page of `tools/list`, in the shape the Responses API uses for listed tools. */
export async function listToolsOf(client: Client): Promise<McpListedTool[]> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    for (const tool of page.tools) {
      tools.push({
        name: tool.name,
        description: tool.description ?? null,
        input_schema: tool.inputSchema as Record<string, unknown>,
        annotations: (tool.annotations as Record<string, unknown> | undefined) ?? null,
      });
    }
    cursor = page.nextCursor;
    Context.current().heartbeat({ server: 'listing', tools: tools.length });
  } while (cursor);
  return tools;
}

export interface DirectListInput {
  server: ServerConfig;
  retry: RetrySettings;
}

export function createMcpActivities(deps: { env: Env }) {
  async function listToolsDirect(input: DirectListInput): Promise<{ tools: McpListedTool[]; attempt: number }> {
    const attempt = Context.current().info.attempt;
    try {
      const tools = await withMcpClient(input.server, deps.env, listToolsOf);
      return { tools, attempt };
    } catch (error) {
      throw toApplicationFailure(error, { attempt, settings: input.retry, doing: `listing the tools of ${input.server.label}` });
    }
  }
  return { listToolsDirect };
}
