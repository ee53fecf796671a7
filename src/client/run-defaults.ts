/**
 * McpflowClient's run defaults: the model and model options of runs whose input names none, as
 * the config file's `defaults` are for the CLI. The client writes them into the input it starts,
 * so the run's history carries them. They cannot live on the worker: workflow code reads the model
 * (the reasoning carry of stateless runs, the cost budget) and fills in gpt-4o-mini when the input
 * has none, so an activity never sees a missing model, and a worker-side default could change what
 * a replay decides.
 */
import { z } from 'zod';
import { ConfigError } from '../config/errors';
import { DEFAULT_MODEL } from '../core/defaults';
import { ModelOptionsShape, type ModelOptions } from '../core/model-options';
import { describeZodError } from '../core/zod-errors';

export const RunDefaultsSchema = z.strictObject({
  /** The model of runs that name none; default: the workflow's own (gpt-4o-mini). */
  model: z.string().min(1, `the model is empty: leave it out for ${DEFAULT_MODEL}`).optional(),
  /** reasoning {effort, summary}, service_tier, prompt_cache_key, max_output_tokens, each where the input has none. */
  ...ModelOptionsShape,
});
export type RunDefaults = z.input<typeof RunDefaultsSchema>;

/** A bad McpflowClient `defaults` option, naming the field. */
export function parseRunDefaults(defaults: RunDefaults): RunDefaults {
  const parsed = RunDefaultsSchema.safeParse(defaults);
  if (!parsed.success) throw new ConfigError(`McpflowClient defaults: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** The input with each default the input leaves out; reasoning effort and summary each on their own, as the CLI's flags. */
export function withRunDefaults<T extends { model?: string | undefined } & ModelOptions>(input: T, defaults: RunDefaults): T {
  const merged: T = { ...input };
  if (merged.model === undefined && defaults.model !== undefined) merged.model = defaults.model;
  if (defaults.reasoning) merged.reasoning = { ...defaults.reasoning, ...merged.reasoning };
  if (merged.service_tier === undefined && defaults.service_tier !== undefined) merged.service_tier = defaults.service_tier;
  if (merged.prompt_cache_key === undefined && defaults.prompt_cache_key !== undefined) merged.prompt_cache_key = defaults.prompt_cache_key;
  if (merged.max_output_tokens === undefined && defaults.max_output_tokens !== undefined) merged.max_output_tokens = defaults.max_output_tokens;
  return merged;
}
