/**
 * The calendar's tools that talk back, offered on MCP 2026-07-28 only and written the SDK's way
 * (`inputRequired()` / `inputResponse()`, `requestState` sealed by its codec):
 * - `book_meeting` asks the user (form elicitation, multi round-trip) to confirm and name an
 *   attendee before it books;
 * - `link_calendar` sends the user to a URL (URL-mode elicitation) and then reports success;
 * - `export_calendar` runs as a task (tasks extension, ./tasks.ts) that takes `work_ms` to finish.
 * Counters (`executed`) count bookings made and tasks started, so tests can check "exactly once".
 *
 * A round is trusted only with a `requestState` minted for this tool and these arguments: the SDK
 * refuses a state that does not verify or expired (-32602) before the handler runs, and a valid
 * state minted for another request proves nothing here, so the tool asks again.
 */
import { randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type CallToolResult,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { CalendarStore } from './calendar';
import { InteractiveState, RequestStatePayloadSchema } from './interactive-state';
import { TASKS_EXTENSION } from './protocol';
import { errorResult } from './tool';
import { resolveDemoDate } from './today';

/** The tools only a task can serve: ./tasks.ts refuses them (-32021) to a client without the extension. */
export const TASK_TOOLS: readonly string[] = ['export_calendar'];

export interface InteractiveContext {
  store: CalendarStore;
  state: InteractiveState;
  adminUrl: string;
  onExecuted: (tool: string) => void;
}

const DateSchema = z.string().regex(/^(\d{4}-\d{2}-\d{2}|today|tomorrow|yesterday)$/i);

function text(message: string, structured?: Record<string, unknown>, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: message }], ...(structured ? { structuredContent: structured } : {}), ...(isError ? { isError: true } : {}) };
}

/** The verified state of this round, when it was minted for exactly this tool and these arguments. */
function askedBefore(ctx: ServerContext, tool: string, args: Record<string, unknown>): boolean {
  const payload = RequestStatePayloadSchema.safeParse(ctx.mcpReq.requestState());
  return payload.success && InteractiveState.matches(payload.data, tool, args);
}

/** The extensions the request's envelope declares (the SDK types the envelope as an empty object). */
function declaredExtensions(ctx: ServerContext): Record<string, unknown> {
  const envelope = ctx.mcpReq.envelope as Record<string, { extensions?: Record<string, unknown> } | undefined> | undefined;
  return envelope?.[CLIENT_CAPABILITIES_META_KEY]?.extensions ?? {};
}

export function registerInteractiveTools(server: McpServer, context: InteractiveContext): void {
  const { store, state, onExecuted } = context;

  const BookSchema = z.object({ title: z.string().min(1).max(200), date: DateSchema, start_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) });
  const ConfirmSchema = z.object({ confirm: z.boolean(), attendee: z.string().min(3) });
  server.registerTool(
    'book_meeting',
    {
      title: 'Book a meeting (asks the user first)',
      description: 'Book a 30-minute meeting. The user is asked to confirm and to name an attendee before anything is booked.',
      inputSchema: BookSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
      const content = answer.kind === 'elicit' && answer.action === 'accept' ? ConfirmSchema.safeParse(answer.content) : undefined;
      if (!askedBefore(ctx, 'book_meeting', args) || answer.kind !== 'elicit' || content?.success === false) {
        // First round, or nothing usable came back: ask, with state that ties the retry to this request.
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({
              message: `Book "${args.title}" on ${args.date} at ${args.start_time}? Who should attend?`,
              requestedSchema: {
                type: 'object',
                properties: {
                  confirm: { type: 'boolean', title: 'Book it?' },
                  attendee: { type: 'string', format: 'email', title: 'Attendee email' },
                },
                required: ['confirm', 'attendee'],
              },
            }),
          },
          requestState: await state.mintState('book_meeting', args),
        });
      }
      if (answer.action !== 'accept' || !content)
        return text(`No meeting booked: the user chose "${answer.action}".`, { booked: false, action: answer.action });
      if (!content.data.confirm) return text('No meeting booked: the user did not confirm.', { booked: false, action: 'accept' });
      const date = resolveDemoDate(args.date);
      if (!date) return text(`date "${args.date}" is not a valid calendar date`, undefined, true);
      onExecuted('book_meeting');
      const event = store.create({ title: `${args.title} (with ${content.data.attendee})`, date, start_time: args.start_time, duration_minutes: 30 });
      return text(`Booked ${event.title} on ${event.date} at ${event.start_time} (${event.id}).`, { booked: true, event });
    },
  );

  server.registerTool(
    'link_calendar',
    {
      title: 'Link an external calendar (opens a page)',
      description: 'Link an external calendar account. The user finishes the linking on a web page.',
      inputSchema: z.object({}),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'consent');
      if (!askedBefore(ctx, 'link_calendar', args) || answer.kind !== 'elicit') {
        return inputRequired({
          inputRequests: {
            consent: inputRequired.elicitUrl({
              message: 'Open this page to allow access to your calendar, then come back.',
              url: `${context.adminUrl}/consent`,
            }),
          },
          requestState: await state.mintState('link_calendar', args),
        });
      }
      if (answer.action !== 'accept') return text(`Calendar not linked: the user chose "${answer.action}".`, { linked: false });
      onExecuted('link_calendar');
      return text('Calendar linked.', { linked: true });
    },
  );

  const ExportSchema = z.object({
    date: DateSchema.optional(),
    work_ms: z.number().int().min(0).max(600_000).optional(),
    ask_format: z.boolean().optional().describe('ask the user for the format halfway (the task waits for input)'),
  });
  const FormatAnswerSchema = z.object({ action: z.literal('accept'), content: z.object({ format: z.enum(['csv', 'ics']) }) });
  server.registerTool(
    'export_calendar',
    {
      title: 'Export the calendar (long-running)',
      description: 'Export the meetings of a date as a report. Runs as a task: it takes a while (work_ms, default 3000).',
      inputSchema: ExportSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args, ctx): CallToolResult => {
      // ./tasks.ts answers -32021 before this; the extension forbids a task to a client that did not declare it.
      if (declaredExtensions(ctx)[TASKS_EXTENSION] === undefined)
        return errorResult(`export_calendar runs as a task: declare the ${TASKS_EXTENSION} extension`);
      const date = resolveDemoDate(args.date ?? 'today') ?? args.date ?? 'today';
      onExecuted('export_calendar');
      const ask = args.ask_format
        ? {
            key: `format-${randomUUID()}`,
            request: inputRequired.elicit({
              message: `Which format for the export of ${date}?`,
              requestedSchema: { type: 'object', properties: { format: { type: 'string', enum: ['csv', 'ics'] } }, required: ['format'] },
            }) as unknown as Record<string, unknown>,
          }
        : undefined;
      const task = state.startTask(
        'export_calendar',
        args.work_ms ?? 3_000,
        (answer) => {
          const events = store.list(date);
          const chosen = FormatAnswerSchema.safeParse(answer);
          const as = chosen.success ? ` as ${chosen.data.content.format}` : '';
          return {
            content: [{ type: 'text', text: `Exported ${events.length} meeting(s) on ${date}${as}.` }],
            structuredContent: { date, count: events.length },
          };
        },
        ask,
      );
      // `resultType: "task"` (CreateTaskResult) is the extension's; the SDK passes a tools/call resultType through.
      return { resultType: 'task', ...state.taskFields(task) } as unknown as CallToolResult;
    },
  );
}
