/**
 * Service tiers (`service_tier`): what the response says, how much slower `flex` is, and the 429
 * "resource unavailable" that flex answers when it has no capacity (injected through the admin
 * faults, `flexUnavailableNext`).
 */
import type { CreateResponseRequest } from '../core/schemas';
import { EmulatorApiError } from './errors';

/** Added to every flex model call unless the emulator is started with another value. */
export const DEFAULT_FLEX_LATENCY_MS = 200;

/** The tier as the request asked it (`auto` when it did not): what the stream says until the response completes. */
export function requestedServiceTier(request: CreateResponseRequest): string {
  const asked = request['service_tier'];
  return typeof asked === 'string' ? asked : 'auto';
}

/** The tier that served the response: `auto` resolves to `default`; the others as asked. */
export function servedServiceTier(request: CreateResponseRequest): string {
  const asked = requestedServiceTier(request);
  return asked === 'auto' ? 'default' : asked;
}

export function isFlex(request: CreateResponseRequest): boolean {
  return requestedServiceTier(request) === 'flex';
}

/** Flex has no capacity now: HTTP 429, retryable, not a rate limit of the account. See README.md for the exact body. */
export function flexUnavailableError(retryAfterMs: number): EmulatorApiError {
  return new EmulatorApiError(
    429,
    'server_error',
    'Resource unavailable: flex processing has no capacity for this request right now. Please try again later, or retry with service_tier "auto".',
    'service_tier',
    'resource_unavailable',
    { 'retry-after-ms': String(retryAfterMs), 'x-should-retry': 'true' },
  );
}
