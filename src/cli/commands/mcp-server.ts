/**
 * `mcpflow mcp-server`: mcpflow as an MCP server (src/mcp-server), so any MCP client (an IDE
 * agent, a chat app, another mcpflow) can hand it a question to run durably. Streamable HTTP on
 * loopback by default (a bearer token, MCPFLOW_MCP_SERVER_TOKEN, on any other address), or stdio.
 */
import type { Command } from 'commander';
import { McpflowClient } from '../../client/client';
import { DEFAULT_RETRY_SETTINGS } from '../../core/retry';
import { isLoopbackHost, serveMcpStdio, startMcpHttpServer, type McpServerOptions } from '../../mcp-server';
import { commandContext, type CommandContext } from '../context';
import { parseListenPortFlag, parsePositiveInt } from '../options';
import { UsageError } from '../errors';
import { toStderr } from '../output';
import { serverDefinitionsFrom, serversFrom } from '../servers';
import { waitForStopSignal } from '../signals';

export const DEFAULT_MCP_SERVER_PORT = 8840;
export const TOKEN_ENV = 'MCPFLOW_MCP_SERVER_TOKEN';

interface McpServerFlags {
  stdio?: boolean;
  host: string;
  port: number;
  pollInterval: number;
}

export function registerMcpServerCommand(program: Command): void {
  program
    .command('mcp-server')
    .description('Serve mcpflow as an MCP server (tools ask, status, list_pending_approvals, decide_approval, answer_question, batch_status)')
    .option('--stdio', 'speak MCP on stdin/stdout (for a client that starts mcpflow itself) instead of HTTP')
    .option('--host <host>', `address to listen on; off loopback ${TOKEN_ENV} must be set`, '127.0.0.1')
    .option('--port <port>', 'HTTP port (0: any free port)', parseListenPortFlag, DEFAULT_MCP_SERVER_PORT)
    .option('--poll-interval <ms>', 'the pollIntervalMs tasks suggest to clients', parsePositiveInt, 1_000)
    .action(async (flags: McpServerFlags, command: Command) => {
      const context = commandContext(command);
      const token = process.env[TOKEN_ENV] || undefined;
      // Refused before Temporal is asked anything: off loopback nobody may call it without the token.
      if (!flags.stdio && !token && !isLoopbackHost(flags.host))
        throw new UsageError(`--host ${flags.host} is not loopback: set ${TOKEN_ENV} (clients send "Authorization: Bearer <token>"), or listen on 127.0.0.1`);
      const client = await McpflowClient.connect(context.connection, { taskQueue: context.taskQueue });
      try {
        const options = serverOptions(context, client, flags.pollInterval);
        if (flags.stdio) {
          const served = serveMcpStdio(options);
          await Promise.race([served.closed, waitForStopSignal()]);
          await served.close();
          return;
        }
        const server = await startMcpHttpServer(options, { host: flags.host, port: flags.port, ...(token ? { token } : {}) });
        toStderr(`mcpflow MCP server listening on ${server.url}${token ? ' (bearer token required)' : ''}`);
        toStderr(`Temporal ${context.connection.address}, namespace ${context.connection.namespace}, task queue ${client.taskQueue}`);
        await waitForStopSignal();
        await server.close();
      } finally {
        await client.close();
      }
    });
}

function serverOptions(context: CommandContext, client: McpflowClient, pollIntervalMs: number): McpServerOptions {
  const { config } = context.loaded;
  const defaults = config.defaults;
  return {
    client,
    definitions: serverDefinitionsFrom(context),
    inputs: serversFrom(context),
    allowedUrls: config.mcp_server.allowed_urls,
    defaults: {
      mode: defaults.mode,
      model: defaults.model,
      retry: { ...DEFAULT_RETRY_SETTINGS, ...defaults.retry },
      ...(defaults.cache_ttl_ms !== undefined ? { cache_ttl_ms: defaults.cache_ttl_ms } : {}),
      ...(defaults.approval_timeout_ms !== undefined ? { approval_timeout_ms: defaults.approval_timeout_ms } : {}),
    },
    pollIntervalMs,
    version: '0.2.0',
  };
}
