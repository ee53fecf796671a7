/**
 * An update to a long-lived workflow (a session) can meet the moment its run continues as new:
 * the run refuses new work for a moment (workflows/session/draining.ts), the server aborts the
 * updates a failed or closing workflow task left in flight, or it holds back more than 10 updates
 * in flight (RESOURCE_EXHAUSTED, which the SDK retries until our deadline: LimitExceededError).
 * None of these ran the update, so it is sent again, to the latest run (the handle names no run
 * id), after a delay with exponential backoff and full jitter so that 100 clients do not come
 * back in step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isGrpcServiceError } from '@temporalio/client';
import { SESSION_CONTINUING_AS_NEW } from '../../workflows/session/refusal';
import { LimitExceededError, UpdateRejectedError } from './errors';

const GRPC_FAILED_PRECONDITION = 9;
const GRPC_ABORTED = 10;

export interface UpdateRetryOptions {
  /** Stop retrying once this much time has passed since the first attempt. */
  budgetMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** What the server says when it aborted an update it had not run (the run closed, continued as new, or its task failed). */
const ABORTED_WORDS = /update was aborted|workflow is closing|continued as new|workflow task failure|workflow execution .*(completed|closed)/i;

/** Whether `error` means the update did not run and may be sent again to the latest run. */
export function isRetryableUpdateError(error: unknown): boolean {
  if (error instanceof UpdateRejectedError) return error.message.includes(SESSION_CONTINUING_AS_NEW);
  // Too many updates in flight, or not accepted in time while a worker polls; never a size refusal.
  if (error instanceof LimitExceededError) return !/too large/.test(error.message);
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (isGrpcServiceError(current) && (current.code === GRPC_ABORTED || (current.code === GRPC_FAILED_PRECONDITION && ABORTED_WORDS.test(current.message))))
      return true;
  }
  return false;
}

/** Runs `send` (which starts the update) again while it fails with a retryable error and the budget lasts. */
export async function retryingUpdate<T>(send: () => Promise<T>, options: UpdateRetryOptions = {}): Promise<T> {
  const { budgetMs = 120_000, baseDelayMs = 100, maxDelayMs = 3_000 } = options;
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      if (!isRetryableUpdateError(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
