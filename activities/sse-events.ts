/**
 * Server-sent events read in linear time, with one event's size capped before it is parsed.
 *
 * Why not the `openai` client's own stream: its decoder joins every chunk onto the bytes of the
 * event so far and scans them again from the start (openai 6.49, internal/decoders/line.js and
 * core/streaming.js), so one big event costs time quadratic in its size. Measured on loopback: a
 * 5 MB event took 1.2 s, a 20 MB one 17.6 s; a 50 MB tool output (which arrives twice: in its
 * `output_item.done` and in `response.completed`) outlived the call's timeout and the turn,
 * with its tools, was run again 3–4 times. Here each byte is looked at once, an event past the
 * cap is refused as soon as it passes it (nothing of it parsed, the request aborted), and the
 * reader yields to the event loop every few milliseconds so heartbeats keep flowing while a
 * large stream is read.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { McpflowError } from '../src/core/mcpflow-error';

export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * 8 Mi characters (UTF-16 units: at most the bytes on the wire): what mcpflow keeps of one turn's
 * tool outputs is 384 KiB (src/core/payload-size.ts), so an event twenty times that is still read
 * and clipped; parsing 8 MiB of JSON takes tens of ms.
 */
export const MAX_SSE_EVENT_CHARS = 8 * 1024 * 1024;

/** Work done between two turns of the event loop (the heartbeat timer needs to run). */
const MAX_BUSY_MS = 20;

export class SseEventTooLargeError extends McpflowError {
  constructor(readonly limitChars: number) {
    super(`the Responses stream sent an event longer than ${limitChars} characters (a tool output that large is not read); it was refused before parsing`);
  }
}

export async function* readSseEvents(body: ReadableStream<Uint8Array>, maxEventChars = MAX_SSE_EVENT_CHARS): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser(maxEventChars);
  let finished = false;
  let busySince = performance.now();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
      if (performance.now() - busySince > MAX_BUSY_MS) {
        await yieldToEventLoop();
        busySince = performance.now();
      }
    }
    yield* parser.push(`${decoder.decode()}\n\n`);
    finished = true;
  } finally {
    // Stopped early (an error, a refused event, the consumer left): the rest is not downloaded.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The SSE line grammar (WHATWG HTML, "event stream interpretation"): fields `event` and `data`, comments, CR/LF/CRLF. */
export class SseParser {
  /** Pieces of the line not yet ended (kept apart: joining at every chunk is what made the SDK quadratic). */
  private partial: string[] = [];
  private data: string[] = [];
  private event: string | null = null;
  /** Characters of the event being read: its lines so far and the line not yet ended. */
  private eventChars = 0;
  private afterCarriageReturn = false;

  constructor(private readonly maxEventChars: number) {}

  /** Feeds decoded text and returns the events it completed. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.afterCarriageReturn && text.startsWith('\n')) start = 1;
    this.afterCarriageReturn = false;
    for (let index = start; index < text.length; index++) {
      const char = text.charCodeAt(index);
      if (char !== 0x0a && char !== 0x0d) continue;
      const line = this.partial.length ? this.partial.join('') + text.slice(start, index) : text.slice(start, index);
      this.partial = [];
      this.eventChars += index - start;
      if (this.eventChars > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
      const event = this.line(line);
      if (event) events.push(event);
      if (char === 0x0d) {
        if (index + 1 === text.length) this.afterCarriageReturn = true;
        else if (text.charCodeAt(index + 1) === 0x0a) index++;
      }
      start = index + 1;
    }
    if (start < text.length) {
      this.partial.push(text.slice(start));
      this.eventChars += text.length - start;
    }
    // The event still open, before the next text arrives.
    if (this.eventChars > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.data.length ? { event: this.event, data: this.data.join('\n') } : undefined;
    this.data = [];
    this.event = null;
    this.eventChars = 0;
    return event;
  }
}
