/**
 * Bounded answers from 2025 MCP servers over HTTP. The SDK's transports read a JSON answer whole
 * and an SSE event whole before parsing it, so a server answering 700 MB would take the worker's
 * memory (as a stdio server's endless stderr line did, ./stdio-stderr.ts). A JSON answer past the
 * bound fails its request at once; an event stream is counted per event (the long-lived GET stream
 * of a session carries many small notifications), and one event past the bound ends the stream.
 * The bound is the 2026-07-28 client's (../2026/client.ts) and a little below stdio's 10 MB.
 */
import { McpflowError } from '../../../src/core/mcpflow-error';

export const MAX_MCP_ANSWER_BYTES = 8 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** A `connection` failure (activities/errors.ts), as a stdio message over the SDK's bound is. */
export class McpAnswerTooLargeError extends McpflowError {}

/** Counts the bytes of the current event: an empty line (LF, CRLF or CR line ends) ends one. */
function eventCounter(max: number): (chunk: Uint8Array) => boolean {
  let inEvent = 0;
  let lineLength = 0;
  let afterCr = false;
  return (chunk) => {
    for (const byte of chunk) {
      if (byte === LF && afterCr) {
        afterCr = false; // the LF of a CRLF: its line already ended at the CR
        continue;
      }
      afterCr = byte === CR;
      if (byte === LF || byte === CR) {
        if (lineLength === 0) inEvent = 0;
        lineLength = 0;
        continue;
      }
      lineLength++;
      if (++inEvent > max) return false;
    }
    return true;
  };
}

/** A fetch whose answers stop with McpAnswerTooLargeError past `max` bytes (an event stream: per event). */
export function boundedFetch(inner: typeof fetch, max: number = MAX_MCP_ANSWER_BYTES): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await inner(input, init);
    if (!response.body) return response;
    const stream = (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
    const declared = response.headers.get('content-length');
    if (!stream && declared !== null) {
      if (Number(declared) <= max) return response; // fetch reads at most the declared length
      await response.body.cancel().catch(() => undefined);
      throw new McpAnswerTooLargeError(`the MCP server's answer is ${declared} bytes, more than ${max}`);
    }
    let read = 0;
    const withinEvent = stream ? eventCounter(max) : undefined;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          if (withinEvent ? !withinEvent(chunk) : read > max) {
            controller.error(new McpAnswerTooLargeError(`the MCP server sent ${stream ? 'an event' : 'an answer'} of more than ${max} bytes`));
          } else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
}
