/**
 * Byte budgets for what goes into a Temporal payload (at most 2 MiB each, 4 MiB per gRPC
 * message). Temporal counts the bytes of the serialized JSON, so this module does too: a control
 * character is 1 character but 6 bytes as JSON (`\u0001`), a CJK character 3 bytes, an emoji 4.
 * Counting characters let six 64,000-character outputs pass 2 MiB.
 *
 * Pure code: runs in workflows (no TextEncoder promised there) and activities alike.
 */

/** Temporal's limit for one payload. */
export const PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;
/** One tool output as an activity returns it (JSON bytes). */
export const MAX_TOOL_OUTPUT_BYTES = 64_000;
/** Every tool output of one Responses call together: the activity result stays far below 2 MiB. */
export const MAX_TURN_OUTPUT_BYTES = 384 * 1024;
/** Every output a query run keeps in its call records (its result and its `history`). */
export const MAX_RUN_OUTPUT_BYTES = 384 * 1024;
/** One tool output or query text as a long-lived session keeps it. */
export const MAX_KEPT_BYTES = 4_000;
/** A call record inside a progress event (the full record is in `history`). */
export const MAX_EVENT_TEXT_BYTES = 1_000;
/** A query's text: it travels in the run's input, the model call's input and the result. */
export const MAX_QUERY_BYTES = 256 * 1024;
/** A session's child query input, and its continue-as-new carry. */
export const CHILD_INPUT_BUDGET_BYTES = 1024 * 1024;
export const CARRY_BUDGET_BYTES = 1024 * 1024;

/** UTF-8 bytes of one UTF-16 code unit sequence position; surrogate pairs count 4 for the pair. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of `value` serialized as Temporal's JSON converter does (UTF-8 of JSON.stringify). */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : utf8Bytes(json);
}

/** Bytes one character adds inside a JSON string literal. */
function jsonCharBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" \\
  if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return 2; // \b \t \n \f \r
  if (code < 0x20) return 6; // \u00XX
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return 3; // a surrogate half is counted 3 + 1 by the caller for a pair; a lone one is escaped as 6
}

/** Bytes of a string inside JSON, quotes excluded. */
export function jsonTextBytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      bytes += 4;
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff)
      bytes += 6; // a lone surrogate: JSON.stringify escapes it
    else bytes += jsonCharBytes(code);
  }
  return bytes;
}

/**
 * `text` cut so that it takes at most `maxBytes` inside a JSON payload, note included. The note
 * says how much was cut, so a reader knows the output is partial.
 */
export function clipToBytes(text: string, maxBytes: number): string {
  const total = jsonTextBytes(text);
  if (total <= maxBytes) return text;
  const note = `\n[mcpflow: cut to ${maxBytes} of ${total} bytes]`;
  const room = Math.max(0, maxBytes - jsonTextBytes(note));
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const pair = code >= 0xd800 && code <= 0xdbff && end + 1 < text.length && text.charCodeAt(end + 1) >= 0xdc00 && text.charCodeAt(end + 1) <= 0xdfff;
    const add = pair ? 4 : code >= 0xd800 && code <= 0xdfff ? 6 : jsonCharBytes(code);
    if (bytes + add > room) break;
    bytes += add;
    end += pair ? 2 : 1;
  }
  return `${text.slice(0, end)}${note}`;
}

/** Cuts each text so that together they stay within `totalBytes`, each within `eachBytes`: the small ones whole, the big ones share the rest. */
export function clipAllToBytes(texts: readonly string[], eachBytes: number, totalBytes: number): string[] {
  const sizes = texts.map(jsonTextBytes);
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  const limits = new Array<number>(texts.length).fill(0);
  let left = totalBytes;
  order.forEach(({ size, index }, position) => {
    const share = Math.floor(left / (order.length - position));
    limits[index] = Math.min(size, eachBytes, share);
    left -= limits[index]!;
  });
  return texts.map((text, index) => (sizes[index]! <= limits[index]! ? text : clipToBytes(text, limits[index]!)));
}

/** The tool outputs (`mcp_call` items) of one Responses call, within the per-output and per-turn budgets. */
export function clipCallOutputs<T extends { type: string; output?: string | null }>(items: readonly T[]): T[] {
  const calls = items.map((item, index) => ({ item, index })).filter(({ item }) => item.type === 'mcp_call' && typeof item.output === 'string');
  const clipped = clipAllToBytes(
    calls.map(({ item }) => item.output as string),
    MAX_TOOL_OUTPUT_BYTES,
    MAX_TURN_OUTPUT_BYTES,
  );
  const result = [...items];
  calls.forEach(({ item, index }, i) => {
    if (clipped[i] !== item.output) result[index] = { ...item, output: clipped[i] };
  });
  return result;
}

/**
 * What a run spends on kept outputs: once the budget is used up, later outputs are cut hard, so
 * a run with many chatty calls still returns a result under the limit.
 */
export class OutputBudget {
  private spent = 0;
  constructor(
    private readonly totalBytes = MAX_RUN_OUTPUT_BYTES,
    private readonly floorBytes = MAX_EVENT_TEXT_BYTES,
  ) {}

  keep(output: string): string {
    const room = Math.max(this.floorBytes, Math.min(MAX_TOOL_OUTPUT_BYTES, this.totalBytes - this.spent));
    const kept = clipToBytes(output, room);
    this.spent += jsonTextBytes(kept);
    return kept;
  }
}
