/**
 * The mcpflow config file (`mcpflow.config.json`, `.yaml`, `.yml`): MCP servers and the defaults
 * every command starts from. Secrets never appear as values: ServerConfigSchema accepts only
 * `{ "env": "NAME" }` references, resolved by the worker.
 */
import { z } from 'zod';
import { ConversationModeSchema } from '../core/conversation';
import { AllowPrivateNetworksSchema } from '../core/destinations';
import { RetrySettingsSchema } from '../core/retry';
import { isRegisteredReference, ServerConfigSchema } from '../core/servers';
import { NotificationsSchema } from './notifications';
import { DEFAULT_MODEL, ExecutionModeSchema, TASK_QUEUE } from '../core/defaults';

export const DefaultsSchema = z.strictObject({
  model: z.string().min(1).default(DEFAULT_MODEL),
  mode: ExecutionModeSchema.default('hosted'),
  retry: RetrySettingsSchema.partial().strict().optional(),
  cache_ttl_ms: z.number().int().min(0).optional(),
  /** Deny an unanswered approval after this long; absent = wait as long as it takes. */
  approval_timeout_ms: z.number().int().positive().optional(),
  /** `stored` (previous_response_id) or `stateless` (the workflow carries the items, store: false); default from approval_timeout_ms. */
  conversation: ConversationModeSchema.optional(),
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
  temporal: TemporalSectionSchema.default({}),
  /** Webhooks a worker POSTs to when a run starts to wait for a person (src/config/notifications.ts). */
  notifications: NotificationsSchema.optional(),
});
export type McpflowConfig = z.infer<typeof McpflowConfigSchema>;

export const EMPTY_CONFIG: McpflowConfig = McpflowConfigSchema.parse({});
