/**
 * Histogram boundaries for mcpflow's own metrics, given to the SDK runtime's exporter
 * (`histogramBucketOverrides`). A person answers an approval in seconds, hours or days; the
 * default boundaries stop at 10 s, so every real human wait landed in `+Inf`.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** ms: from 1 s to 7 days, then `+Inf` (waits up to the 365-day approval timeout). */
export const APPROVAL_WAIT_BUCKETS_MS: readonly number[] = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
];

export function metricBucketOverrides(): Record<string, number[]> {
  return { mcpflow_approval_wait: [...APPROVAL_WAIT_BUCKETS_MS] };
}
