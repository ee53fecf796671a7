/**
 * The demo servers' notion of "today": the real date (UTC) when the process starts, so "meetings
 * today" means today; tests pin it with MCPFLOW_DEMO_TODAY=YYYY-MM-DD (scripts/run-tests.mjs
 * sets 2026-11-26) so that their data and recorded histories stay the same. A caller that passes
 * a date gets that date.
 */
import { DEMO_TODAY_ENV, isIsoDate, pinnedOrRealToday } from '../core/today';

export { DEMO_TODAY_ENV, isIsoDate };

/** "Today" for demo data: the pinned date if MCPFLOW_DEMO_TODAY holds one, else the real UTC date. */
export function demoToday(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  return pinnedOrRealToday(env, now);
}

/** The date the demo servers treat as "today" (YYYY-MM-DD), fixed when the process starts. */
export const DEMO_TODAY = demoToday();

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
