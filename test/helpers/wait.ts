/**
 * Waiting in tests: poll until something holds, or fail naming what never happened. The one
 * definition; a test only chooses how long it will wait (a bound for a broken run, never a
 * timed assertion).
 */

/** What was awaited: a text, or a function of the last value read (for messages that show state). */
export type WaitingFor<T> = string | ((last: T) => string);

export interface WaitOptions {
  /** How long before the test fails (default 30 s). */
  timeoutMs?: number;
  /** Pause between reads (default 100 ms). */
  intervalMs?: number;
}

/**
 * Reads until `ok` accepts the value and returns it. On timeout it fails with `what`: a text
 * gets the last value appended as JSON, a function says it all itself.
 */
export async function waitFor<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: WaitingFor<T>, options: WaitOptions | number = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      const said = typeof what === 'function' ? what(value) : `${what}; last value: ${shown(value)}`;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function shown(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item));
  } catch {
    return String(value);
  }
}

/** Waits until `check` is true (a condition with nothing worth showing but `what`). */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), options: WaitOptions | number = {}): Promise<void> {
  await waitFor(
    check,
    (done) => done,
    () => (typeof what === 'function' ? what() : what),
    options,
  );
}
