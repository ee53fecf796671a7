/**
 * How activities that wait on a server prove their worker is alive, and how soon the workflow
 * gives up on one that stopped: a worker killed inside a call is noticed within seconds, not
 * after the call's whole timeout (call_timeout_ms, 120 s by default).
 *
 * The activity beats at its start and then every KEEP_ALIVE_HEARTBEAT_MS; the SDK sends the latest
 * beat at most every min(80% of the timeout, the worker's maxHeartbeatThrottleInterval: 1 s,
 * src/worker/worker.ts), so the server sees one every second and a late one has 1 s of slack.
 * The same numbers as streamed Responses calls (activities/responses.ts, workflows/query/model.ts).
 */

/** Well inside HEARTBEAT_TIMEOUT_MS; the SDK throttles what it sends. */
export const KEEP_ALIVE_HEARTBEAT_MS = 500;

/** An activity attempt with no heartbeat for this long has lost its worker. */
export const HEARTBEAT_TIMEOUT_MS = 2_000;

/** The heartbeat timeout of an activity whose whole attempt may take `callTimeoutMs`. */
export function heartbeatTimeoutFor(callTimeoutMs: number): number {
  return Math.min(HEARTBEAT_TIMEOUT_MS, callTimeoutMs);
}
