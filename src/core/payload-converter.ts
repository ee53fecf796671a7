/**
 * The payload converter of every mcpflow worker and client: Temporal's default one, except that a
 * payload it cannot decode (not JSON, unknown encoding, no metadata) becomes an
 * {@link UndecodablePayload} marker instead of an exception. Anyone may signal or update a
 * workflow: with the default converter one garbage payload throws before any handler runs and
 * fails every workflow task from then on. With this one the handler receives the marker, and its
 * zod guard or update validator refuses it (workflows/input.ts names it).
 *
 * Loaded by path (`payloadConverterPath`) in the worker, in the workflow sandbox and in clients,
 * so it imports only @temporalio/common.
 */
import { DefaultPayloadConverter, METADATA_ENCODING_KEY, type ConverterHint, type Payload, type SerializationContext } from '@temporalio/common';

const MARKER_KEY = 'mcpflow_undecodable_payload';

/** What a handler receives in place of a payload that could not be decoded. */
export interface UndecodablePayload {
  [MARKER_KEY]: { encoding: string; bytes: number; reason: string };
}

export function isUndecodablePayload(value: unknown): value is UndecodablePayload {
  return typeof value === 'object' && value !== null && MARKER_KEY in value;
}

/** One line for logs and refusals: which encoding, how many bytes, why. */
export function describeUndecodable(value: UndecodablePayload): string {
  const { encoding, bytes, reason } = value[MARKER_KEY];
  return `an undecodable payload (encoding ${encoding}, ${bytes} bytes: ${reason})`;
}

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!raw) return 'none';
  let text = '';
  // Metadata bytes are short; no TextDecoder needed (and none is promised in every sandbox).
  for (const byte of raw.slice(0, 64)) text += byte >= 32 && byte < 127 ? String.fromCharCode(byte) : '?';
  return text;
}

export class TolerantPayloadConverter extends DefaultPayloadConverter {
  override fromPayload<T>(payload: Payload, context?: SerializationContext, hint?: ConverterHint<T>): T {
    try {
      return super.fromPayload<T>(payload, context, hint);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 200);
      const marker: UndecodablePayload = { [MARKER_KEY]: { encoding: encodingOf(payload), bytes: payload.data?.length ?? 0, reason } };
      return marker as T;
    }
  }
}

export const payloadConverter = new TolerantPayloadConverter();
