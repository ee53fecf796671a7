/**
 * What the calendar's interactive tools (./interactive.ts) keep between requests: the key that
 * signs `requestState` (with the SDK's codec) and how long a state stays valid, and the tasks
 * they started (tasks extension, ./tasks.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequestStateCodec, type RequestStateCodec, type ServerContext } from '@modelcontextprotocol/server';
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

/** What a `requestState` proves: this tool was asked about these arguments at `at` (ms since epoch). */
export const RequestStatePayloadSchema = z.object({ tool: z.string(), args: z.string(), at: z.number() });
export type RequestStatePayload = z.infer<typeof RequestStatePayloadSchema>;

/**
 * The codec's own expiry is fixed in whole seconds at creation; the demo's TTL is milliseconds and
 * changes at run time (tests set 0), so the codec only bounds it from outside and `verifyState` decides.
 */
const CODEC_TTL_SECONDS = 24 * 3600;

/** What the interactive tools keep between requests: the state key, tasks, settings. */
export class InteractiveState {
  private codec = newCodec();
  readonly tasks = new Map<string, DemoTask>();
  requestStateTtlMs: number;
  taskPollIntervalMs: number;

  constructor(options: { requestStateTtlMs?: number; taskPollIntervalMs?: number } = {}) {
    this.requestStateTtlMs = options.requestStateTtlMs ?? 10 * 60_000;
    this.taskPollIntervalMs = options.taskPollIntervalMs ?? 500;
  }

  /** A signed `requestState` for a question about `args` to `tool`, asked now. */
  mintState(tool: string, args: Record<string, unknown>): Promise<string> {
    return this.codec.mint({ tool, args: JSON.stringify(args), at: Date.now() });
  }

  /**
   * `ServerOptions.requestState.verify`: a state that does not verify or has expired throws, which
   * the SDK answers with its frozen `-32602 Invalid or expired requestState` before the handler runs.
   */
  async verifyState(state: string, ctx: ServerContext): Promise<RequestStatePayload> {
    const payload = RequestStatePayloadSchema.parse(await this.codec.verify(state, ctx));
    if (Date.now() - payload.at > this.requestStateTtlMs) throw new Error('expired');
    return payload;
  }

  /** Whether a verified state was minted for this very request (tool and arguments). */
  static matches(payload: RequestStatePayload | undefined, tool: string, args: Record<string, unknown>): boolean {
    return payload !== undefined && payload.tool === tool && payload.args === JSON.stringify(args);
  }

  /**
   * A task that works for `workMs`; with `ask`, it stops halfway in `input_required` until
   * `tasks/update` answers, then works the other half. `finish` gets the answer (if any).
   */
  startTask(
    tool: string,
    workMs: number,
    finish: (answer?: unknown) => Record<string, unknown>,
    ask?: { key: string; request: Record<string, unknown> },
  ): DemoTask {
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
    // A new key: states handed out before the reset no longer verify.
    this.codec = newCodec();
  }
}

function newCodec(): RequestStateCodec<unknown> {
  return createRequestStateCodec({ key: randomBytes(32), ttlSeconds: CODEC_TTL_SECONDS });
}
