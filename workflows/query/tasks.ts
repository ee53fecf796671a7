/**
 * Tasks in direct mode (the MCP tasks extension, `io.modelcontextprotocol/tasks`): a tool call
 * that returns a task handle is followed with durable timers, sleeping the server's
 * `pollIntervalMs` between short `tasks/get` activities, bounded by the call's timeout. The task
 * id is in history (the call's result), so a worker that dies mid-task is replaced by one that
 * goes on polling the same task; the call itself never runs again. A task waiting for input is
 * answered through the elicitation wait and `tasks/update`; cancelling the query sends
 * `tasks/cancel` (cooperative: the server may still finish).
 */
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { DirectCallInput, DirectCallResult } from '../../activities/mcp';
import type { TaskHandle, TaskProgress } from '../../src/core/mcp-input';
import { heartbeatTimeoutFor } from '../../src/core/timing';
import { activityRetryPolicy } from '../../src/core/retry';
import type { Elicitations } from './elicitation';
import type { QueryRunState } from './run-state';

/** When the server suggests no interval. */
const DEFAULT_POLL_MS = 1_000;
/** Bounds on the server's suggestion: no busy loop, no hour-long naps inside a bounded call. */
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 60_000;
/** One `tasks/get` is a short request; its activity gets at most this long. */
const POLL_TIMEOUT_MS = 30_000;
/**
 * Polls one task may take within its call's timeout: each is a timer and an activity in history
 * (about seven events), and a run's history must stay far below Temporal's 50,000-event limit.
 * A long timeout stretches the interval instead (1 h → at least 7.2 s between polls).
 */
const MAX_POLLS_PER_TASK = 500;
/** Tasks `progress` keeps (the newest). */
const MAX_SHOWN_TASKS = 20;

export class Tasks {
  private readonly followed: TaskProgress[] = [];

  constructor(
    private readonly run: QueryRunState,
    private readonly elicitations: Elicitations,
  ) {
    run.followedTasks = () => this.followed.slice(-MAX_SHOWN_TASKS);
  }

  /** Follows the task until it ends (or the call's time is up); returns the finished call. */
  async follow(handle: TaskHandle, call: DirectCallInput & { call_id: string }, startedAt: number): Promise<DirectCallResult> {
    const server = call.server.label;
    const tool = call.tool.name;
    const entry: TaskProgress = {
      call_id: call.call_id,
      server,
      tool,
      task_id: handle.task_id,
      status: handle.status,
      polls: 0,
      started_at: new Date(startedAt).toISOString(),
      updated_at: new Date().toISOString(),
    };
    if (handle.status_message !== undefined) entry.status_message = handle.status_message;
    this.followed.push(entry);
    this.run.emit('state', `${server} · ${tool} runs as task ${handle.task_id} (${handle.status}); polling`);
    const timeout = Math.min(call.timeout_ms, POLL_TIMEOUT_MS);
    const activities = proxyActivities<Activities>({
      startToCloseTimeout: timeout,
      // The activities beat while they wait (activities/mcp/deadline.ts): a dead worker is noticed in seconds.
      heartbeatTimeout: heartbeatTimeoutFor(timeout),
      // tasks/get and tasks/cancel change nothing: retried like read-only calls.
      retry: activityRetryPolicy(call.retry),
      summary: `Task ${handle.task_id} of ${server} · ${tool}`,
    });
    const taskInput = { server: call.server, tool: call.tool, task_id: handle.task_id, retry: call.retry, timeout_ms: timeout };
    // Time spent waiting for a person is not the task's: it moves the deadline.
    let deadline = startedAt + call.timeout_ms;
    const answered = new Set<string>();
    let current = handle;
    try {
      for (;;) {
        if (current.status === 'input_required' && current.input_requests) {
          // Keys are unique over a task's lifetime: one already answered is not asked again.
          const fresh = Object.fromEntries(Object.entries(current.input_requests).filter(([key]) => !answered.has(key)));
          if (Object.keys(fresh).length) {
            const askedAt = Date.now();
            const responses = await this.elicitations.ask({ server, tool, call_id: call.call_id }, fresh, false);
            deadline += Date.now() - askedAt;
            for (const key of Object.keys(fresh)) answered.add(key);
            await activities.updateTaskDirect({ ...taskInput, input_responses: responses });
          }
        }
        const floor = Math.max(MIN_POLL_MS, Math.ceil(call.timeout_ms / MAX_POLLS_PER_TASK));
        const wait = Math.min(MAX_POLL_MS, Math.max(floor, current.poll_interval_ms ?? DEFAULT_POLL_MS));
        if (Date.now() + wait > deadline) return await this.giveUp(entry, activities, taskInput, call.timeout_ms);
        await sleep(wait);
        const polled = await activities.getTaskDirect(taskInput);
        entry.polls++;
        entry.updated_at = new Date().toISOString();
        if (polled.interaction?.kind !== 'task') {
          entry.status = polled.task_status ?? (polled.is_error ? 'failed' : 'completed');
          this.run.emit('state', `${server} · ${tool}: task ${handle.task_id} ${entry.status} after ${entry.polls} poll(s)`);
          return polled;
        }
        // The final poll's attempts are counted with the call's record.
        this.run.countAttempts(polled.attempt, polled.attempt_errors);
        if (polled.interaction.status !== current.status)
          this.run.emit(
            'state',
            `${server} · ${tool}: task ${handle.task_id} is ${polled.interaction.status}${polled.interaction.status_message ? `: ${polled.interaction.status_message}` : ''}`,
          );
        current = polled.interaction;
        entry.status = current.status;
        if (current.status_message !== undefined) entry.status_message = current.status_message;
      }
    } catch (error) {
      if (!isCancellation(error)) throw error;
      // The query was cancelled: tell the server, even though this scope is being cancelled.
      await CancellationScope.nonCancellable(() => activities.cancelTaskDirect(taskInput)).catch(() => undefined);
      entry.status = 'cancelled';
      this.run.emit('state', `${server} · ${tool}: task ${handle.task_id} cancelled with the query (tasks/cancel sent)`);
      throw error;
    }
  }

  /** The call's time is up: cancel the task on the server and report the call as failed. */
  private async giveUp(
    entry: TaskProgress,
    activities: ReturnType<typeof proxyActivities<Activities>>,
    taskInput: Parameters<Activities['cancelTaskDirect']>[0],
    timeoutMs: number,
  ): Promise<DirectCallResult> {
    await activities.cancelTaskDirect(taskInput).catch(() => undefined);
    entry.status = 'cancelled';
    const now = new Date().toISOString();
    this.run.emit('state', `${entry.server} · ${entry.tool}: task ${entry.task_id} did not finish within ${timeoutMs} ms; cancelled`);
    return {
      output: `the task ${entry.task_id} did not finish within the call timeout (${timeoutMs} ms) and was cancelled`,
      is_error: true,
      started_at: entry.started_at,
      completed_at: now,
      attempt: 1,
    };
  }
}
