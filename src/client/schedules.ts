/**
 * Scheduled refreshes: a Temporal Schedule starts `refreshSession` for a session on an interval
 * or a cron expression; each run asks the session to list its servers again and returns the
 * diff (tools added, removed, changed), so a changed tool shows up in the run's result.
 */
import {
  ScheduleOverlapPolicy,
  type Workflow,
  WorkflowFailedError,
  type CalendarSpecDescription,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleSpec,
  type ScheduleSpecDescription,
} from '@temporalio/client';
import { RefreshSessionInputSchema, type SessionRefreshResult } from '../../workflows/messages';
import type { refreshSession } from '../../workflows/refresh';
import type { McpflowClient } from './client';
import { jsonBytes } from '../core/payload-size';
import type { BatchInput } from '../../workflows/batch/messages';
import type { runBatch } from '../../workflows/batch';
import { McpflowError } from '../core/mcpflow-error';

/**
 * A scheduled batch keeps its file in the Schedule itself: the lines are the action's input,
 * stored by the Temporal server, so the worker needs no shared disk. Bounded so that the input
 * stays well under Temporal's 2 MiB payload limit (larger files: run them with `batch run`).
 */
export const MAX_SCHEDULED_BATCH_BYTES = 768 * 1024;

export interface CreateBatchScheduleOptions {
  /** Default `mcpflow-batch-<content hash>`. */
  scheduleId: string;
  everyMs?: number;
  cron?: string;
  paused?: boolean;
  note?: string;
  /** The whole batch, every line in `lines`. */
  input: BatchInput;
}

export interface CreateRefreshScheduleOptions {
  sessionId: string;
  /** Default `mcpflow-refresh-<session id>`. */
  scheduleId?: string;
  /** Interval in milliseconds. Exactly one of everyMs and cron. */
  everyMs?: number;
  cron?: string;
  paused?: boolean;
  note?: string;
  /** Ask the session to list again even when its catalog is younger than the TTL. Default true. */
  forceRefresh?: boolean;
}

export interface ScheduleRow {
  schedule_id: string;
  workflow_type: string | null;
  paused: boolean;
  note: string | null;
  spec: string;
  next_run: string | null;
  last_run: string | null;
}

export interface ScheduleRun {
  workflow_id: string;
  run_id: string;
  scheduled_at: string;
  status: string;
  /** The refresh result once the run completed. */
  result: SessionRefreshResult | null;
  error: string | null;
}

export interface ScheduleDetails extends ScheduleRow {
  session_id: string | null;
  task_queue: string | null;
  actions_taken: number;
  recent_runs: ScheduleRun[];
}

/** Temporal parses a cron expression only when the Schedule is created; its refusal says which part is wrong. */
export class InvalidScheduleSpecError extends McpflowError {}

/** The client turns the server's "Invalid schedule spec" into a TypeError; anything else passes through. */
function specRefusal(error: unknown): unknown {
  if (!(error instanceof TypeError)) return error;
  return new InvalidScheduleSpecError(
    `Temporal refused it: ${error.message}. Give 5 fields (minute hour day-of-month month day-of-week), e.g. "0 */6 * * *", or @hourly, @daily, @weekly`,
  );
}

