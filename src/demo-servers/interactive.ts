/**
 * The calendar's MCP 2026-07-28 tools that talk back, served by ./mcp-2026.ts only:
 * - `book_meeting` asks the user (form elicitation, multi round-trip) to confirm and name an
 *   attendee before it books; its `requestState` is HMAC-protected and expires;
 * - `link_calendar` sends the user to a URL (URL-mode elicitation) and then reports success;
 * - `export_calendar` runs as a task (tasks extension) that takes `work_ms` to finish.
 * Counters (`executed`) count bookings made and tasks started, so tests can check "exactly once".
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { CalendarStore } from './calendar';
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

export interface DemoTaskView {
  taskId: string;
  tool: string;
  status: 'working' | 'input_required' | 'completed' | 'cancelled';
}

interface DemoTask extends DemoTaskView {
  createdAt: string;
  lastUpdatedAt: string;
  result?: Record<string, unknown>;
  timer?: NodeJS.Timeout;
  /** While `input_required`: the question (tasks extension `InputRequiredTask.inputRequests`). */
  inputRequests?: Record<string, unknown>;
  /** What the task does with the answer to its question, then how long it still works. */
  onAnswer?: (answer: unknown) => void;
}

/** What the interactive tools keep between requests: the state key, tasks, settings. */
export class InteractiveState {
  private key = randomBytes(32);
  readonly tasks = new Map<string, DemoTask>();
  requestStateTtlMs: number;
  taskPollIntervalMs: number;

  constructor(options: { requestStateTtlMs?: number; taskPollIntervalMs?: number } = {}) {
    this.requestStateTtlMs = options.requestStateTtlMs ?? 10 * 60_000;
    this.taskPollIntervalMs = options.taskPollIntervalMs ?? 500;
  }

  /** `requestState`: what the retry must match (tool, arguments), when it was issued, signed. */
  seal(tool: string, args: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify({ tool, args: JSON.stringify(args), at: Date.now() })).toString('base64url');
    return `${body}.${createHmac('sha256', this.key).update(body).digest('base64url')}`;
  }

  /** Undefined when the state verifies for this tool and arguments and has not expired; else why not. */
  problem(state: string | undefined, tool: string, args: Record<string, unknown>): string | undefined {
    if (state === undefined) return 'requestState is missing';
    const [body, mac] = state.split('.');
    if (!body || !mac) return 'requestState is malformed';
    const expected = createHmac('sha256', this.key).update(body).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'requestState does not verify';
    const parsed = z.object({ tool: z.string(), args: z.string(), at: z.number() }).safeParse(JSON.parse(Buffer.from(body, 'base64url').toString()));
    if (!parsed.success || parsed.data.tool !== tool || parsed.data.args !== JSON.stringify(args)) return 'requestState belongs to another request';
    if (Date.now() - parsed.data.at > this.requestStateTtlMs) return `requestState expired (older than ${this.requestStateTtlMs} ms)`;
    return undefined;
  }

  /**
   * A task that works for `workMs`; with `ask`, it stops halfway in `input_required` until
   * `tasks/update` answers, then works the other half. `finish` gets the answer (if any).
   */
  startTask(tool: string, workMs: number, finish: (answer?: unknown) => Record<string, unknown>, ask?: { key: string; request: Record<string, unknown> }): DemoTask {
    const now = new Date().toISOString();
    const task: DemoTask = { taskId: randomUUID(), tool, status: 'working', createdAt: now, lastUpdatedAt: now };
    const complete = (after: number, answer?: unknown) => {
      task.timer = setTimeout(() => {
        if (task.status !== 'working') return;
        task.status = 'completed';
        task.result = finish(answer);
        task.lastUpdatedAt = new Date().toISOString();
      }, after);
      task.timer.unref();
    };
    if (!ask) complete(workMs);
    else {
      task.timer = setTimeout(() => {
        if (task.status !== 'working') return;
        task.status = 'input_required';
        task.inputRequests = { [ask.key]: ask.request };
        task.lastUpdatedAt = new Date().toISOString();
        task.onAnswer = (answer) => {
          task.status = 'working';
          task.inputRequests = undefined;
          task.onAnswer = undefined;
          task.lastUpdatedAt = new Date().toISOString();
          complete(workMs / 2, answer);
        };
      }, workMs / 2);
      task.timer.unref();
    }
    this.tasks.set(task.taskId, task);
    return task;
  }

  /** `tasks/update`: answers for keys the task is not waiting for are ignored, as the extension says. */
  updateTask(taskId: string, inputResponses: unknown): void {
    const task = this.tasks.get(taskId);
    if (!task || task.status !== 'input_required' || !task.inputRequests || typeof inputResponses !== 'object' || inputResponses === null) return;
    const [key] = Object.keys(task.inputRequests);
    const answer = (inputResponses as Record<string, unknown>)[key!];
    if (answer !== undefined) task.onAnswer?.(answer);
  }

  cancelTask(taskId: string): boolean {
    const task = this.tasks.get(taskId);
    if (!task) return false;
    if (task.status === 'working' || task.status === 'input_required') {
      clearTimeout(task.timer);
      task.status = 'cancelled';
      task.lastUpdatedAt = new Date().toISOString();
    }
    return true;
  }

  /** The `Task` fields of the tasks extension (flat, as in CreateTaskResult / GetTaskResult). */
  taskFields(task: DemoTask): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      taskId: task.taskId,
      status: task.status,
      statusMessage: task.status === 'working' ? `exporting (${task.tool})` : task.status,
      createdAt: task.createdAt,
      lastUpdatedAt: task.lastUpdatedAt,
      ttlMs: 3_600_000,
      pollIntervalMs: this.taskPollIntervalMs,
    };
    if (task.status === 'completed') fields.result = task.result;
    if (task.status === 'input_required') {
      fields.inputRequests = task.inputRequests;
      fields.statusMessage = 'waiting for the user';
    }
    return fields;
  }

  views(): DemoTaskView[] {
    return [...this.tasks.values()].map(({ taskId, tool, status }) => ({ taskId, tool, status }));
  }

  reset(): void {
    for (const task of this.tasks.values()) clearTimeout(task.timer);
    this.tasks.clear();
    this.key = randomBytes(32);
  }
}

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
