/**
 * An MCP server as mcpflow's users configure it. Secrets are never values here, only references
 * to environment variables that the worker resolves inside an activity: a workflow input is
 * stored in history, and history must never hold a token.
 */
import { z } from 'zod';
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

export const ServerConfigSchema = z.strictObject({
  label: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use letters, digits, "_" or "-" (it becomes server_label)'),
  url: z
    .string()
    .url('must be the MCP endpoint URL, for example http://127.0.0.1:8801/mcp')
    // The rules no setting relaxes (scheme, metadata, link-local, unspecified); ranges are checked at connect time.
    .superRefine((url, context) => {
      if (!URL.canParse(url)) return; // .url() has said so
      const refusal = checkUrl(url, true);
      if (refusal) context.addIssue({ code: 'custom', message: `${refusal.message}; use an http:// or https:// MCP endpoint` });
    }),
  /** The API's own default is "always"; mcpflow keeps it. */
  require_approval: RequireApprovalSchema.default('always'),
  allowed_tools: AllowedToolsSchema.optional(),
  description: z.string().max(1000).optional(),
  /** Extra HTTP headers for the MCP server, each a reference to an environment variable. */
  headers: z.record(z.string(), secretRef).optional(),
  /** OAuth access token for the server (sent as `authorization`), by reference. */
  authorization: secretRef.optional(),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

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
