/**
 * What the calendar's interactive tools (./interactive.ts) keep between requests: the key that
 * signs `requestState` (and when it expires), and the tasks they started (tasks extension).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

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
