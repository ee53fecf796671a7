/**
 * Background mode (`background: true` on a Responses call): the API runs the response on its
 * own and the client follows it by id (`GET /v1/responses/{id}`), so no worker waits inside the
 * call. The API keeps a background response only when it is stored (`store: true`).
 *
 * `auto` (the default) uses it when the conversation is `stored`: the turn is stored anyway, so
 * background mode costs nothing in privacy and lets a query follow its response by id through a
 * worker crash. A `stateless` conversation (`store: false`) cannot use it. `on` asks for it and
 * refuses a stateless conversation; `off` keeps the one-activity call.
 */
import { z } from 'zod';
import { ActivityFailureDetailsSchema } from './failures';

export const BackgroundModeSchema = z.enum(['auto', 'on', 'off']);
export type BackgroundMode = z.infer<typeof BackgroundModeSchema>;

/** Whether a turn runs in background mode, given whether it is stored. */
export function usesBackground(mode: BackgroundMode | undefined, stored: boolean): boolean {
  return stored && mode !== 'off';
}

/** The refusal of `on` with a conversation that stores nothing; undefined when they fit. */
export function backgroundConflict(mode: BackgroundMode | undefined, conversation: 'stored' | 'stateless'): string | undefined {
  if (mode !== 'on' || conversation === 'stored') return undefined;
  return 'background "on" needs conversation "stored" (the API runs a response in the background only when it stores it): set conversation "stored" (--conversation stored), or background "auto"';
}

/** The first wait after creating a response, doubled after each poll up to EARLY_POLL_CAP_MS. */
export const FIRST_POLL_MS = 500;
export const EARLY_POLL_CAP_MS = 5_000;
/** The longest wait between two polls. */
export const MAX_POLL_MS = 60_000;
/**
 * Past the first polls a wait is a tenth of the time the response has run so far: each poll is
 * about ten history events, and a response running for an hour is polled about 90 times in all
 * (a 60-second one about 15 times), never thousands. The answer is seen at most ~10% late.
 */
const ELAPSED_FRACTION = 10;

/** How long to wait before poll number `polls` (0-based) of a response created `elapsedMs` ago. */
export function pollDelayMs(polls: number, elapsedMs: number): number {
  const early = Math.min(EARLY_POLL_CAP_MS, FIRST_POLL_MS * 2 ** Math.min(polls, 16));
  return Math.min(MAX_POLL_MS, Math.max(early, Math.round(elapsedMs / ELAPSED_FRACTION)));
}

/**
 * The details of a background response that ended without an answer (failed, cancelled, out of
 * time). Its activity is never retried (a GET would read the same end); `retryable` says whether
 * the workflow may send the turn again, as Temporal would retry a one-activity call.
 */
export const BackgroundTurnFailureSchema = ActivityFailureDetailsSchema.extend({ background_response_ended: z.literal(true) });
export type BackgroundTurnFailure = z.infer<typeof BackgroundTurnFailureSchema>;

export function readBackgroundTurnFailure(details: readonly unknown[] | undefined | null): BackgroundTurnFailure | undefined {
  const parsed = BackgroundTurnFailureSchema.safeParse(details?.[0]);
  return parsed.success ? parsed.data : undefined;
}
