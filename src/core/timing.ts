/**
 * How soon a run notices that its worker died, and how soon another worker takes it over: one
 * invariant, four numbers that only work together.
 *
 * An activity that waits on a server (a streamed Responses call: activities/responses-stream.ts;
 * a direct-mode MCP call or listing: activities/mcp/deadline.ts) beats at its start and then every
 * KEEP_ALIVE_HEARTBEAT_MS. The SDK sends the latest beat at most every min(80% of the heartbeat
 * timeout, the worker's maxHeartbeatThrottleInterval = HEARTBEAT_THROTTLE_MS), so the server sees
 * one every second and, with HEARTBEAT_TIMEOUT_MS, a late one has 1 s of slack (2.5 s with the
 * SDK's default 2 s throttle left 0.5 s). A worker killed inside a call is so noticed within
 * seconds, not after the call's whole timeout (call_timeout_ms, 120 s by default): 15 s made
 * recovery from a SIGKILL take 17 s; 2 s timed out calls of a worker swamped by 1,400 runs started
 * at once while the first beat still waited for the first stream event; with the 1 s throttle,
 * 1,500 runs flooding the worker retried no call (docs/benchmarks.md).
 *
 * The workflow task after the retried attempt first goes to the dead worker's sticky queue; after
 * STICKY_QUEUE_TIMEOUT_MS (default 10 s) it goes to the shared queue and another worker resumes
 * the run (recovery 11 s → 2 s at 1 s; src/worker/sticky-reset.ts skips even that wait for a
 * retried heartbeating activity).
 */

/** How often a waiting activity beats: well inside HEARTBEAT_TIMEOUT_MS; the SDK throttles what it sends. */
export const KEEP_ALIVE_HEARTBEAT_MS = 500;

/** An activity attempt with no heartbeat for this long has lost its worker. */
export const HEARTBEAT_TIMEOUT_MS = 2_000;

/** The worker's maxHeartbeatThrottleInterval: beats reach the server at least this often. */
export const HEARTBEAT_THROTTLE_MS = 1_000;

/** The worker's stickyQueueScheduleToStartTimeout: how long a dead worker's sticky task waits. */
export const STICKY_QUEUE_TIMEOUT_MS = 500;

/** The heartbeat timeout of an activity whose whole attempt may take `callTimeoutMs`. */
export function heartbeatTimeoutFor(callTimeoutMs: number): number {
  return Math.min(HEARTBEAT_TIMEOUT_MS, callTimeoutMs);
}
