/** Moved to ./timing.ts, with the rest of the invariant; kept for imports not yet moved. */
export { HEARTBEAT_TIMEOUT_MS, KEEP_ALIVE_HEARTBEAT_MS, heartbeatTimeoutFor } from './timing';
