/**
 * Direct talk with an MCP server over Streamable HTTP, with the MCP SDK: `tools/list` costs no
 * tokens and works for servers that only the worker can reach. Connections come from a pool
 * (./2025/connections.ts) shared by the worker's activities.
 */
import { Context } from '@temporalio/activity';
import type { Client, RequestOptions } from '@modelcontextprotocol/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../../src/core/destinations';
import { classify } from '../../src/core/errors';
import { clipToBytes, MAX_TOOL_OUTPUT_BYTES } from '../../src/core/payload-size';
import { contentText } from '../../src/core/parser';
import type { RetrySettings } from '../../src/core/retry';
import { validateArguments } from '../../src/core/validation';
import type { McpListedTool } from '../../src/core/schemas';
import type { ServerConfig } from '../../src/core/servers';
import { attemptErrorsField } from '../attempt-errors';
import { failureFromClassification, nonRetryableFailure, toApplicationFailure, type FailureContext } from '../errors';
import { findDestinationRefusal } from '../../src/net/destination-guard';
import type { McpConnectionPool } from './2025/connections';
import { answeredByServer } from './2025/connection';
import { StdioSpawnError } from './2025/stdio';
import { outputSchemaOf, rememberOutputSchemas, structuredOutcome, textOfStructured } from './structured';
import { redactDeep, redactText, secretValues, type Env } from '../secrets';
import { Mcp2026Client } from './2026/client';
import { Modern } from './2026/direct';
import { sharedProtocolMemory, NoCommonProtocolError, type ProtocolMemory } from './2026/negotiate';
import { callTool2026, listTools2026, ProtocolViolationError, type CallAnswer } from './2026/operations';
import type { CallToolResult2026 } from './2026/schema';
import type { CallInteraction } from '../../src/core/mcp-input';
import { beat, withDeadline } from './deadline';
import { createMcpTaskActivities, type DirectTaskInput } from './task-activities';
import type { DirectCallInput, DirectCallResult, DirectListInput, DirectListResult } from './results';

export { withMcpClient } from './2025/connection';

/**
 * Every page of `tools/list`, in the shape the Responses API uses for listed tools. Page by page
 * (not the SDK's aggregating `listTools()`): each page is a heartbeat, so a long listing is
 * never mistaken for a stuck one, and no page cap cuts a big catalog.
 */
export async function listToolsOf(client: Client, serverLabel: string, options: RequestOptions = {}): Promise<McpListedTool[]> {
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
    beat(Context.current(), { server: serverLabel, tools: tools.length });
  } while (cursor);
  return tools;
}

export type { DirectCallInput, DirectCallResult, DirectListInput, DirectListResult } from './results';

