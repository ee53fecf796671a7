/** The bench's progress lines, on stderr with the seconds since it started (stdout gets the report). */
const started = performance.now();

export function log(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

/** Milliseconds since the bench process started measuring. */
export function elapsedMs(): number {
  return performance.now() - started;
}
