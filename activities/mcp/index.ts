/**
 * Direct talk with an MCP server, with the MCP SDK: `tools/list` costs no tokens and works for
 * servers that only the worker can reach. Each activity opens the server's McpSession
 * (./session.ts, ./sessions.ts), whichever revision it speaks; 2025 connections come from a pool
 * (./2025/connections.ts) shared by the worker's activities.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../../src/core/destinations';
import { classify } from '../../src/core/errors';
import { clipToBytes, MAX_TOOL_OUTPUT_BYTES } from '../../src/core/payload-size';
import { contentText } from '../../src/core/parser';
import type { RetrySettings } from '../../src/core/retry';
import { validateArguments } from '../../src/core/validation';
import type { ServerConfig } from '../../src/core/servers';
import { attemptErrorsField } from '../attempt-errors';
import { failureFromClassification, nonRetryableFailure, toApplicationFailure, type FailureContext } from '../errors';
import { findDestinationRefusal } from '../../src/net/destination-guard';
import type { McpConnectionPool } from './2025/connections';
import { answeredByServer } from './2025/connection';
import { StdioSpawnError } from './2025/stdio';
import { structuredOutcome, textOfStructured } from './structured';
import { redactDeep, redactText, secretValues, type Env } from '../secrets';
import { sharedProtocolMemory, NoCommonProtocolError, type ProtocolMemory } from './2026/negotiate';
import { ProtocolViolationError } from './2026/operations';
import type { CallToolResult2026 } from './2026/schema';
import type { CallInteraction } from '../../src/core/mcp-input';
import { beat, withDeadline } from './deadline';
import { createMcpTaskActivities, type DirectTaskInput } from './task-activities';
import type { DirectCallInput, DirectCallResult, DirectListInput, DirectListResult } from './results';
import type { McpSession } from './session';
import { McpSessions } from './sessions';

export type { DirectCallInput, DirectCallResult, DirectListInput, DirectListResult } from './results';
import { mcpflowFailure } from '../../src/core/failures';

export function createMcpActivities(deps: {
  env: Env;
  connections: McpConnectionPool;
  allowPrivateNetworks?: AllowPrivateNetworks;
  protocols?: ProtocolMemory;
}) {
  const allow = deps.allowPrivateNetworks ?? DEFAULT_ALLOW_PRIVATE_NETWORKS;
  const sessions = new McpSessions({ env: deps.env, connections: deps.connections, allow, protocols: deps.protocols ?? sharedProtocolMemory() });
  const fail = (error: unknown, input: { server: ServerConfig; retry: RetrySettings }, doing: string) => {
    if (!answeredByServer(error)) sessions.forget(input.server);
    return destinationFailure(error) ?? spawnFailure(error) ?? protocolFailure(error) ?? toApplicationFailure(error, failureContext(input, doing));
  };
  const failureContext = (input: { server: ServerConfig; retry: RetrySettings }, doing: string): FailureContext => ({
    attempt: Context.current().info.attempt,
    settings: input.retry,
    doing,
    secrets: secretValues([input.server], deps.env),
  });
  /** Runs `work` on the server's session within the activity's deadline, and closes it. */
  const withSession = <T>(server: ServerConfig, timeoutMs: number | undefined, doing: string, work: (session: McpSession) => Promise<T>): Promise<T> =>
    withDeadline(
      timeoutMs,
      async (options) => {
        const session = await sessions.open(server, options);
        try {
          return await work(session);
        } finally {
          await session.close();
        }
      },
      doing,
    );

  async function listToolsDirect(input: DirectListInput): Promise<DirectListResult> {
    const doing = `listing the tools of ${input.server.label}`;
    try {
      const listed = await withSession(input.server, input.timeout_ms, doing, (session) =>
        session.listTools((count) => beat(Context.current(), { server: input.server.label, tools: count })),
      );
      const result: DirectListResult = { tools: redactDeep(listed.tools, secretValues([input.server], deps.env)), attempt: Context.current().info.attempt };
      // Only present for 2026 servers: a 2025 listing's result keeps its old shape.
      if (listed.ttl_ms !== undefined) result.ttl_ms = listed.ttl_ms;
      if (listed.cache_scope !== undefined) result.cache_scope = listed.cache_scope;
      return result;
    } catch (error) {
      throw fail(error, input, doing);
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
      const called = await withSession(input.server, input.timeout_ms, doing, (session) => session.callTool(input.tool, input.arguments, input));
      if (called.answer.kind !== 'complete') return interactionResult(called.answer, startedAt, input.server);
      return completedCall(input, called.answer.result, called.outputSchema, startedAt, doing);
    } catch (error) {
      throw fail(error, input, doing);
    }
  }

  /** The record's view of a finished call: text for the model, structured content checked, secrets out. */
  function completedCall(
    input: DirectCallInput | DirectTaskInput,
    result: CallToolResult2026,
    outputSchema: Record<string, unknown> | undefined,
    startedAt: string,
    doing: string,
  ): DirectCallResult {
    const secrets = secretValues([input.server], deps.env);
    // A server may echo the headers it received: its output leaves without the secrets.
    const text =
      contentText(result.content as Parameters<typeof contentText>[0]) ||
      (result.structuredContent ? textOfStructured(result.structuredContent, MAX_TOOL_OUTPUT_BYTES) : '');
    const output = clipToBytes(redactText(text, secrets), MAX_TOOL_OUTPUT_BYTES);
    const structured = result.isError === true ? {} : structuredOutcome(result.structuredContent, outputSchema, secrets);
    if (result.isError === true && input.tool.read_only) {
      throw failureFromClassification(
        classify({ source: 'tool_result_error', readOnly: true }),
        `${input.server.label}.${input.tool.name} failed: ${output}`,
        failureContext(input, doing),
      );
    }
    const attempt = Context.current().info.attempt;
    return {
      output,
      is_error: result.isError === true,
      started_at: startedAt,
      completed_at: new Date().toISOString(),
      attempt,
      ...structured,
      ...attemptErrorsField(),
    };
  }

  function interactionResult(interaction: CallInteraction, startedAt: string, server: ServerConfig): DirectCallResult {
    // The server's questions go into history and `progress`: without the secrets it may echo.
    const secrets = secretValues([server], deps.env);
    return {
      output: '',
      is_error: false,
      started_at: startedAt,
      completed_at: new Date().toISOString(),
      attempt: Context.current().info.attempt,
      interaction: redactDeep(interaction, secrets),
    };
  }

  return {
    listToolsDirect,
    callToolDirect,
    ...createMcpTaskActivities({ env: deps.env, withSession, fail, completedCall, interactionResult }),
  };
}

/** SDK servers turn bad arguments into a plain error result; check them against the schema first. */
function assertValidArguments(input: DirectCallInput) {
  if ('_raw' in input.arguments) {
    throw mcpflowFailure('invalid_arguments', `the model sent arguments for ${input.tool.name} that are not a JSON object`, { retryable: false });
  }
  const validation = validateArguments(input.tool, input.arguments);
  if (!validation.valid) {
    throw mcpflowFailure(
      'invalid_arguments',
      `arguments for ${input.server.label}.${input.tool.name} do not match its schema: ${validation.errors.join('; ')}`,
      {
        retryable: false,
      },
    );
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
