/**
 * Direct talk with an MCP server over Streamable HTTP, with the MCP SDK: `tools/list` costs no
 * tokens and works for servers that only the worker can reach. Connections come from a pool
 * (./mcp-connections.ts) shared by the worker's activities.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../src/core/destinations';
import { classify, type RecordedError } from '../src/core/errors';
import { activityFailureDetails } from '../src/core/failures';
import { clipToBytes, MAX_TOOL_OUTPUT_BYTES } from '../src/core/payload-size';
import { contentText } from '../src/core/parser';
import type { RetrySettings } from '../src/core/retry';
import type { DiscoveredTool } from '../src/core/tools';
import { validateArguments } from '../src/core/validation';
import type { McpListedTool } from '../src/core/schemas';
import type { ServerConfig } from '../src/core/servers';
import { attemptErrorsField } from './attempt-errors';
import { failureFromClassification, toApplicationFailure, type FailureContext } from './errors';
import { findDestinationRefusal } from '../src/net/destination-guard';
import type { McpConnectionPool } from './mcp-connections';
import { StdioSpawnError } from './mcp-stdio';
import { outputSchemaOf, rememberOutputSchemas, structuredOutcome, textOfStructured, type StructuredOutcome } from './mcp-structured';
import { redactDeep, redactText, secretValues, type Env } from './secrets';

export { withMcpClient } from './mcp-connections';

/** Every page of `tools/list`, in the shape the Responses API uses for listed tools. */
export async function listToolsOf(client: Client, serverLabel: string, options: RequestOptions = {}): Promise<McpListedTool[]> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, options);
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
    Context.current().heartbeat({ server: serverLabel, tools: tools.length });
  } while (cursor);
  return tools;
}

export interface DirectListInput {
  server: ServerConfig;
  retry: RetrySettings;
  /** The activity's start-to-close timeout; without it, the one Temporal gave this activity. */
  timeout_ms?: number;
}

export interface DirectCallInput {
  server: ServerConfig;
  tool: DiscoveredTool;
  arguments: Record<string, unknown>;
  retry: RetrySettings;
  /** The activity's start-to-close timeout. */
  timeout_ms: number;
}

export interface DirectCallResult extends StructuredOutcome {
  output: string;
  /** The tool ran and reported a failure (`isError: true`) that is not worth retrying. */
  is_error: boolean;
  started_at: string;
  completed_at: string;
  attempt: number;
  /** Errors of the attempts before it, fixed by the retry (./attempt-errors.ts). */
  attempt_errors?: RecordedError[];
}

export function createMcpActivities(deps: { env: Env; connections: McpConnectionPool; allowPrivateNetworks?: AllowPrivateNetworks }) {
  const allow = deps.allowPrivateNetworks ?? DEFAULT_ALLOW_PRIVATE_NETWORKS;
  const failureContext = (input: { server: ServerConfig; retry: RetrySettings }, doing: string): FailureContext => ({
    attempt: Context.current().info.attempt,
    settings: input.retry,
    doing,
    secrets: secretValues([input.server], deps.env),
  });

  async function listToolsDirect(input: DirectListInput): Promise<{ tools: McpListedTool[]; attempt: number }> {
    try {
      const tools = await withDeadline(input.timeout_ms, (options) =>
        deps.connections.use(input.server, deps.env, (client) => listToolsOf(client, input.server.label, options), options, allow),
      );
      return { tools: redactDeep(tools, secretValues([input.server], deps.env)), attempt: Context.current().info.attempt };
    } catch (error) {
      throw destinationFailure(error) ?? spawnFailure(error) ?? toApplicationFailure(error, failureContext(input, `listing the tools of ${input.server.label}`));
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
      const { result, outputSchema } = await withDeadline(input.timeout_ms, (options) =>
        deps.connections.use(
          input.server,
          deps.env,
          async (client) => {
            // Not client.callTool: its output-schema check throws on a mismatch (./mcp-structured.ts).
            const called = await client.request({ method: 'tools/call', params: { name: input.tool.name, arguments: input.arguments } }, CallToolResultSchema, options);
            const hasStructured = called.structuredContent !== undefined && called.isError !== true;
            return { result: called, outputSchema: hasStructured ? await outputSchemaOf(client, input.tool.name, options) : undefined };
          },
          options,
          allow,
        ),
      );
      const secrets = secretValues([input.server], deps.env);
      // A server may echo the headers it received: its output leaves without the secrets.
      const text = contentText(result.content) || (result.structuredContent ? textOfStructured(result.structuredContent, MAX_TOOL_OUTPUT_BYTES) : '');
      const output = clipToBytes(redactText(text, secrets), MAX_TOOL_OUTPUT_BYTES);
      const structured = result.isError === true ? {} : structuredOutcome(result.structuredContent, outputSchema, secrets);
      if (result.isError === true && input.tool.read_only) {
        throw failureFromClassification(classify({ source: 'tool_result_error', readOnly: true }), `${input.server.label}.${input.tool.name} failed: ${output}`, failureContext(input, doing));
      }
      const attempt = Context.current().info.attempt;
      return { output, is_error: result.isError === true, started_at: startedAt, completed_at: new Date().toISOString(), attempt, ...structured, ...attemptErrorsField() };
    } catch (error) {
      throw destinationFailure(error) ?? spawnFailure(error) ?? toApplicationFailure(error, failureContext(input, doing));
    }
  }

  return { listToolsDirect, callToolDirect };
}

/** Room left between the last MCP request's deadline and the activity's own timeout. */
const REQUEST_TIMEOUT_MARGIN_MS = 2_000;
/** When neither the input nor Temporal says how long the activity may run (the SDK's own default). */
const DEFAULT_ACTIVITY_TIMEOUT_MS = 60_000;

/**
 * Runs `work` with the options for every MCP request of one activity, the handshake included:
 * the SDK's default request timeout (60 s) must neither cut a call the activity still allows
 * nor outlive the activity, and a cancelled activity stops waiting at once. The signal is
 * detached when the activity is done: the SDK never removes its abort listeners, and on a
 * pooled connection a late abort would send `notifications/cancelled` for finished requests.
 */
async function withDeadline<T>(activityTimeoutMs: number | undefined, work: (options: RequestOptions) => Promise<T>): Promise<T> {
  const context = Context.current();
  const activityMs = activityTimeoutMs ?? (context.info.startToCloseTimeoutMs || DEFAULT_ACTIVITY_TIMEOUT_MS);
  const timeout = Math.max(1_000, activityMs - REQUEST_TIMEOUT_MARGIN_MS);
  const deadline = new AbortController();
  const cancelled = context.cancellationSignal;
  const onCancel = () => deadline.abort(cancelled.reason);
  if (cancelled.aborted) onCancel();
  else cancelled.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')), timeout);
  try {
    return await work({ timeout, signal: deadline.signal });
  } finally {
    clearTimeout(timer);
    cancelled.removeEventListener('abort', onCancel);
  }
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
  return ApplicationFailure.create({
    type: 'invalid_arguments',
    nonRetryable: true,
    message: refusal.message,
    details: [activityFailureDetails('invalid_arguments', false, Context.current().info.attempt)],
  });
}

/** A stdio server whose program cannot be started: fixing the config is the only way on. */
function spawnFailure(error: unknown): ApplicationFailure | undefined {
  if (!(error instanceof StdioSpawnError)) return undefined;
  return ApplicationFailure.create({
    type: 'invalid_arguments',
    nonRetryable: true,
    message: error.message,
    details: [activityFailureDetails('invalid_arguments', false, Context.current().info.attempt)],
  });
}
