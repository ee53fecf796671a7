/**
 * The options of McpflowPlugin (src/worker/plugin.ts), validated when the plugin is built so that
 * a bad option stops the user's program before any worker starts, with the errors the CLI gives
 * for the same setting (its flag or environment variable).
 */
import { z } from 'zod';
import type { ServerRegistry } from '../../activities/server-registry';
import { ConfigError } from '../config/errors';
import { describeIssues } from '../config/load';
import { NotificationsSchema, type Notifications } from '../config/notifications';
import { McpflowConfigSchema } from '../config/schema';
import { ALLOW_PRIVATE_NETWORKS_CHOICES, AllowPrivateNetworksSchema } from '../core/destinations';
import { KEY_FILE_ENV, KEYS_ENV, keyRingFromEnv } from '../codec/keys';
import { ACCEPT_PLAINTEXT_ENV } from '../codec/plaintext-refusal';

export const McpflowPluginOptionsSchema = z.strictObject({
  /** The Responses API key (the worker's OPENAI_API_KEY); default: OPENAI_API_KEY of `env`. */
  openaiApiKey: z.string().min(1, 'the API key is empty: leave the option out to use OPENAI_API_KEY').optional(),
  /** Where Responses calls go (OPENAI_BASE_URL), e.g. the mcpflow emulator; default: the real API. */
  openaiBaseURL: z.url({ protocol: /^https?$/, error: "not an http(s) URL: give e.g. https://api.openai.com/v1 or the emulator's URL" }).optional(),
  /**
   * Which private ranges direct-mode MCP connections may reach: true (private and loopback),
   * "loopback", or false (the default, as `mcpflow worker` without a config).
   */
  allowPrivateNetworks: AllowPrivateNetworksSchema.optional(),
  /** Payload encryption keys, as MCPFLOW_ENCRYPTION_KEYS: `id:key` entries, the first encrypts. */
  encryptionKeys: z.string().optional(),
  /** A file of encryption keys, as MCPFLOW_ENCRYPTION_KEY_FILE (one of the two). */
  encryptionKeyFile: z.string().min(1).optional(),
  /** With keys: accept unencrypted input anyway (MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT=1), e.g. while turning encryption on. */
  acceptPlaintext: z.boolean().optional(),
  /** The OAuth token store `mcpflow auth` writes (MCPFLOW_TOKEN_STORE). */
  tokenStore: z.string().min(1).optional(),
  /**
   * Where activities read the secrets server configs refer to (`{ "env": "NAME" }`); default
   * process.env. The options above override its entries.
   */
  env: z.record(z.string(), z.string().optional()).optional(),
  /**
   * A task queue of mcpflow's own: its workflows and activities then run in a second worker the
   * plugin runs next to yours (same process, connection and namespace), and your worker keeps
   * only your workflows and activities. Default: your worker's queue. `mcpflow worker` and
   * McpflowClient default to "mcpflow".
   */
  taskQueue: z.string().min(1, "the task queue is empty: leave the option out to use the worker's queue").optional(),
  /**
   * Preload mcpflow's pure workflow modules once per worker instead of once per run
   * (src/worker/shared-modules.ts); default true.
   */
  sharedModules: z.boolean().optional(),
  /** Webhooks told when a run starts to wait for a person, as the config file's `notifications` (activities/notify.ts). */
  notifications: NotificationsSchema.optional(),
  /**
   * The worker's server registry, as the config file's `servers` (same schema, same checks): the
   * only servers whose commands this worker runs and whose `{ "env": "NAME" }` secrets it sends.
   * Workflow inputs name them by label (`{ "label": "files" }`); activities/server-registry.ts.
   */
  servers: McpflowConfigSchema.shape.servers.optional(),
  /**
   * Also run servers a workflow input defines itself (stdio commands, secret references, marked
   * `"inline": true`), as `allow_inline_servers` / `mcpflow worker --allow-inline-servers`.
   * Anyone who can start a workflow writes its input: one person's worker only. Default false.
   */
  allowInlineServers: z.boolean().optional(),
});

export type McpflowPluginOptions = z.input<typeof McpflowPluginOptionsSchema>;

/** The resolved settings: the environment activities and the data converter read. */
export interface McpflowPluginSettings {
  env: Record<string, string | undefined>;
  openaiBaseURL: string | undefined;
  allowPrivateNetworks: z.infer<typeof AllowPrivateNetworksSchema>;
  sharedModules: boolean;
  taskQueue: string | undefined;
  notifications: Notifications | undefined;
  /** The `servers` and `allowInlineServers` options, as the activities check workflow inputs' servers against them. */
  serverRegistry: ServerRegistry;
}

/** A bad McpflowPlugin option (the CLI's ConfigError: exit code 2 there). */
export class McpflowPluginOptionsError extends ConfigError {}

/** Validates the options; throws McpflowPluginOptionsError or EncryptionConfigError (as the CLI does for its keys). */
export function resolvePluginOptions(options: McpflowPluginOptions = {}): McpflowPluginSettings {
  const parsed = McpflowPluginOptionsSchema.safeParse(options);
  if (!parsed.success) {
    // The config file's wording (src/config/load.ts), one line: `servers[0].url: must be the MCP endpoint URL, ...`.
    const issues = describeIssues(parsed.error)
      .split('\n')
      .map((line) => line.trim())
      .join('; ');
    throw new McpflowPluginOptionsError(
      `McpflowPlugin options: ${issues.replace(/allowPrivateNetworks: [^;]*/, `allowPrivateNetworks: not one of ${ALLOW_PRIVATE_NETWORKS_CHOICES.join(', ')}`)}`,
    );
  }
  const value = parsed.data;
  const env: Record<string, string | undefined> = { ...(value.env ?? process.env) };
  const set = (name: string, setting: string | undefined) => {
    if (setting !== undefined) env[name] = setting;
  };
  set('OPENAI_API_KEY', value.openaiApiKey);
  set('OPENAI_BASE_URL', value.openaiBaseURL);
  set('MCPFLOW_TOKEN_STORE', value.tokenStore);
  if (value.encryptionKeys !== undefined || value.encryptionKeyFile !== undefined) {
    // Keys from the options replace those of the environment (never a mix of both sources).
    env[KEYS_ENV] = value.encryptionKeys;
    env[KEY_FILE_ENV] = value.encryptionKeyFile;
  }
  if (value.acceptPlaintext !== undefined) env[ACCEPT_PLAINTEXT_ENV] = value.acceptPlaintext ? '1' : undefined;
  // The CLI's checks and messages for the keys (MCPFLOW_ENCRYPTION_KEYS names the setting).
  keyRingFromEnv(env);
  return {
    env,
    openaiBaseURL: env.OPENAI_BASE_URL,
    allowPrivateNetworks: value.allowPrivateNetworks ?? false,
    sharedModules: value.sharedModules ?? true,
    taskQueue: value.taskQueue,
    notifications: value.notifications,
    serverRegistry: { servers: value.servers ?? [], allowInline: value.allowInlineServers ?? false },
  };
}
