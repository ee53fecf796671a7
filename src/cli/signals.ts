/** Ctrl-C, `kill` and a closed terminal: each asks a long-running command to stop and clean up. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves on the first stop signal, and stops listening for them. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  const listener = listenForStopSignals();
  return listener.received.finally(() => listener.dispose());
}

export interface StopSignalListener {
  /** Aborts on the first stop signal (its reason is the signal name). */
  signal: AbortSignal;
  /** Resolves with the first stop signal; never rejects. */
  received: Promise<NodeJS.Signals>;
  /** Stops listening; later signals get Node's default behaviour again. */
  dispose(): void;
}

/**
 * Listens from now on, so that a signal during start-up is not lost (and does not kill the
 * process with children such as the Temporal dev server still running).
 */
export function listenForStopSignals(): StopSignalListener {
  const controller = new AbortController();
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((done) => (resolve = done));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return; // a second Ctrl-C while stopping: keep stopping
    controller.abort(signal);
    resolve(signal);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    received,
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}
