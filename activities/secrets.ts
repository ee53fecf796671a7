/**
 * Resolves the secret references of a server config on the worker, so that tokens reach the
 * MCP server (or the Responses API's `headers`) without ever entering workflow history.
 */
import type { McpToolConfig } from '../src/core/schemas';
import { hostedModeProblem, isStdioServer, type SecretRef, type ServerConfig } from '../src/core/servers';
import { hostedOAuthToken, oauthSecretValues } from './mcp/auth';
import { mcpflowFailure } from '../src/core/failures';

export type Env = Record<string, string | undefined>;

export function resolveSecret(ref: SecretRef, env: Env, where: string): string {
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw mcpflowFailure(
      'authentication',
      `${where} refers to the environment variable ${ref.env}, which is not set on the worker: set it where the worker runs`,
      {
        retryable: false,
      },
    );
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
  // Input validation refuses this first (src/cli/servers.ts); a workflow started by other means stops here, clearly.
  const stdioProblem = hostedModeProblem([server]);
  if (stdioProblem) throw mcpflowFailure('invalid_arguments', stdioProblem, { retryable: false });
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
  const oauthToken = hostedOAuthToken(server, env);
  if (oauthToken) config.authorization = oauthToken;
  return { ...config, ...overrides };
}

/** The secret values configured for these servers that are set on the worker (and the API key), to keep out of outputs and messages. */
export function secretValues(servers: readonly ServerConfig[], env: Env): string[] {
  const refs = servers.flatMap((server) =>
    isStdioServer(server)
      ? Object.values(server.env ?? {}).filter((value): value is SecretRef => typeof value !== 'string')
      : [...Object.values(server.headers ?? {}), ...(server.authorization ? [server.authorization] : [])],
  );
  const values = refs.flatMap((ref) => (env[ref.env] ? [env[ref.env]!] : []));
  // OAuth tokens from the token store (activities/mcp/auth.ts) are secrets like any other.
  for (const server of servers) values.push(...oauthSecretValues(server, env));
  if (env.OPENAI_API_KEY) values.push(env.OPENAI_API_KEY);
  return values;
}

/**
 * Every form in which a secret could come back from a server that echoes what it received: the
 * value, `Bearer <value>`, and its base64 (standard and URL-safe, with and without padding, as
 * in a Basic header or a JWT-like echo). Values under 4 characters are not hidden: they would
 * hide ordinary text.
 */
function secretForms(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const url = Buffer.from(secret, 'utf8').toString('base64url');
  const forms = [secret, base64, base64.replace(/=+$/, ''), url];
  return [...new Set(forms)].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

const KEY_SHAPED = [/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi];

/** Hides the secrets in a text: their every form, then anything shaped like an API key or bearer token. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) for (const form of secretForms(secret)) if (result.includes(form)) result = result.split(form).join('***');
  return result.replace(KEY_SHAPED[0]!, '$1-***').replace(KEY_SHAPED[1]!, '$1***');
}

/**
 * `value` with every string in it redacted (keys kept): what an activity returns after a server
 * answered (tool outputs, `mcp_call.error`, listed tool descriptions, the model's text quoting
 * them). Objects are copied only where something changed.
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const redacted = redactDeep(item, secrets);
      changed ||= redacted !== item;
      return redacted;
    });
    return (changed ? items : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const redacted = redactDeep(item, secrets);
      changed ||= redacted !== item;
      return [key, redacted] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}
