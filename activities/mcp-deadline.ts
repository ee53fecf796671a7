/** The deadline every MCP request of one direct-mode activity shares. */
import { Context } from '@temporalio/activity';
import type { RequestOptions } from '@modelcontextprotocol/client';

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
 */
export async function withDeadline<T>(activityTimeoutMs: number | undefined, work: (options: RequestOptions) => Promise<T>): Promise<T> {
  const context = Context.current();
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
    clearTimeout(timer);
    cancelled.removeEventListener('abort', onCancel);
  }
}
