/**
 * The demo servers' notion of "today". It is a fixed date, not the clock, so that every demo run,
 * test and recorded history shows the same data; a caller that passes a date gets that date.
 */

/** The date the demo servers treat as "today" (YYYY-MM-DD). */
export const DEMO_TODAY = '2026-11-26';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written as YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.toISOString().slice(0, 10) === value;
}

/** `date` plus `days` whole days, computed in UTC so no time zone can shift the result. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const shifted = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days));
  return shifted.toISOString().slice(0, 10);
}

/**
 * Resolves what a model may send as a date: an ISO date, "today", "tomorrow" or "yesterday"
 * (relative to DEMO_TODAY). Returns undefined for anything else so the tool can say so.
 */
export function resolveDemoDate(value: string | undefined): string | undefined {
  const text = (value ?? 'today').trim().toLowerCase();
  if (text === 'today') return DEMO_TODAY;
  if (text === 'tomorrow') return addDays(DEMO_TODAY, 1);
  if (text === 'yesterday') return addDays(DEMO_TODAY, -1);
  return isIsoDate(text) ? text : undefined;
}
