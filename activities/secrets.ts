/**
 * Resolves the secret references of a server config on the worker, so that tokens reach the
 * MCP server (or the Responses API's `headers`) without ever entering workflow history.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { McpToolConfig } from '../src/core/schemas';
import type { SecretRef, ServerConfig } from '../src/core/servers';

export type Env = Record<string, string | undefined>;

export function resolveSecret(ref: SecretRef, env: Env, where: string): string {
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw ApplicationFailure.create({
      type: 'authentication',
      nonRetryable: true,
      message: `${where} refers to the environment variable ${ref.env}, which is not set on the worker: set it where the worker runs`,
    });
  }
  return value;
}

export function resolveHeaders(server: ServerConfig, env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, ref] of Object.entries(server.headers ?? {})) {
    headers[name] = resolveSecret(ref, env, `server ${server.label}: headers.${name}`);
  }
  return headers;
}

/** Every header a direct MCP connection sends: the configured ones and `Authorization: Bearer …`. */
export function connectionHeaders(server: ServerConfig, env: Env): Record<string, string> {
  const headers = resolveHeaders(server, env);
  if (server.authorization) headers.Authorization = `Bearer ${resolveSecret(server.authorization, env, `server ${server.label}: authorization`)}`;
  return headers;
}

/** The `tools` entry of a Responses request for one server, with its secrets filled in. */
export function hostedToolConfig(server: ServerConfig, env: Env, overrides: Partial<McpToolConfig> = {}): McpToolConfig {
  const config: McpToolConfig = {
    type: 'mcp',
    server_label: server.label,
    server_url: server.url,
    require_approval: server.require_approval,
  };
  if (server.allowed_tools) config.allowed_tools = server.allowed_tools;
  if (server.description) config.server_description = server.description;
  const headers = resolveHeaders(server, env);
  if (Object.keys(headers).length) config.headers = headers;
  if (server.authorization) config.authorization = resolveSecret(server.authorization, env, `server ${server.label}: authorization`);
  return { ...config, ...overrides };
}

/** The secret values configured for these servers that are set on the worker, to keep out of messages. */
export function secretValues(servers: readonly ServerConfig[], env: Env): string[] {
  const refs = servers.flatMap((server) => [...Object.values(server.headers ?? {}), ...(server.authorization ? [server.authorization] : [])]);
  return refs.flatMap((ref) => (env[ref.env] ? [env[ref.env]!] : []));
}
