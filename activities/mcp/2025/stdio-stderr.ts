/**
 * A stdio server's stderr, read line by line with bounded memory. readline keeps a line until its
 * newline comes: a program writing hundreds of megabytes without one grew the worker by as much,
 * then crashed it (`RangeError: Invalid string length`, thrown where nothing could catch it).
 * Here a line keeps at most MAX_LINE_BYTES; the rest is counted and dropped. The log gets at most
 * LINES_PER_WINDOW lines per window, then one line that says how many were left out.
 */
import type { Readable } from 'node:stream';

/** Bytes of one line kept for the log (a little more than the 2,000 characters printed). */
const MAX_LINE_BYTES = 8 * 1024;
export const MAX_LINE_CHARS = 2_000;
const LINES_PER_WINDOW = 50;
const WINDOW_MS = 10_000;

export interface StderrSink {
  /** Applied to a line before it is cut to MAX_LINE_CHARS, so that no part of a secret survives the cut. */
  redact(text: string): string;
  line(text: string): void;
  /** Something went wrong with the pipe itself; the program's own fate is learned from its exit. */
  error(error: Error): void;
}

/** Reads `stream` until it ends, giving `sink` one bounded, rate-limited line at a time. */
export function readStderr(stream: Readable, sink: StderrSink, now: () => number = Date.now): void {
  let parts: Buffer[] = [];
  let kept = 0;
  let cut = 0;
  let windowStart = now();
  let logged = 0;
  let skipped = 0;

  const emit = (text: string) => {
    const time = now();
    if (time - windowStart >= WINDOW_MS) {
      if (skipped) sink.line(`(${skipped} more stderr lines in ${Math.round((time - windowStart) / 1000)} s not logged)`);
      windowStart = time;
      logged = 0;
      skipped = 0;
    }
    if (logged >= LINES_PER_WINDOW) {
      skipped++;
      return;
    }
    logged++;
    sink.line(text);
  };

  const endLine = () => {
    let text = sink.redact(Buffer.concat(parts, kept).toString('utf8').replace(/\r$/, ''));
    const over = Math.max(0, text.length - MAX_LINE_CHARS);
    if (over || cut) text = `${text.slice(0, MAX_LINE_CHARS)}… (line cut: ${cut ? `${cut + over} more bytes` : `${over} more characters`})`;
    parts = [];
    kept = 0;
    cut = 0;
    emit(text);
  };

  const take = (piece: Buffer) => {
    const room = MAX_LINE_BYTES - kept;
    if (piece.length <= room) {
      parts.push(piece);
      kept += piece.length;
    } else {
      if (room > 0) parts.push(piece.subarray(0, room));
      kept += Math.max(0, room);
      cut += piece.length - Math.max(0, room);
    }
  };

  stream.on('data', (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10)) {
      take(data.subarray(0, newline));
      endLine();
      data = data.subarray(newline + 1);
    }
    if (data.length) take(data);
  });
  stream.on('end', () => {
    if (kept || cut) endLine();
    if (skipped) sink.line(`(${skipped} more stderr lines not logged)`);
    skipped = 0;
  });
  stream.on('error', (error) => sink.error(error));
}
