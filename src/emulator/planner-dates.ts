/**
 * Dates and times as the planner reads them from a question. Pure: "today" is always passed in
 * (metadata.mcpflow_today or the demo servers' today), never read from a clock.
 */

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

/**
 * An explicit ISO date; "December 8" / "8 Dec" (this year, or next year once it has passed);
 * today / tomorrow / yesterday / "in 3 days"; a weekday ("on Friday", "next Friday": the next
 * such day after today, so a weekday named on that same weekday means a week later).
 */
export function dateFromText(text: string, today: string): string | undefined {
  const explicit = /\b\d{4}-\d{2}-\d{2}\b/.exec(text);
  if (explicit) return explicit[0];
  const named = monthDayFromText(text, today);
  if (named) return named;
  if (/\bday after tomorrow\b/i.test(text)) return addDays(today, 2);
  if (/\btomorrow\b/i.test(text)) return addDays(today, 1);
  if (/\byesterday\b/i.test(text)) return addDays(today, -1);
  const inDays = /\bin (\d{1,3}) days?\b/i.exec(text);
  if (inDays) return addDays(today, Number(inDays[1]));
  if (/\bnext week\b/i.test(text)) return addDays(today, 7);
  const weekday = new RegExp(`\\b(${WEEKDAYS.join('|')})\\b`, 'i').exec(text);
  if (weekday) {
    const wanted = WEEKDAYS.indexOf(weekday[1]!.toLowerCase());
    const current = new Date(`${today}T00:00:00Z`).getUTCDay();
    return addDays(today, ((wanted - current + 6) % 7) + 1);
  }
  if (/\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b/i.test(text)) return today;
  return undefined;
}

function monthDayFromText(text: string, today: string): string | undefined {
  const monthFirst = new RegExp(`\\b${MONTH_WORD}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4}))?`, 'i').exec(text);
  const dayFirst = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_WORD}\\b(?:,?\\s+(\\d{4}))?`, 'i').exec(text);
  const parts = monthFirst
    ? { month: monthFirst[1]!, day: monthFirst[2]!, year: monthFirst[3] }
    : dayFirst
      ? { month: dayFirst[2]!, day: dayFirst[1]!, year: dayFirst[3] }
      : undefined;
  if (!parts) return undefined;
  const month = MONTHS.indexOf(parts.month.slice(0, 3).toLowerCase()) + 1;
  const day = Number(parts.day);
  const pad = (n: number) => String(n).padStart(2, '0');
  const inYear = (year: number) => `${year}-${pad(month)}-${pad(day)}`;
  const thisYear = Number(today.slice(0, 4));
  const date = parts.year ? inYear(Number(parts.year)) : inYear(thisYear) < today ? inYear(thisYear + 1) : inYear(thisYear);
  return isRealDate(date) ? date : undefined;
}

/** "at 3pm", "3:30 pm", "15:00", "noon", "midnight" → "HH:MM" (24-hour). */
export function timeFromText(text: string): string | undefined {
  const clock = /\b([01]?\d|2[0-3]):([0-5]\d)\s*(am|pm|a\.m\.|p\.m\.)?(?![\d:])/i.exec(text);
  if (clock) return hhmm(Number(clock[1]), Number(clock[2]), clock[3]);
  const hourOnly = /\b(1[0-2]|0?[1-9])\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])/i.exec(text);
  if (hourOnly) return hhmm(Number(hourOnly[1]), 0, hourOnly[2]);
  const atHour = /\bat\s+([01]?\d|2[0-3])\b(?!\s*(?:days?|minutes?|hours?|[-/:.]\d))/i.exec(text);
  if (atHour) return hhmm(Number(atHour[1]), 0, undefined);
  if (/\bnoon\b|\bmidday\b/i.test(text)) return '12:00';
  if (/\bmidnight\b/i.test(text)) return '00:00';
  return undefined;
}

function hhmm(hours: number, minutes: number, meridiem: string | undefined): string {
  let hour = hours;
  const marker = meridiem?.toLowerCase().replace(/\./g, '');
  if (marker === 'pm' && hour < 12) hour += 12;
  if (marker === 'am' && hour === 12) hour = 0;
  return `${String(hour).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** Removes dates, times, e-mail addresses and "in 3 days" so that the numbers left are quantities. */
export function withoutDatesAndTimes(text: string): string {
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g, ' ')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ')
    .replace(/\b([01]?\d|2[0-3]):[0-5]\d\s*(am|pm)?/gi, ' ')
    .replace(/\b(1[0-2]|0?[1-9])\s*(am|pm)\b/gi, ' ')
    .replace(/\bat\s+([01]?\d|2[0-3])\b(?!\s*(?:days?|minutes?|hours?))/gi, ' ')
    .replace(new RegExp(`\\b${MONTH_WORD}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b(?:,?\\s+\\d{4})?`, 'gi'), ' ')
    .replace(new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_WORD}\\b(?:,?\\s+\\d{4})?`, 'gi'), ' ');
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
