/**
 * "Today" for the demo: the real UTC date, or the date pinned in MCPFLOW_DEMO_TODAY (tests pin
 * 2026-11-26 so their data and recorded histories stay the same). Here so that the demo servers
 * (what the calendar calls today) and the emulator (what its planner calls today) read the pin
 * the same way without importing each other.
 */

/** Set to a YYYY-MM-DD date to pin "today" (tests); anything else is ignored. */
export const DEMO_TODAY_ENV = 'MCPFLOW_DEMO_TODAY';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The pinned date if `env` holds a valid one, else `now`'s UTC date (YYYY-MM-DD). */
export function pinnedOrRealToday(env: Readonly<Record<string, string | undefined>>, now: Date): string {
  const pinned = env[DEMO_TODAY_ENV]?.trim();
  return pinned && isIsoDate(pinned) ? pinned : now.toISOString().slice(0, 10);
}

/** True when `value` is a real calendar date written as YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.toISOString().slice(0, 10) === value;
}
