/**
 * The demo servers' notion of "today": the real date (UTC) when the process starts, so "meetings
 * today" means today; tests pin it with MCPFLOW_DEMO_TODAY=YYYY-MM-DD (scripts/run-tests.mjs
 * sets 2026-11-26) so that their data and recorded histories stay the same. A caller that passes
 * a date gets that date.
 */

/** Set to a YYYY-MM-DD date to pin "today" (tests); anything else is ignored. */
export const DEMO_TODAY_ENV = 'MCPFLOW_DEMO_TODAY';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "Today" for demo data: the pinned date if MCPFLOW_DEMO_TODAY holds one, else the real UTC date. */
export function demoToday(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const pinned = env[DEMO_TODAY_ENV]?.trim();
  return pinned && isIsoDate(pinned) ? pinned : now.toISOString().slice(0, 10);
}

/** The date the demo servers treat as "today" (YYYY-MM-DD), fixed when the process starts. */
export const DEMO_TODAY = demoToday();

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
