/**
 * The model options a run may set (issue 25): reasoning effort and summary, the service tier, the
 * prompt cache key and the output token cap. One schema each, shared by workflow inputs, the
 * config file's defaults and the CLI flags; the values and limits are the official API
 * description's (CreateResponse: `reasoning`, `service_tier`, `prompt_cache_key`, `max_output_tokens`).
 */
import { z } from 'zod';

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export const REASONING_SUMMARIES = ['auto', 'concise', 'detailed'] as const;
/** The tiers both the API description and the `openai` package's request type name. */
export const SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority'] as const;

export const ReasoningOptionsSchema = z.strictObject({
  effort: z.enum(REASONING_EFFORTS, { error: `reasoning.effort must be one of ${REASONING_EFFORTS.join(', ')}` }).optional(),
  summary: z.enum(REASONING_SUMMARIES, { error: `reasoning.summary must be one of ${REASONING_SUMMARIES.join(', ')}` }).optional(),
});
export type ReasoningOptions = z.infer<typeof ReasoningOptionsSchema>;

export const ServiceTierSchema = z.enum(SERVICE_TIERS, { error: `service_tier must be one of ${SERVICE_TIERS.join(', ')}` });
export type ServiceTier = z.infer<typeof ServiceTierSchema>;

/** The API takes any string; a bound keeps it out of the way of payload budgets. */
export const PromptCacheKeySchema = z
  .string()
  .min(1, 'prompt_cache_key is empty: leave it out for the default')
  .max(256, 'prompt_cache_key: at most 256 characters');

/** The API's minimum is 16 (CreateResponse.max_output_tokens). */
export const MaxOutputTokensSchema = z
  .number({ error: 'max_output_tokens must be a whole number of tokens' })
  .int('max_output_tokens must be a whole number of tokens')
  .min(16, 'max_output_tokens: the API takes at least 16')
  .max(10_000_000, 'max_output_tokens: at most 10000000');

/** Every field optional: inputs recorded before these options existed still parse. */
export const ModelOptionsShape = {
  reasoning: ReasoningOptionsSchema.optional(),
  service_tier: ServiceTierSchema.optional(),
  prompt_cache_key: PromptCacheKeySchema.optional(),
  max_output_tokens: MaxOutputTokensSchema.optional(),
};
export const ModelOptionsSchema = z.object(ModelOptionsShape);
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

/**
 * The models the API documents as reasoning models: the gpt-5 family (except the `-chat`
 * models, which do not reason), the o-series and codex-mini. Only these get
 * `include: ["reasoning.encrypted_content"]`: other models refuse it.
 */
export function isReasoningModel(model: string): boolean {
  const name = model.toLowerCase();
  if (/^gpt-5(\.\d+)?(-|$)/.test(name)) return !/-chat(-|$)/.test(name);
  return /^o\d+(-|$)/.test(name) || name.startsWith('codex-mini');
}

/**
 * The cache key the queries of one batch or one session share unless the user gives one: the
 * API routes requests with the same key and prefix to the same cache. Workflow ids can be long;
 * the key stays within the schema's bound.
 */
export function sharedCacheKey(kind: 'batch' | 'session', workflowId: string): string {
  return `mcpflow-${kind}:${workflowId}`.slice(0, 256);
}

/** The fields of `options` that are set, for spreading into a child's or an activity's input. */
export function setModelOptions(options: ModelOptions): ModelOptions {
  const result: ModelOptions = {};
  if (options.reasoning) result.reasoning = options.reasoning;
  if (options.service_tier) result.service_tier = options.service_tier;
  if (options.prompt_cache_key) result.prompt_cache_key = options.prompt_cache_key;
  if (options.max_output_tokens !== undefined) result.max_output_tokens = options.max_output_tokens;
  return result;
}

/**
 * Flex answers HTTP 429 `resource_unavailable` while it lacks capacity, for minutes at busy times:
 * a flex run's model calls get at least this many retries, so that a pipeline's lines wait for
 * capacity (backing off up to the retry cap) instead of failing after the default three.
 */
export const FLEX_MIN_RETRIES = 10;

export function retryBudget<T extends { max_retries: number }>(options: { service_tier?: ServiceTier | undefined; retry: T }): T {
  if (options.service_tier !== 'flex' || options.retry.max_retries >= FLEX_MIN_RETRIES) return options.retry;
  return { ...options.retry, max_retries: FLEX_MIN_RETRIES };
}
