/**
 * The calendar's MCP 2026-07-28 tools that talk back, served by ./mcp-2026.ts only:
 * - `book_meeting` asks the user (form elicitation, multi round-trip) to confirm and name an
 *   attendee before it books; its `requestState` is HMAC-protected and expires;
 * - `link_calendar` sends the user to a URL (URL-mode elicitation) and then reports success;
 * - `export_calendar` runs as a task (tasks extension) that takes `work_ms` to finish.
 * Counters (`executed`) count bookings made and tasks started, so tests can check "exactly once".
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CalendarStore } from './calendar';
import type { InteractiveState } from './interactive-state';
import { resolveDemoDate } from './today';

export interface InteractiveContext {
  /** The continuation fields of a retried request. */
  inputResponses?: Record<string, unknown>;
  requestState?: string;
  /** Whether the request declared the tasks extension. */
  tasksDeclared: boolean;
  onExecuted: (tool: string) => void;
  adminUrl: string;
}

export type InteractiveAnswer = { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } };

export interface InteractiveTool {
  name: string;
  listing(): Record<string, unknown>;
  call(args: Record<string, unknown>, context: InteractiveContext): InteractiveAnswer;
}

const INVALID_PARAMS = -32602;
const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;

const DateSchema = z.string().regex(/^(\d{4}-\d{2}-\d{2}|today|tomorrow|yesterday)$/i);
const ElicitResultSchema = z.object({ action: z.enum(['accept', 'decline', 'cancel']), content: z.record(z.string(), z.unknown()).optional() });

function text(message: string, structured?: Record<string, unknown>, isError = false): InteractiveAnswer {
  return { result: { resultType: 'complete', content: [{ type: 'text', text: message }], ...(structured ? { structuredContent: structured } : {}), ...(isError ? { isError: true } : {}) } };
}

function invalid(message: string): InteractiveAnswer {
  return { error: { code: INVALID_PARAMS, message } };
}

function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> | string {
  const parsed = schema.safeParse(args);
  return parsed.success ? parsed.data : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(arguments)'}: ${issue.message}`).join('; ');
}

