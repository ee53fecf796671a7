/**
 * Direct talk with an MCP server over Streamable HTTP, with the MCP SDK: `tools/list` costs no
 * tokens and works for servers that only the worker can reach.
 */
import { Context } from '@temporalio/activity';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ApplicationFailure } from '@temporalio/common';
import { clipText, MAX_TOOL_OUTPUT_CHARS } from '../src/core/limits';
import { contentText } from '../src/core/parser';
import { nextRetryDelayMs, type RetrySettings } from '../src/core/retry';
import type { DiscoveredTool } from '../src/core/tools';
import { validateArguments } from '../src/core/validation';
import type { McpListedTool } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import { toApplicationFailure } from './errors';
import { resolveHeaders, resolveSecret, secretValues, type Env } from './secrets';

export async function withMcpClient<T>(server: ServerConfig, env: Env, use: (client: Client) => Promise<T>): Promise<T> {
  const headers = resolveHeaders(server, env);
  if (server.authorization) headers.Authorization = `Bearer ${resolveSecret(server.authorization, env, `server ${server.label}: authorization`)}`;
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } });
  const client = new Client({ name: 'mcpflow', version: '0.1.0' });
  await client.connect(transport);
  try {
    return await use(client);
  } finally {
    // A stateful server keeps a session per connection until told otherwise (stateless ones answer 405, which the SDK accepts).
    if (transport.sessionId) await transport.terminateSession().catch(() => undefined);
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

export interface DirectCallInput {
  server: ServerConfig;
  tool: DiscoveredTool;
  arguments: Record<string, unknown>;
  retry: RetrySettings;
  /** The activity's start-to-close timeout. */
  timeout_ms: number;
}

export interface DirectCallResult {
  output: string;
  /** The tool ran and reported a failure (`isError: true`) that is not worth retrying. */
  is_error: boolean;
  started_at: string;
  completed_at: string;
  attempt: number;
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
  /**
   * One tool call, checked against the tool's schema first (SDK servers turn bad arguments
   * into a plain error result). An error result of a read-only tool is retried; one of a tool
   * with side effects is returned as it is, so that the tool never runs twice.
   */
  async function callToolDirect(input: DirectCallInput): Promise<DirectCallResult> {
    const context = Context.current();
    const attempt = context.info.attempt;
    const startedAt = new Date().toISOString();
    try {
      assertValidArguments(input);
      // The SDK's own request timeout (60 s) must not cut a call the activity still allows.
      const options = { timeout: Math.max(1_000, input.timeout_ms - CALL_TIMEOUT_MARGIN_MS), signal: context.cancellationSignal };
      const result = await withMcpClient(input.server, deps.env, (client) =>
        client.callTool({ name: input.tool.name, arguments: input.arguments }, undefined, options),
      );
      const output = clipText(contentText(result.content), MAX_TOOL_OUTPUT_CHARS);
      if (result.isError === true && input.tool.read_only) {
        throw ApplicationFailure.create({
          type: 'execution_error',
          message: `${input.server.label}.${input.tool.name} failed: ${output}`,
          nextRetryDelay: nextRetryDelayMs('execution_error', attempt, input.retry),
        });
      }
      return { output, is_error: result.isError === true, started_at: startedAt, completed_at: new Date().toISOString(), attempt };
    } catch (error) {
      throw toApplicationFailure(error, {
        attempt,
        settings: input.retry,
        doing: `calling ${input.server.label}.${input.tool.name}`,
        secrets: secretValues([input.server], deps.env),
      });
    }
  }

  return { listToolsDirect, callToolDirect };
}

const CALL_TIMEOUT_MARGIN_MS = 2_000;

/** SDK servers turn bad arguments into a plain error result; check them against the schema first. */
function assertValidArguments(input: DirectCallInput) {
  if ('_raw' in input.arguments) {
    throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `the model sent arguments for ${input.tool.name} that are not a JSON object` });
  }
  const validation = validateArguments(input.tool, input.arguments);
  if (!validation.valid) {
    throw ApplicationFailure.create({
      type: 'invalid_arguments',
      nonRetryable: true,
      message: `arguments for ${input.server.label}.${input.tool.name} do not match its schema: ${validation.errors.join('; ')}`,
    });
  }
}