export function createMcpActivities(deps: { env: Env; connections: McpConnectionPool; allowPrivateNetworks?: AllowPrivateNetworks; protocols?: ProtocolMemory }) {
  const allow = deps.allowPrivateNetworks ?? DEFAULT_ALLOW_PRIVATE_NETWORKS;
  const modern = new Modern(deps.protocols ?? sharedProtocolMemory(), deps.env, allow);
  const fail = (error: unknown, input: { server: ServerConfig; retry: RetrySettings }, doing: string) => {
    if (!answeredByServer(error)) modern.forget(input.server);
    return destinationFailure(error) ?? spawnFailure(error) ?? protocolFailure(error) ?? toApplicationFailure(error, failureContext(input, doing));
  };
  const failureContext = (input: { server: ServerConfig; retry: RetrySettings }, doing: string): FailureContext => ({
    attempt: Context.current().info.attempt,
    settings: input.retry,
    doing,
    secrets: secretValues([input.server], deps.env),
  });

  async function listToolsDirect(input: DirectListInput): Promise<DirectListResult> {
    try {
      const listed = await withDeadline(input.timeout_ms, async (options) => {
        const client = await modern.clientFor(input.server, options);
        if (!client) return { tools: await deps.connections.use(input.server, deps.env, (sdk) => listToolsOf(sdk, input.server.label, options), options, allow) };
        const listing = await listTools2026(client, options, (count) => beat(Context.current(), { server: input.server.label, tools: count }));
        modern.rememberOutputSchemas(client.url, listing.output_schemas);
        return { tools: listing.tools, ttl_ms: listing.ttl_ms, cache_scope: listing.cache_scope };
      }, `listing the tools of ${input.server.label}`);
      const result: DirectListResult = { tools: redactDeep(listed.tools, secretValues([input.server], deps.env)), attempt: Context.current().info.attempt };
      // Only present for 2026 servers: a 2025 listing's result keeps its old shape.
      if ('ttl_ms' in listed && listed.ttl_ms !== undefined) result.ttl_ms = listed.ttl_ms;
      if ('cache_scope' in listed && listed.cache_scope !== undefined) result.cache_scope = listed.cache_scope;
      return result;
    } catch (error) {
      throw fail(error, input, `listing the tools of ${input.server.label}`);
    }
  }

  /**
   * One tool call, checked against the tool's schema first (SDK servers turn bad arguments
   * into a plain error result). An error result of a read-only tool is retried; one of a tool
   * with side effects is returned as it is, so that the tool never runs twice.
   */
  async function callToolDirect(input: DirectCallInput): Promise<DirectCallResult> {
    const startedAt = new Date().toISOString();
    const doing = `calling ${input.server.label}.${input.tool.name}`;
    try {
      assertValidArguments(input);
      const called = await withDeadline(input.timeout_ms, async (options) => {
        const client = await modern.clientFor(input.server, options);
        if (client) {
          const answer = await callTool2026(client, input.tool, input.arguments, input, options);
          return { answer, outputSchema: answer.kind === 'complete' ? await modernOutputSchema(client, input.tool.name, answer.result, options) : undefined };
        }
        if (input.input_responses || input.request_state !== undefined) {
          throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `${input.server.label} no longer speaks MCP 2026-07-28: the input it asked for cannot be sent` });
        }
        return deps.connections.use(
          input.server,
          deps.env,
          async (sdk) => {
            // Not client.callTool: its output-schema check throws on a mismatch (./structured.ts).
            const result = await sdk.request({ method: 'tools/call', params: { name: input.tool.name, arguments: input.arguments } }, options);
            const hasStructured = result.structuredContent !== undefined && result.isError !== true;
            const answer: CallAnswer = { kind: 'complete', result: { ...result, resultType: 'complete' } };
            return { answer, outputSchema: hasStructured ? await outputSchemaOf(sdk, input.tool.name, options) : undefined };
          },
          options,
          allow,
        );
      }, doing);
      if (called.answer.kind !== 'complete') return interactionResult(called.answer, startedAt, input.server);
      return completedCall(input, called.answer.result, called.outputSchema, startedAt, doing);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** The output schema of a tool of a 2026 server, listing once when this worker has not yet. */
  async function modernOutputSchema(client: Mcp2026Client, tool: string, result: CallToolResult2026, options: { signal?: AbortSignal }) {
    if (result.structuredContent === undefined || result.isError === true) return undefined;
    const known = modern.outputSchemaOf(client.url, tool);
    if (known) return known;
    const listing = await listTools2026(client, options);
    modern.rememberOutputSchemas(client.url, listing.output_schemas);
    return modern.outputSchemaOf(client.url, tool);
  }

  /** The record's view of a finished call: text for the model, structured content checked, secrets out. */
  function completedCall(input: DirectCallInput | DirectTaskInput, result: CallToolResult2026, outputSchema: Record<string, unknown> | undefined, startedAt: string, doing: string): DirectCallResult {
    const secrets = secretValues([input.server], deps.env);
    // A server may echo the headers it received: its output leaves without the secrets.
    const text = contentText(result.content as Parameters<typeof contentText>[0]) || (result.structuredContent ? textOfStructured(result.structuredContent, MAX_TOOL_OUTPUT_BYTES) : '');
    const output = clipToBytes(redactText(text, secrets), MAX_TOOL_OUTPUT_BYTES);
    const structured = result.isError === true ? {} : structuredOutcome(result.structuredContent, outputSchema, secrets);
    if (result.isError === true && input.tool.read_only) {
      throw failureFromClassification(classify({ source: 'tool_result_error', readOnly: true }), `${input.server.label}.${input.tool.name} failed: ${output}`, failureContext(input, doing));
    }
    const attempt = Context.current().info.attempt;
    return { output, is_error: result.isError === true, started_at: startedAt, completed_at: new Date().toISOString(), attempt, ...structured, ...attemptErrorsField() };
  }

  function interactionResult(interaction: CallInteraction, startedAt: string, server: ServerConfig): DirectCallResult {
    // The server's questions go into history and `progress`: without the secrets it may echo.
    const secrets = secretValues([server], deps.env);
    return { output: '', is_error: false, started_at: startedAt, completed_at: new Date().toISOString(), attempt: Context.current().info.attempt, interaction: redactDeep(interaction, secrets) };
  }

  return {
    listToolsDirect,
    callToolDirect,
    ...createMcpTaskActivities({ env: deps.env, modern, fail, completedCall, interactionResult, modernOutputSchema }),
  };
}

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

/** A refused destination is a configuration problem: retrying cannot help. */
function destinationFailure(error: unknown): ApplicationFailure | undefined {
  const refusal = findDestinationRefusal(error);
  if (!refusal) return undefined;
  return nonRetryableFailure('invalid_arguments', refusal.message, Context.current().info.attempt);
}

/** A server that breaks the revision, or shares no revision with mcpflow: retrying cannot help. */
function protocolFailure(error: unknown): ApplicationFailure | undefined {
  if (!(error instanceof ProtocolViolationError) && !(error instanceof NoCommonProtocolError)) return undefined;
  return nonRetryableFailure('execution_error', error.message, Context.current().info.attempt);
}

/** A stdio server whose program cannot be started: fixing the config is the only way on. */
function spawnFailure(error: unknown): ApplicationFailure | undefined {
  if (!(error instanceof StdioSpawnError)) return undefined;
  return nonRetryableFailure('invalid_arguments', error.message, Context.current().info.attempt);
}
