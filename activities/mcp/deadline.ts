/** The deadline every MCP request of one direct-mode activity shares, and the heartbeats while it waits. */
import { Context } from '@temporalio/activity';
import type { RequestOptions } from '@modelcontextprotocol/client';
import { KEEP_ALIVE_HEARTBEAT_MS } from '../../src/core/timing';
import { earlierAttemptErrors } from '../attempt-errors';

/** Room left between the last MCP request's deadline and the activity's own timeout. */
const REQUEST_TIMEOUT_MARGIN_MS = 2_000;
/** When neither the input nor Temporal says how long the activity may run (the SDK's own default). */
const DEFAULT_ACTIVITY_TIMEOUT_MS = 60_000;

/**
 * Runs `work` with the options for every MCP request of one activity, the handshake included:
 * the SDK's default request timeout (60 s) must neither cut a call the activity still allows
 * nor outlive the activity, and a cancelled activity stops waiting at once (the SDK rejects with
 * its RequestTimeout error either way). The signal is this activity's own, detached from Temporal's
 * cancellation when the activity is done, so that nothing of a finished activity reaches a pooled
 * connection later.
 *
 * While it waits, the activity heartbeats (at once, then every KEEP_ALIVE_HEARTBEAT_MS), so that
 * a worker killed inside a call is noticed after the workflow's short heartbeat timeout
 * (src/core/timing.ts) instead of the call's whole timeout; the beats also carry a
 * cancellation to the activity. `doing` names the work in the details.
 */
export async function withDeadline<T>(activityTimeoutMs: number | undefined, work: (options: RequestOptions) => Promise<T>, doing?: string): Promise<T> {
  const context = Context.current();
  beat(context, { doing: doing ?? context.info.activityType });
  // Repeats the latest beat, so that a listing's page count stays the last word (see beat()).
  const keepAlive = setInterval(() => context.heartbeat(latest.get(context)), KEEP_ALIVE_HEARTBEAT_MS);
  const activityMs = activityTimeoutMs ?? (context.info.startToCloseTimeoutMs || DEFAULT_ACTIVITY_TIMEOUT_MS);
  const timeout = Math.max(1_000, activityMs - REQUEST_TIMEOUT_MARGIN_MS);
  const deadline = new AbortController();
  const cancelled = context.cancellationSignal;
  const onCancel = () => deadline.abort(cancelled.reason);
  if (cancelled.aborted) onCancel();
  else cancelled.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')), timeout);
  try {
    return await work({ timeout, signal: deadline.signal });
  } finally {
    clearInterval(keepAlive);
    clearTimeout(timer);
    cancelled.removeEventListener('abort', onCancel);
  }
}

/** The details of each running activity's latest beat. */
const latest = new WeakMap<Context, Record<string, unknown>>();

/**
 * One heartbeat, whose details the keep-alive of withDeadline repeats. The details keep the
 * errors of this activity's earlier attempts: the last beat's details are what the next attempt
 * reads them from (./attempt-errors.ts), also after a worker died.
 */
export function beat(context: Context, details: Record<string, unknown>): void {
  const carried = earlierAttemptErrors(context);
  const full = carried.length ? { ...details, mcpflow_attempt_errors: carried } : details;
  latest.set(context, full);
  context.heartbeat(full);
}
