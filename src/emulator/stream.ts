import type { ServerResponse } from 'node:http';

/** A streaming event before the writer numbers it. */
export type StreamEventBody = { type: string } & Record<string, unknown>;

/** Receives the events of a turn as they happen; non-streamed requests ignore them. */
export interface EventSink {
  emit(event: StreamEventBody): void;
}

export const ignoreEvents: EventSink = { emit: () => undefined };

/**
 * Writes server-sent events the way the API does: `event: <type>\ndata: <json>\n\n`, with
 * `sequence_number` right after `type` and increasing from 0.
 */
export class SseWriter implements EventSink {
  private sequence = 0;
  private started = false;

  constructor(private readonly res: ServerResponse) {}

  start(headers: Record<string, string>): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
  }

  get hasStarted(): boolean {
    return this.started;
  }

  emit(event: StreamEventBody): void {
    const { type, ...rest } = event;
    this.send({ type, sequence_number: this.sequence++, ...rest });
  }

  /** Writes an event numbered elsewhere (a background response numbers its own, to be resumed). */
  send(event: StreamEventBody & { sequence_number: number }): void {
    this.res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  end(): void {
    this.res.end();
  }
}

/** Splits text into a few word-aligned chunks, like token deltas. */
export function textChunks(text: string, targetChunks = 6): string[] {
  if (text.length === 0) return [];
  const pieces = text.match(/\S+\s*|\s+/g) ?? [text];
  const perChunk = Math.max(1, Math.ceil(pieces.length / targetChunks));
  const chunks: string[] = [];
  for (let index = 0; index < pieces.length; index += perChunk) chunks.push(pieces.slice(index, index + perChunk).join(''));
  return chunks;
}
