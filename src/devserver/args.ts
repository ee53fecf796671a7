/** The command line of `temporal server start-dev` as mcpflow runs it. */

export const DEFAULT_DEV_SERVER_IP = '127.0.0.1';
export const DEFAULT_DEV_SERVER_PORT = 7233;
export const DEFAULT_NAMESPACE = 'default';

/** The argument list of `temporal server start-dev` for these options. */
export function devServerArgs(opts: {
  ip: string;
  port: number;
  uiPort: number | undefined;
  namespace: string;
  dbFilename: string | undefined;
  headless: boolean;
  searchAttributes: Readonly<Record<string, string>>;
  uiCodecEndpoint?: string | undefined;
  /** The HTTP API's and the metrics endpoint's ports; absent = the CLI picks free ones. */
  httpPort?: number;
  metricsPort?: number;
}): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip, '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.httpPort !== undefined) args.push('--http-port', String(opts.httpPort));
  if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort));
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (!opts.headless && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  // "default" always exists; naming it again is harmless but noisy in the CLI's output.
  if (opts.namespace !== DEFAULT_NAMESPACE) args.push('--namespace', opts.namespace);
  // WAL with normal sync: a commit no longer waits for an fsync of the whole file (SIGKILL-safe; only a power cut can lose the last commits).
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  for (const [name, type] of Object.entries(opts.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

/**
 * Measured in docs/benchmarks.md (`npm run bench -- experiments`): the dev server's single history
 * shard reads its transfer and visibility queues at 20 reads/s by default, which adds tens of ms
 * before each task reaches matching; eager activity execution hands an activity to the worker
 * that scheduled it in the same round trip. Timers (heartbeat and sticky timeouts, retry
 * intervals) fire up to `timerProcessorMaxTimeShift` (1 s) late by default, an allowance for clock
 * skew between hosts that one process does not have: a run recovered after a worker died waited
 * three such seconds (`npm run bench`, recovery inside a Responses call).
 */
const DEV_SERVER_DYNAMIC_CONFIG: Record<string, number | boolean | string> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.visibilityProcessorMaxPollRPS': 10_000,
  'system.enableActivityEagerExecution': true,
  'history.timerProcessorMaxTimeShift': '50ms',
};
