/**
 * An MCP server as mcpflow's users configure it. Secrets are never values here, only references
 * to environment variables that the worker resolves inside an activity: a workflow input is
 * stored in history, and history must never hold a token.
 */
import { z } from 'zod';
import { ApproversSchema } from './approvers';
import { checkUrl } from './destinations';
import { AllowedToolsSchema, RequireApprovalSchema } from './tool-filters';

export const SecretRefSchema = z.strictObject({
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as WEATHER_TOKEN'),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

const secretRef = z.union([SecretRefSchema, z.string()]).transform((value, context) => {
  if (typeof value !== 'string') return value;
  context.addIssue({
    code: 'custom',
    message: 'secrets are not accepted as plain values: set an environment variable on the worker and write { "env": "NAME" }',
  });
  return z.NEVER;
});

/**
 * OAuth settings of a server that follows the MCP authorization rules. No secret lives here: the
 * tokens are in the worker's token store, written by `mcpflow auth <label>`.
 */
export const OAuthSettingsSchema = z.strictObject({
  oauth: z.literal(true, { error: 'must be true: "auth": { "oauth": true }' }),
  /** Scopes to ask for; default: what the server's protected resource metadata lists. */
  scope: z.string().min(1).max(1000).optional(),
  /** A client registered by hand, for authorization servers without dynamic client registration (a public client: PKCE, no secret). */
  client_id: z.string().min(1).max(1000).optional(),
});
export type OAuthSettings = z.infer<typeof OAuthSettingsSchema>;

/** What every server has, however it is reached. */
const CommonShape = {
  label: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use letters, digits, "_" or "-" (it becomes server_label)'),
  /** The API's own default is "always"; mcpflow keeps it. */
  require_approval: RequireApprovalSchema.default('always'),
  allowed_tools: AllowedToolsSchema.optional(),
  description: z.string().max(1000).optional(),
  /** Who may approve or deny its calls (a list, or by tool name with "*" for the rest); absent: anyone (./approvers.ts). */
  approvers: ApproversSchema.optional(),
  /**
   * Workflow input only: a definition (a stdio command, secret references) that the person starting
   * the workflow wrote, for a worker that accepts such definitions (`allow_inline_servers`: `mcpflow dev`,
   * `demo`, or `mcpflow worker --allow-inline-servers`). Any other worker refuses the server.
   */
  inline: z.literal(true, { error: 'must be true or absent' }).optional(),
};

/** A server reached over HTTP (Streamable HTTP, or the legacy HTTP+SSE transport in direct mode). */
export const HttpServerConfigSchema = z
  .strictObject({
    ...CommonShape,
    url: z
      .string()
      .url('must be the MCP endpoint URL, for example http://127.0.0.1:8801/mcp')
      // The rules no setting relaxes (scheme, metadata, link-local, unspecified); ranges are checked at connect time.
      .superRefine((url, context) => {
        if (!URL.canParse(url)) return; // .url() has said so
        const refusal = checkUrl(url, true);
        if (refusal) context.addIssue({ code: 'custom', message: `${refusal.message}; use an http:// or https:// MCP endpoint` });
      }),
    /** Extra HTTP headers for the MCP server, each a reference to an environment variable. */
    headers: z.record(z.string(), secretRef).optional(),
    /** OAuth access token for the server (sent as `authorization`), by reference. */
    authorization: secretRef.optional(),
    /** An OAuth-protected server whose tokens `mcpflow auth <label>` obtains (src/auth/, activities/mcp/auth.ts). */
    auth: OAuthSettingsSchema.optional(),
  })
  .refine((server) => !(server.auth && server.authorization), {
    path: ['auth'],
    message: 'give either "auth": { "oauth": true } (tokens from `mcpflow auth <label>`) or "authorization": { "env": "NAME" } (a token you provide), not both',
  });
export type HttpServerConfig = z.infer<typeof HttpServerConfigSchema>;

/**
 * A key this kind of server does not take. A refinement, not z.never(): zod's union reports the
 * issues of the one option that failed only on refinements, so a stdio server with `headers`
 * hears about `headers`, not about a missing `url`.
 */
function absent(message: string): z.ZodOptional<z.ZodUndefined> {
  return z
    .unknown()
    .refine((value) => value === undefined, { error: message })
    .optional() as unknown as z.ZodOptional<z.ZodUndefined>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A program the worker starts and talks to over stdin/stdout (most MCP servers people install).
 * Only the worker can run it, so only direct mode can use it. The program gets a minimal
 * environment (PATH, HOME, USER, ...) plus `env`, never the worker's own (which holds API keys).
 */
export const StdioServerConfigSchema = z.strictObject({
  ...CommonShape,
  command: z.string().min(1, 'must be the program to run, for example "node" or "npx"').max(4096),
  args: z.array(z.string().max(4096)).max(256).default([]),
  /**
   * Environment variables for the program: a plain value (kept in workflow history: never a
   * secret) or `{ "env": "NAME" }`, a variable the worker reads where it runs.
   */
  env: z
    .record(z.string(), z.union([SecretRefSchema, z.string().max(4096)]))
    // A refinement (not a key schema) so that zod's union names this field, not the whole server.
    .superRefine((env, context) => {
      for (const name of Object.keys(env)) {
        if (!ENV_NAME.test(name)) context.addIssue({ code: 'custom', path: [name], message: 'must be an environment variable name such as MEMORY_FILE_PATH' });
      }
    })
    .optional(),
  /** Working directory of the program, on the worker's machine. */
  cwd: z.string().min(1).max(4096).optional(),
  // Never set; declared so that code reading `server.url` or `server.headers` of any server type-checks.
  url: absent('a server has either "url" or "command", not both'),
  headers: absent('a stdio server takes no HTTP headers: give it environment variables with "env": { "NAME": { "env": "NAME" } }'),
  authorization: absent('a stdio server takes no authorization: give it environment variables with "env": { "NAME": { "env": "NAME" } }'),
  auth: absent('a stdio server takes no OAuth settings: give it environment variables with "env": { "NAME": { "env": "NAME" } }'),
});
export type StdioServerConfig = z.infer<typeof StdioServerConfigSchema>;

/**
 * A server defined in the worker's config (its `servers`), named by label: the worker supplies its
 * URL or command and its secrets (activities/server-registry.ts). What a workflow input gives when
 * the server has a command or secrets. The approval and tool rules are the input's.
 */
export const RegisteredServerConfigSchema = z.strictObject({
  ...CommonShape,
  url: absent('a server has either "url" or "command"'),
  command: absent('a server has either "url" or "command"'),
  inline: absent(
    'a server named by label alone is defined by the worker\'s config, not inline: give "url" or "command" with "inline": true, or leave "inline" out',
  ),
});
export type RegisteredServerConfig = z.infer<typeof RegisteredServerConfigSchema>;

/**
 * Either kind, chosen by the presence of "command": a union of the two would leave the choice to
 * zod's guess, and a typo in an HTTP server's field would be reported as "not a server at all".
 */
export const ServerConfigSchema = z.unknown().transform((value, context) => {
  const object = value && typeof value === 'object' ? value : undefined;
  const has = (...keys: string[]) => !!object && keys.some((key) => key in object);
  // A label alone (with approval and tool rules) is a registered server; any field of a kind picks that kind, so a missing url or command is named.
  const schema = has('command', 'args', 'env', 'cwd')
    ? StdioServerConfigSchema
    : !object || has('url', 'headers', 'authorization', 'auth')
      ? HttpServerConfigSchema
      : RegisteredServerConfigSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as HttpServerConfig | StdioServerConfig;
  for (const issue of parsed.error.issues) context.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
}) as unknown as z.ZodType<
  // A registered reference is typed as an HTTP server without its URL: only workflow inputs hold
  // one, and the activity boundary (activities/server-registry.ts) replaces it with the worker's
  // definition before any activity reads `url`; workflow code reads only label and rules.
  HttpServerConfig | StdioServerConfig,
  z.input<typeof HttpServerConfigSchema> | z.input<typeof StdioServerConfigSchema> | z.input<typeof RegisteredServerConfigSchema>
>;
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

export function isStdioServer(server: ServerConfig): server is StdioServerConfig {
  return 'command' in server;
}

/** A server named by label alone (`{ "label": "files" }`): the worker's config defines it. */
export function isRegisteredReference(server: ServerConfig | RegisteredServerConfig): server is RegisteredServerConfig {
  return !('command' in server) && !('url' in server && server.url !== undefined);
}

/** An HTTP server whose tokens come from the token store (`mcpflow auth <label>`). */
export function isOAuthServer(server: ServerConfig): server is HttpServerConfig & { auth: OAuthSettings } {
  return !isStdioServer(server) && server.auth?.oauth === true;
}

/**
 * Why hosted mode cannot use these servers, or undefined: the model's platform reaches a server
 * over the network, and a stdio server exists only on the worker's machine.
 */
export function hostedModeProblem(servers: readonly ServerConfig[], fix = 'use --mode direct (or "mode": "direct")'): string | undefined {
  const stdio = servers.filter(isStdioServer).map((server) => server.label);
  if (!stdio.length) return undefined;
  const which = stdio.length === 1 ? `server "${stdio[0]}" is a stdio server` : `servers ${stdio.map((label) => `"${label}"`).join(', ')} are stdio servers`;
  return `${which}, which only the worker can start: hosted mode cannot reach it; ${fix}`;
}

/** Whether a call of `tool` on this server needs a human answer first (the API's rules). */
export function requiresApproval(server: Pick<ServerConfig, 'require_approval'>, tool: string, readOnly: boolean): boolean {
  const setting = server.require_approval;
  if (setting === 'always' || setting === 'never') return setting === 'always';
  const matches = (filter?: { tool_names?: string[]; read_only?: boolean }) =>
    !!filter && ((filter.tool_names?.includes(tool) ?? false) || (filter.read_only !== undefined && filter.read_only === readOnly));
  if (matches(setting.never)) return false;
  if (matches(setting.always)) return true;
  return true;
}

/** Whether `allowed_tools` (a list or a filter) lets the model see this tool. */
export function isToolAllowed(server: Pick<ServerConfig, 'allowed_tools'>, tool: string, readOnly: boolean): boolean {
  const allowed = server.allowed_tools;
  if (!allowed) return true;
  if (Array.isArray(allowed)) return allowed.includes(tool);
  if (allowed.tool_names && !allowed.tool_names.includes(tool)) return false;
  if (allowed.read_only !== undefined && allowed.read_only !== readOnly) return false;
  return true;
}

/**
 * Why a workflow input may not carry this server as written, or undefined. Anyone who can start a
 * workflow on the namespace writes workflow inputs, so a command to run and the worker's secrets
 * to send are the worker's config's to define: an input names a registered server by label, or
 * gives an HTTP URL without secrets. A definition marked `"inline": true` passes here; only a
 * worker that accepts inline servers runs it (activities/server-registry.ts checks again).
 */
export function workflowInputServerProblem(server: ServerConfig | RegisteredServerConfig): string | undefined {
  if (isRegisteredReference(server) || server.inline) return undefined;
  const register = `register it under "servers" in the worker's config and name it by label ({ "label": "${server.label}" }, --server ${server.label})`;
  const inline = 'or, on a one-person dev worker (mcpflow dev, or mcpflow worker --allow-inline-servers), mark it "inline": true';
  if (isStdioServer(server)) {
    return `server "${server.label}": a stdio command in workflow input is refused (rule: commands are defined only in the worker's config): ${register}, ${inline}`;
  }
  const secrets = [server.headers ? '"headers"' : '', server.authorization ? '"authorization"' : '', server.auth ? '"auth"' : ''].filter(Boolean);
  if (secrets.length) {
    return `server "${server.label}": ${secrets.join(', ')} in workflow input ${secrets.length > 1 ? 'are' : 'is'} refused (rule: which secrets a server receives is defined only in the worker's config): ${register}, or give its URL without secrets, ${inline}`;
  }
  return undefined;
}

/** The first problem of a workflow input's servers (see workflowInputServerProblem), naming the field. */
export function workflowInputServersProblem(servers: readonly (ServerConfig | RegisteredServerConfig)[]): string | undefined {
  for (const [index, server] of servers.entries()) {
    const problem = workflowInputServerProblem(server);
    if (problem) return `servers[${index}]: ${problem}`;
  }
  return undefined;
}
