/**
 * Runs a measurement with a deadline: when it passes, every client call in flight on the stack's
 * connection is aborted (so nothing keeps retrying into a connection about to close) and the
 * measurement fails with the worker's last words, instead of waiting forever for a run that a
 * broken worker never finishes. A measurement that fails on its own has its calls aborted too:
 * its other lanes must not run on into the next phase.
 */
import { setMaxListeners } from 'node:events';
import type { Stack } from './stack';

/** How long to let aborted calls settle before the caller tears the stack down. */
const SETTLE_MS = 2_000;

export async function withDeadline<T>(stack: Stack, ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  const abort = new AbortController();
  // Every gRPC call in flight listens on this one signal.
  setMaxListeners(0, abort.signal);
  let timer: NodeJS.Timeout | undefined;
  const running = stack.connection.withAbortSignal(abort.signal, fn);
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s; the worker's last output:\n${stack.worker.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    abort.abort();
    await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, SETTLE_MS))]);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
