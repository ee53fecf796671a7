/**
 * The calendar demo server (label "calendar"): two fixed meetings on the demo "today" and nothing
 * on other days until `create_event` adds some. `create_event` is the demo's side effect (not
 * read-only), kept in this process's memory so an exactly-once check can see duplicates.
 */
import { z } from 'zod';
import { addDays, DEMO_TODAY, resolveDemoDate } from './today';
import { defineTool, errorResult, jsonResult, type DemoTool } from './tool';

export interface CalendarEvent {
  id: string;
  title: string;
  date: string;
  start_time: string;
  end_time: string;
  duration_minutes: number;
}

const FIXED_EVENTS: readonly CalendarEvent[] = [
  { id: 'evt-standup', title: 'Team standup', date: DEMO_TODAY, start_time: '09:30', end_time: '09:45', duration_minutes: 15 },
  { id: 'evt-review', title: 'Project review with Dana', date: DEMO_TODAY, start_time: '14:00', end_time: '15:00', duration_minutes: 60 },
];

const DateSchema = z.string().regex(/^(\d{4}-\d{2}-\d{2}|today|tomorrow|yesterday)$/i, 'expected YYYY-MM-DD, "today" or "tomorrow"');

function toMinutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function fromMinutes(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** Events created at run time; ids count up from 1 so the same sequence of calls gives the same ids. */
export class CalendarStore {
  private created: CalendarEvent[] = [];

  list(date: string): CalendarEvent[] {
    return [...FIXED_EVENTS, ...this.created]
      .filter((event) => event.date === date)
      .sort((a, b) => a.start_time.localeCompare(b.start_time) || a.id.localeCompare(b.id));
  }

  create(input: Omit<CalendarEvent, 'id' | 'end_time'>): CalendarEvent {
    const start = toMinutes(input.start_time);
    const end = start + input.duration_minutes;
    // An event running past midnight keeps its end on the same clock; the demo needs no multi-day events.
    const event: CalendarEvent = { ...input, id: `evt-${this.created.length + 1}`, end_time: fromMinutes(end % (24 * 60)) };
    this.created.push(event);
    return event;
  }

  reset(): void {
    this.created = [];
  }
}

export function calendarTools(store: CalendarStore): DemoTool[] {
  return [
    defineTool({
      name: 'list_events',
      title: 'List calendar events',
      description:
        `List the meetings on a date. Dates are YYYY-MM-DD; "today" is the demo date ${DEMO_TODAY} ` + `and "tomorrow" is ${addDays(DEMO_TODAY, 1)}.`,
      inputSchema: z.object({ date: DateSchema.describe('Date to list, YYYY-MM-DD (or "today" / "tomorrow")') }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: ({ date }) => {
        const resolved = resolveDemoDate(date);
        if (!resolved) return errorResult(`date "${date}" is not a valid calendar date (expected YYYY-MM-DD)`);
        const events = store.list(resolved);
        return jsonResult({ date: resolved, count: events.length, events });
      },
    }),
    defineTool({
      name: 'create_event',
      title: 'Create calendar event',
      description: 'Create a meeting on the calendar. This changes the calendar: calling it twice creates two events.',
      inputSchema: z.object({
        title: z.string().min(1).max(200).describe('Meeting title'),
        date: DateSchema.describe('Meeting date, YYYY-MM-DD (or "today" / "tomorrow")'),
        start_time: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)')
          .describe('Start time, HH:MM 24-hour'),
        duration_minutes: z.number().int().min(5).max(720).optional().describe('Length in minutes (default 30)'),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: ({ title, date, start_time, duration_minutes = 30 }) => {
        const resolved = resolveDemoDate(date);
        if (!resolved) return errorResult(`date "${date}" is not a valid calendar date (expected YYYY-MM-DD)`);
        const start = toMinutes(start_time);
        const overlapping = store
          .list(resolved)
          .filter((e) => toMinutes(e.start_time) < start + duration_minutes && start < toMinutes(e.start_time) + e.duration_minutes)
          .map((e) => e.id);
        const event = store.create({ title, date: resolved, start_time, duration_minutes });
        return jsonResult({ created: event, overlaps_with: overlapping });
      },
    }),
  ];
}