export function interactiveTools(store: CalendarStore, state: InteractiveState): InteractiveTool[] {
  const BookSchema = z.object({ title: z.string().min(1).max(200), date: DateSchema, start_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) });
  const book: InteractiveTool = {
    name: 'book_meeting',
    listing: () => ({
      name: 'book_meeting',
      title: 'Book a meeting (asks the user first)',
      description: 'Book a 30-minute meeting. The user is asked to confirm and to name an attendee before anything is booked.',
      inputSchema: z.toJSONSchema(BookSchema, { io: 'input' }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    }),
    call(args, context) {
      const parsed = parseArgs(BookSchema, args);
      if (typeof parsed === 'string') return invalid(parsed);
      const answer = ElicitResultSchema.safeParse(context.inputResponses?.confirm);
      if (!answer.success) {
        // First round (or an answer missing): ask, with state that ties the retry to this request.
        return {
          result: {
            resultType: 'input_required',
            inputRequests: {
              confirm: {
                method: 'elicitation/create',
                params: {
                  mode: 'form',
                  message: `Book "${parsed.title}" on ${parsed.date} at ${parsed.start_time}? Who should attend?`,
                  requestedSchema: {
                    type: 'object',
                    properties: {
                      confirm: { type: 'boolean', title: 'Book it?' },
                      attendee: { type: 'string', format: 'email', title: 'Attendee email' },
                    },
                    required: ['confirm', 'attendee'],
                  },
                },
              },
            },
            requestState: state.seal('book_meeting', args),
          },
        };
      }
      const problem = state.problem(context.requestState, 'book_meeting', args);
      if (problem) return invalid(`${problem}: call book_meeting again without inputResponses and requestState`);
      if (answer.data.action !== 'accept') return text(`No meeting booked: the user chose "${answer.data.action}".`, { booked: false, action: answer.data.action });
      const content = z.object({ confirm: z.boolean(), attendee: z.string().min(3) }).safeParse(answer.data.content);
      if (!content.success) return invalid('the answer to "confirm" needs confirm (boolean) and attendee (string)');
      if (!content.data.confirm) return text('No meeting booked: the user did not confirm.', { booked: false, action: 'accept' });
      const date = resolveDemoDate(parsed.date);
      if (!date) return text(`date "${parsed.date}" is not a valid calendar date`, undefined, true);
      context.onExecuted('book_meeting');
      const event = store.create({ title: `${parsed.title} (with ${content.data.attendee})`, date, start_time: parsed.start_time, duration_minutes: 30 });
      return text(`Booked ${event.title} on ${event.date} at ${event.start_time} (${event.id}).`, { booked: true, event });
    },
  };

  const link: InteractiveTool = {
    name: 'link_calendar',
    listing: () => ({
      name: 'link_calendar',
      title: 'Link an external calendar (opens a page)',
      description: 'Link an external calendar account. The user finishes the linking on a web page.',
      inputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    }),
    call(args, context) {
      const answer = ElicitResultSchema.safeParse(context.inputResponses?.consent);
      if (!answer.success) {
        return {
          result: {
            resultType: 'input_required',
            inputRequests: {
              consent: { method: 'elicitation/create', params: { mode: 'url', message: 'Open this page to allow access to your calendar, then come back.', url: `${context.adminUrl}/consent` } },
            },
            requestState: state.seal('link_calendar', args),
          },
        };
      }
      const problem = state.problem(context.requestState, 'link_calendar', args);
      if (problem) return invalid(`${problem}: call link_calendar again without inputResponses and requestState`);
      if (answer.data.action !== 'accept') return text(`Calendar not linked: the user chose "${answer.data.action}".`, { linked: false });
      context.onExecuted('link_calendar');
      return text('Calendar linked.', { linked: true });
    },
  };

  const ExportSchema = z.object({
    date: DateSchema.optional(),
    work_ms: z.number().int().min(0).max(600_000).optional(),
    ask_format: z.boolean().optional().describe('ask the user for the format halfway (the task waits for input)'),
  });
  const exportTool: InteractiveTool = {
    name: 'export_calendar',
    listing: () => ({
      name: 'export_calendar',
      title: 'Export the calendar (long-running)',
      description: 'Export the meetings of a date as a report. Runs as a task: it takes a while (work_ms, default 3000).',
      inputSchema: z.toJSONSchema(ExportSchema, { io: 'input' }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    }),
    call(args, context) {
      const parsed = parseArgs(ExportSchema, args);
      if (typeof parsed === 'string') return invalid(parsed);
      if (!context.tasksDeclared) {
        return { error: { code: MISSING_REQUIRED_CLIENT_CAPABILITY, message: 'export_calendar runs as a task: declare the io.modelcontextprotocol/tasks extension', data: { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } } } };
      }
      const date = resolveDemoDate(parsed.date ?? 'today') ?? parsed.date ?? 'today';
      context.onExecuted('export_calendar');
      const format = z.object({ action: z.literal('accept'), content: z.object({ format: z.enum(['csv', 'ics']) }) });
      const ask = parsed.ask_format
        ? {
            key: `format-${randomUUID()}`,
            request: {
              method: 'elicitation/create',
              params: { message: `Which format for the export of ${date}?`, requestedSchema: { type: 'object', properties: { format: { type: 'string', enum: ['csv', 'ics'] } }, required: ['format'] } },
            },
          }
        : undefined;
      const task = state.startTask(
        'export_calendar',
        parsed.work_ms ?? 3_000,
        (answer) => {
          const events = store.list(date);
          const chosen = format.safeParse(answer);
          const as = chosen.success ? ` as ${chosen.data.content.format}` : '';
          return { content: [{ type: 'text', text: `Exported ${events.length} meeting(s) on ${date}${as}.` }], structuredContent: { date, count: events.length } };
        },
        ask,
      );
      return { result: { resultType: 'task', ...state.taskFields(task) } };
    },
  };
  return [book, link, exportTool];
}
