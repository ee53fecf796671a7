/**
 * What a session does with new work while it is about to continue as new. Before
 * 'session-drain-accepts-work' it refused every update from the moment it reached its threshold:
 * with 100 clients at a time, each refusal came straight back, the run kept seeing new updates in
 * the task that carried continue-as-new (an `UnhandledCommand` workflow-task failure, which aborts
 * every update in flight), and clients saw 15% failures. Now a draining run still takes work,
 * waits until every handler finished, and continues as new; only when it has grown
 * DRAIN_EXTRA_EVENTS past the point where it began draining does it refuse, with a message the
 * client recognizes and retries on the next run (./refusal.ts, src/client/update-retries.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { allHandlersFinished, condition, sleep } from '@temporalio/workflow';
import { SESSION_CONTINUING_AS_NEW, SESSION_CONTINUING_AS_NEW_TYPE } from './refusal';

/** Events a draining run may still grow by taking work: well inside Temporal's 50K-event bound. */
export const DRAIN_EXTRA_EVENTS = 1_000;

export interface DrainState {
  /** The history length when the run began draining; undefined while it is not draining. */
  since?: number;
  /** Whether this run takes work while draining ('session-drain-accepts-work'). */
  acceptsWork: boolean;
}

/** Throws the retryable refusal when a draining run takes no more work. Validators call it: it only reads. */
export function assertTakesWork(drain: DrainState, historyLength: number): void {
  if (drain.since === undefined) return;
  if (drain.acceptsWork && historyLength < drain.since + DRAIN_EXTRA_EVENTS) return;
  throw ApplicationFailure.create({ type: SESSION_CONTINUING_AS_NEW_TYPE, nonRetryable: true, message: SESSION_CONTINUING_AS_NEW });
}

/** A moment without a new update, and how many such moments a run waits for at most before it continues as new anyway. */
const QUIET_MS = 250;
const QUIET_ROUNDS = 4;

/**
 * Waits until a short moment passed in which nothing came, no update, no child's signal or end
 * (at most QUIET_ROUNDS of them): continue-as-new in the middle of a burst meets what the server
 * received while the task ran, which fails the task (`UnhandledCommand`) and aborts the updates
 * in flight.
 */
export async function untilQuiet(arrivals: () => number): Promise<void> {
  for (let round = 0; round < QUIET_ROUNDS; round++) {
    const before = arrivals();
    await sleep(QUIET_MS);
    await condition(allHandlersFinished);
    if (arrivals() === before) return;
  }
}
