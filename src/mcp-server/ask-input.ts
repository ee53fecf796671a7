/**
 * `ask`'s arguments and the runQuery input they become. The servers come from the config: a
 * client names them by label, or by a URL the config lists (a server's own URL, or a prefix in
 * `mcp_server.allowed_urls`). Anything else is refused before a run starts, naming the field.
 */
import { z } from 'zod';
import { ExecutionModeSchema } from '../core/defaults';
import { hostedModeProblem, isStdioServer, type ServerConfig } from '../core/servers';
import type { QueryInput } from '../../workflows/messages';
import type { McpServerOptions } from './options';
import { McpflowError } from '../core/mcpflow-error';

export const AskArgsSchema = z.object({
  query: z.string().min(1).max(8_000).describe('The question, in plain words'),
  servers: z
    .array(z.string().min(1).max(2_000))
    .min(1)
    .max(20)
    .optional()
    .describe("MCP servers to use, by label (or a URL the mcp-server's config allows); default: every configured server"),
  mode: ExecutionModeSchema.optional().describe('hosted: the model provider calls the tools; direct: the mcpflow worker calls them'),
  model: z.string().min(1).max(200).optional().describe('The model; default from the config'),
});
export type AskArgs = z.infer<typeof AskArgsSchema>;

/** A request the config does not allow: refused before anything starts. */
export class AskRefusedError extends McpflowError {}

export function queryInputOf(args: AskArgs, options: McpServerOptions): QueryInput {
  const chosen = args.servers?.map((name, index) => serverFor(name, index, options)) ?? options.definitions;
  if (!chosen.length) throw new AskRefusedError('servers: this mcp-server has no MCP servers configured: add them under "servers" in mcpflow.config.json');
  const mode = args.mode ?? options.defaults.mode;
  const problem = mode === 'hosted' ? hostedModeProblem(chosen, 'ask with "mode": "direct"') : undefined;
  if (problem) throw new AskRefusedError(`mode: ${problem}`);
  const byLabel = new Map(options.inputs.map((server) => [server.label, server]));
  const { approval_timeout_ms, ...defaults } = options.defaults;
  return {
    query: args.query,
    servers: chosen.map((server) => byLabel.get(server.label) ?? server),
    ...defaults,
    mode,
    model: args.model ?? defaults.model,
    ...(approval_timeout_ms !== undefined ? { approval_timeout_ms } : {}),
  };
}

function serverFor(name: string, index: number, options: McpServerOptions): ServerConfig {
  const labels = options.definitions.map((server) => server.label);
  const configured = options.definitions.find((server) => server.label === name || (!isStdioServer(server) && 'url' in server && server.url === name));
  if (configured) return configured;
  if (!/^https?:\/\//i.test(name))
    throw new AskRefusedError(`servers[${index}]: no server "${name}" in this mcp-server's config; use one of: ${labels.join(', ') || '(none configured)'}`);
  let url: URL;
  try {
    url = new URL(name);
  } catch {
    throw new AskRefusedError(`servers[${index}]: "${name}" is not a valid URL`);
  }
  if (url.username || url.password) throw new AskRefusedError(`servers[${index}]: a URL with credentials is refused: name a configured server instead`);
  if (!options.allowedUrls.some((prefix) => url.href.startsWith(prefix))) {
    throw new AskRefusedError(
      `servers[${index}]: ${url.href} is not allowed by this mcp-server's config: use a configured server (${labels.join(', ') || 'none'}) or add the URL's prefix to "mcp_server.allowed_urls" in mcpflow.config.json`,
    );
  }
  // Named only by URL: every call asks a person first, as the Responses API's default does.
  return { label: `url-${index + 1}`, url: url.href, require_approval: 'always' } as ServerConfig;
}
