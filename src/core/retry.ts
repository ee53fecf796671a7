/**
 * Retry settings (defaults: 3 retries, 1 s base, 60 s cap, 60 s base for rate limits)
 * and the delay each MCPErrorType gets on a given attempt. Activities use `nextRetryDelayMs` for
 * `ApplicationFailure.nextRetryDelay`; workflows use `activityRetryPolicy` so that Temporal owns
 * every retry and every retry shows in history.
 */
import type { RetryPolicy } from '@temporalio/common';
import { z } from 'zod';
import { ERROR_TABLE, MCP_ERROR_TYPES, type MCPErrorType } from './errors';

export const RetrySettingsSchema = z.object({
  max_retries: z.number().int().min(0).max(20).default(3),
  base_delay_ms: z.number().int().min(0).default(1_000),
  max_delay_ms: z.number().int().min(0).default(60_000),
  rate_limit_base_delay_ms: z.number().int().min(0).default(60_000),
});
export type RetrySettings = z.infer<typeof RetrySettingsSchema>;
export const DEFAULT_RETRY_SETTINGS: RetrySettings = RetrySettingsSchema.parse({});

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based).
 * A server's own `retry-after` wins for rate limits, since it knows when capacity returns.
 */
export function nextRetryDelayMs(type: MCPErrorType, attempt: number, settings: RetrySettings, serverRetryAfterMs?: number): number {
  const rule = ERROR_TABLE[type];
  const exponent = Math.max(0, attempt - 1);
  switch (rule.kind) {
    case 'fixed':
      return rule.delayMs;
    case 'server_hint':
      if (serverRetryAfterMs !== undefined) return serverRetryAfterMs;
      return Math.min(settings.rate_limit_base_delay_ms * 2 ** exponent, Math.max(settings.max_delay_ms, settings.rate_limit_base_delay_ms));
    case 'never':
      return 0;
    case 'exponential':
    case 'read_only_tools':
      return Math.min(settings.base_delay_ms * 2 ** exponent, settings.max_delay_ms);
  }
}

export function nonRetryableErrorTypes(): MCPErrorType[] {
  return MCP_ERROR_TYPES.filter((type) => ERROR_TABLE[type].kind === 'never');
}

/** The Temporal retry policy for activities that call the Responses API or an MCP server. */
export function activityRetryPolicy(settings: RetrySettings): RetryPolicy {
  return {
    maximumAttempts: settings.max_retries + 1,
    initialInterval: Math.max(1, settings.base_delay_ms),
    backoffCoefficient: 2,
    maximumInterval: Math.max(1, settings.max_delay_ms),
    nonRetryableErrorTypes: nonRetryableErrorTypes(),
  };
}
