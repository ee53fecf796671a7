/**
 * The mcpflow config file (`mcpflow.config.json`, `.yaml`, `.yml`): MCP servers and the defaults
 * every command starts from. Secrets never appear as values: ServerConfigSchema accepts only
 * `{ "env": "NAME" }` references, resolved by the worker.
 */
import { z } from 'zod';
import { BackgroundModeSchema } from '../core/background';
import { ConversationModeSchema } from '../core/conversation';
import { AllowPrivateNetworksSchema } from '../core/destinations';
import { RetrySettingsSchema } from '../core/retry';
import { isRegisteredReference, SecretRefSchema, ServerConfigSchema } from '../core/servers';
import { NotificationsSchema } from './notifications';
import { DEFAULT_MODEL, ExecutionModeSchema, TASK_QUEUE } from '../core/defaults';
import { ModelOptionsShape } from '../core/model-options';
import { PriceTableSchema } from '../core/usage';

export const DefaultsSchema = z.strictObject({
  model: z.string().min(1).default(DEFAULT_MODEL),
  mode: ExecutionModeSchema.default('hosted'),
  retry: RetrySettingsSchema.partial().strict().optional(),
  cache_ttl_ms: z.number().int().min(0).optional(),
  /** Deny an unanswered approval after this long; absent = wait as long as it takes. */
  approval_timeout_ms: z.number().int().positive().optional(),
  /** `stored` (previous_response_id) or `stateless` (the workflow carries the items, store: false); default from approval_timeout_ms. */
  conversation: ConversationModeSchema.optional(),
  /** reasoning {effort, summary}, service_tier, prompt_cache_key, max_output_tokens: for every model call (flags win). */
  ...ModelOptionsShape,
  /** Model turns in background mode (`auto`: when the conversation is stored; `on`, `off`); default auto. */
  background: BackgroundModeSchema.optional(),
  task_queue: z.string().min(1).default(TASK_QUEUE),
  /** Queries run inside this mcpSession when set (same as `--session`). */
  session_id: z.string().min(1).optional(),
  /**
   * Which private ranges a worker's direct-mode MCP connections may reach: true (private and
   * loopback), "loopback", or false. `mcpflow worker`: false when absent; `dev`/`demo`: "loopback".
   */
  allow_private_networks: AllowPrivateNetworksSchema.optional(),
  /**
   * Whether the worker runs servers a workflow input defines itself (a stdio command, secret
   * references, marked "inline": true) besides those of `servers`. Anyone who can start a workflow
   * writes its input: for one person's dev worker only. `mcpflow worker`: false when absent; `dev`/`demo`: true.
   */
  allow_inline_servers: z.boolean().optional(),
});
export type Defaults = z.infer<typeof DefaultsSchema>;

/**
 * Where the Temporal server is. Only non-secret settings: an API key or TLS key comes from
 * TEMPORAL_API_KEY / TEMPORAL_TLS_* or a Temporal config profile, never from this file.
 */
export const TemporalSectionSchema = z.strictObject({
  address: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port, for example 127.0.0.1:7233')
    .optional(),
  namespace: z.string().min(1).optional(),
  /** A profile of the Temporal config file (temporal.toml), as TEMPORAL_PROFILE would pick. */
  profile: z.string().min(1).optional(),
  /** The Web UI's base URL for links (MCPFLOW_UI_URL wins); default: the dev server's, gRPC port + 1000 on loopback. */
  ui_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, for example http://127.0.0.1:8233' }).optional(),
});
export type TemporalSection = z.infer<typeof TemporalSectionSchema>;

/**
 * `mcpflow inbox` (src/inbox): where it listens and who may use it. A token is named after the
 * person who holds it (their decisions carry that name) and is written as its SHA-256 or as an
 * `{ "env": "NAME" }` reference, never as the token itself.
 */
export const InboxSectionSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  tokens: z
    .record(
      z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a token name is 1-64 letters, digits, ".", "_", "@" or "-" (the person it belongs to)'),
      z.union([
        z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/i, "must be the token's SHA-256 in hex: mcpflow inbox --generate-token <name> prints it") }),
        SecretRefSchema,
      ]),
    )
    .optional(),
  /** Host names the Host header may carry besides loopback and `host` (the name people browse to). */
  allow_hosts: z.array(z.string().min(1)).optional(),
});
export type InboxSection = z.infer<typeof InboxSectionSchema>;

/** `mcpflow mcp-server`: what its MCP clients may name besides the configured `servers`. */
export const McpServerSectionSchema = z.strictObject({
  /** URL prefixes an `ask` may name as a server (every call then asks for approval); default none. */
  allowed_urls: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL prefix, for example https://mcp.example.com/' })).default([]),
});

export const McpflowConfigSchema = z.strictObject({
  /** For editors: JSON schema URL; ignored. */
  $schema: z.string().optional(),
  servers: z
    .array(ServerConfigSchema)
    .default([])
    .refine((servers) => new Set(servers.map((server) => server.label)).size === servers.length, 'server labels must be unique: rename one of them')
    // The config defines servers (a worker's registry): a bare label or "inline" means nothing here.
    .superRefine((servers, context) => {
      for (const [index, server] of servers.entries()) {
        if (isRegisteredReference(server)) context.addIssue({ code: 'custom', path: [index], message: 'give the server\'s "url" or its "command"' });
        else if (server.inline) context.addIssue({ code: 'custom', path: [index, 'inline'], message: '"inline" belongs in workflow inputs only: remove it' });
      }
    }),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
  /** USD per million tokens per model (input, cached_input, output), for the estimated cost; written by you, never fetched. */
  prices: PriceTableSchema.optional(),
  temporal: TemporalSectionSchema.default({}),
  inbox: InboxSectionSchema.optional(),
  mcp_server: McpServerSectionSchema.default({ allowed_urls: [] }),
  /** Webhooks a worker POSTs to when a run starts to wait for a person (src/config/notifications.ts). */
  notifications: NotificationsSchema.optional(),
});
export type McpflowConfig = z.infer<typeof McpflowConfigSchema>;

export const EMPTY_CONFIG: McpflowConfig = McpflowConfigSchema.parse({});