export function defaultScheduleId(sessionId: string): string {
  return `mcpflow-refresh-${sessionId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** When a schedule runs: exactly one of an interval and a cron expression. */
function scheduleSpecOf(options: { everyMs?: number; cron?: string }): ScheduleSpec {
  if (options.everyMs !== undefined && options.cron === undefined) return { intervals: [{ every: options.everyMs }] };
  if (options.cron !== undefined && options.everyMs === undefined) return { cronExpressions: [options.cron] };
  throw new Error('give exactly one of an interval (every) and a cron expression');
}

export class ScheduleApi {
  constructor(private readonly client: McpflowClient) {}

  async createRefresh(options: CreateRefreshScheduleOptions): Promise<string> {
    const spec = scheduleSpecOf(options);
    const scheduleId = options.scheduleId ?? defaultScheduleId(options.sessionId);
    const input = RefreshSessionInputSchema.parse({ session_id: options.sessionId, force_refresh: options.forceRefresh ?? true });
    await this.create(scheduleId, spec, options, {
      workflowType: 'refreshSession' as unknown as typeof refreshSession,
      args: [input],
      staticSummary: `Refresh the tools of session ${options.sessionId}`,
      // A slow refresh is not worth a second one in parallel.
      overlap: ScheduleOverlapPolicy.SKIP,
    });
    return scheduleId;
  }

  /** A Schedule that starts runBatch with the whole file; each run is its own batch (`<schedule id>-run-<time>`). */
  async createBatch(options: CreateBatchScheduleOptions): Promise<string> {
    const spec = scheduleSpecOf(options);
    const bytes = jsonBytes(options.input.lines ?? []);
    if (bytes > MAX_SCHEDULED_BATCH_BYTES) {
      throw new RangeError(
        `the file's queries are ${bytes} bytes; a scheduled batch keeps them in the Schedule and takes at most ${MAX_SCHEDULED_BATCH_BYTES}: split the file, or run it with \`mcpflow batch run\``,
      );
    }
    const { search_attributes } = await this.client.searchAttributesFor([]);
    const scheduleId = options.scheduleId;
    await this.create(scheduleId, spec, options, {
      workflowType: 'runBatch' as unknown as typeof runBatch,
      args: [{ ...options.input, search_attributes }],
      staticSummary: `Scheduled batch${options.input.source ? ` of ${options.input.source}` : ''}: ${options.input.total} queries`,
      // A batch still running when the next is due: the next waits its turn instead of doubling the load.
      overlap: ScheduleOverlapPolicy.BUFFER_ONE,
    });
    return scheduleId;
  }

  /**
   * A Schedule that starts `workflow` on this client's task queue; each run's id is the schedule's
   * plus `-run` and the time the schedule appends. Temporal checks the spec only here: a refused
   * cron expression becomes InvalidScheduleSpecError.
   */
  private async create(
    scheduleId: string,
    spec: ScheduleSpec,
    state: { paused?: boolean; note?: string },
    workflow: { workflowType: Workflow; args: unknown[]; staticSummary: string; overlap: ScheduleOverlapPolicy },
  ): Promise<void> {
    const { overlap, ...action } = workflow;
    const options: ScheduleOptions = {
      scheduleId,
      spec,
      action: { type: 'startWorkflow', ...action, taskQueue: this.client.taskQueue, workflowId: `${scheduleId}-run` },
      policies: { overlap },
      state: { paused: state.paused ?? false, ...(state.note ? { note: state.note } : {}) },
    };
    await this.client.call(scheduleId, () =>
      this.client.temporal.schedule.create(options).catch((error: unknown) => {
        throw specRefusal(error);
      }),
    );
  }

  async list(): Promise<ScheduleRow[]> {
    const rows: ScheduleRow[] = [];
    await this.client.call(undefined, async () => {
      for await (const summary of this.client.temporal.schedule.list()) {
        const spec = summary.spec;
        rows.push({
          schedule_id: summary.scheduleId,
          workflow_type: summary.action?.workflowType ?? null,
          paused: summary.state.paused,
          note: summary.state.note ?? null,
          spec: spec ? describeSpec(spec) : '',
          next_run: summary.info.nextActionTimes[0]?.toISOString() ?? null,
          last_run: summary.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
        });
      }
    });
    return rows;
  }

  async describe(scheduleId: string, options: { withResults?: boolean } = {}): Promise<ScheduleDetails> {
    const description = await this.client.call(scheduleId, () => this.client.temporal.schedule.getHandle(scheduleId).describe());
    const runs = await Promise.all(
      description.info.recentActions.map((action) =>
        this.run(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId, action.scheduledAt, options.withResults ?? true),
      ),
    );
    const args = description.action.args as unknown[] | undefined;
    const input = RefreshSessionInputSchema.safeParse(args?.[0]);
    return {
      ...rowOf(description),
      session_id: input.success ? input.data.session_id : null,
      task_queue: description.action.taskQueue ?? null,
      actions_taken: description.info.numActionsTaken,
      recent_runs: runs,
    };
  }

  pause(scheduleId: string, note?: string): Promise<void> {
    return this.client.call(scheduleId, () => this.client.temporal.schedule.getHandle(scheduleId).pause(note));
  }

  unpause(scheduleId: string, note?: string): Promise<void> {
    return this.client.call(scheduleId, () => this.client.temporal.schedule.getHandle(scheduleId).unpause(note));
  }

  /** Runs the action now (overlap: allow, so a manual trigger is never skipped). */
  trigger(scheduleId: string): Promise<void> {
    return this.client.call(scheduleId, () => this.client.temporal.schedule.getHandle(scheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL));
  }

  delete(scheduleId: string): Promise<void> {
    return this.client.call(scheduleId, () => this.client.temporal.schedule.getHandle(scheduleId).delete());
  }

  private async run(workflowId: string, runId: string, scheduledAt: Date, withResult: boolean): Promise<ScheduleRun> {
    const run: ScheduleRun = { workflow_id: workflowId, run_id: runId, scheduled_at: scheduledAt.toISOString(), status: 'UNKNOWN', result: null, error: null };
    try {
      const handle = this.client.temporal.workflow.getHandle(workflowId, runId);
      const description = await handle.describe();
      run.status = description.status.name;
      if (withResult && run.status === 'COMPLETED') run.result = (await handle.result()) as SessionRefreshResult;
      if (withResult && run.status === 'FAILED') {
        await handle.result().catch((error: unknown) => {
          run.error = error instanceof WorkflowFailedError ? (error.cause?.message ?? error.message) : String(error);
        });
      }
    } catch (error) {
      run.error = error instanceof Error ? error.message : String(error);
    }
    return run;
  }
}

function rowOf(description: ScheduleDescription): ScheduleRow {
  return {
    schedule_id: description.scheduleId,
    workflow_type: description.action.workflowType,
    paused: description.state.paused,
    note: description.state.note ?? null,
    spec: describeSpec(description.spec),
    next_run: description.info.nextActionTimes[0]?.toISOString() ?? null,
    last_run: description.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
  };
}

/** The server turns cron expressions into calendar specs; those read as "calendar (...)" here. */
function describeSpec(spec: ScheduleSpecDescription): string {
  const parts = (spec.intervals ?? []).map((interval) => `every ${formatMs(interval.every)}`);
  for (const calendar of spec.calendars ?? []) parts.push(calendar.comment ? `cron "${calendar.comment}"` : `calendar ${describeCalendar(calendar)}`);
  return parts.join(', ') || '(none)';
}

function describeCalendar(calendar: CalendarSpecDescription): string {
  const field = (ranges: { start: unknown; end: unknown; step: number }[]) =>
    ranges
      .map((range) =>
        range.start === range.end ? String(range.start) : `${String(range.start)}-${String(range.end)}${range.step > 1 ? `/${range.step}` : ''}`,
      )
      .join(',');
  return `${field(calendar.minute)} ${field(calendar.hour)} ${field(calendar.dayOfMonth)} ${field(calendar.month)} ${field(calendar.dayOfWeek)}`;
}

export function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
