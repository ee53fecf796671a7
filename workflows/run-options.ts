/**
 * Schemas shared by the inputs of several workflows (discovery, query, session): run options,
 * server lists, the cache TTL, standing approvals and the options a caller may set per query.
 */
import { z } from 'zod';
import { BackgroundModeSchema } from '../src/core/background';
import { DEFAULT_CACHE_TTL_MS, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_MODEL, ExecutionModeSchema } from '../src/core/defaults';
import { jsonTextBytes, MAX_QUERY_BYTES } from '../src/core/payload-size';
import { ModelOptionsShape } from '../src/core/model-options';
import { RetrySettingsSchema } from '../src/core/retry';
import { ServerConfigSchema } from '../src/core/servers';

export const ServerListSchema = z.array(ServerConfigSchema);

/** Options shared by every workflow that talks to the model or to MCP servers. */
export const RunOptionsShape = {
  mode: ExecutionModeSchema.default('hosted'),
  model: z.string().min(1).default(DEFAULT_MODEL),
  retry: RetrySettingsSchema.default(RetrySettingsSchema.parse({})),
  /** Start-to-close timeout of one Responses call; the openai client times out a little before. */
  call_timeout_ms: z.number().int().min(1_000).max(3_600_000).default(DEFAULT_CALL_TIMEOUT_MS),
  /** Whether the namespace has the McpServers/McpState/McpToolCallCount search attributes. */
  search_attributes: z.boolean().default(true),
  /**
   * reasoning, service_tier, prompt_cache_key, max_output_tokens: sent with every Responses call
   * of the run (src/core/model-options.ts). Optional: inputs recorded before them still parse.
   */
  ...ModelOptionsShape,
};

export const RequiredServersShape = {
  servers: ServerListSchema.min(1, 'give at least one MCP server').refine(uniqueLabels, 'server labels must be unique'),
};

export const CacheTtlSchema = z.number().int().min(0).default(DEFAULT_CACHE_TTL_MS);

export function uniqueLabels(servers: { label: string }[]): boolean {
  return new Set(servers.map((server) => server.label)).size === servers.length;
}

/** A standing approval: calls of this tool run without asking, while its definition stays the same. */
export const StandingApprovalSchema = z.object({
  server: z.string(),
  tool: z.string(),
  definition_hash: z.string(),
  /** When it stops applying (ISO time; a session's `rememberApproval` with `ttl_ms` sets it); absent: while the definition stays the same. */
  expires_at: z.string().optional(),
});
export type StandingApproval = z.infer<typeof StandingApprovalSchema>;

/** What a caller may set per query; a session's executeQuery takes the same, each optional. */
export const QueryOptionsShape = {
  query: z
    .string()
    .trim()
    .min(1, 'the query is empty')
    .superRefine((query, context) => {
      const bytes = jsonTextBytes(query);
      if (bytes > MAX_QUERY_BYTES) context.addIssue({ code: 'custom', message: `the query is ${bytes} bytes as JSON, at most ${MAX_QUERY_BYTES}: shorten it` });
    }),
  /** Stream the Responses call: heartbeats with progress, and exact call start/end times. */
  stream: z.boolean(),
  max_steps: z.number().int().min(1).max(50),
  /** Deny pending approvals after this long; absent = wait as long as it takes (days are fine). */
  approval_timeout_ms: z
    .number()
    .int()
    .positive()
    .max(365 * 86_400_000, 'at most 365 days'),
  force_refresh: z.boolean(),
  /** Passed to the Responses API as request metadata (the emulator reads scripted plans from it). */
  metadata: z.record(z.string(), z.string().max(512)),
  /** Model turns in background mode (src/core/background.ts): `auto` = when the conversation is stored. */
  background: BackgroundModeSchema,
};
