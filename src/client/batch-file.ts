/**
 * A batch file: JSONL (one object a line: `query`, optional `id`, `servers`, `mode`, `metadata`)
 * or plain text (one query a line). Checked whole before anything starts: every problem is
 * reported with its line number, and nothing runs for a file with one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ExecutionModeSchema } from '../core/defaults';
import { describeZodError } from '../core/zod-errors';
import { jsonBytes } from '../core/payload-size';
import { BatchLineSchema, LineKeySchema, MAX_LINE_BYTES, MAX_LINES, type BatchLine } from '../../workflows/batch/messages';
import { McpflowError } from '../core/mcpflow-error';

const JsonLineSchema = z.strictObject({
  query: z.string({ error: 'give "query", the question, as a string' }).trim().min(1, 'the query is empty'),
  id: LineKeySchema.optional(),
  servers: z.array(z.string().min(1)).min(1).optional(),
  mode: ExecutionModeSchema.optional(),
  metadata: z.record(z.string(), z.string().max(512)).optional(),
});

export class BatchFileError extends McpflowError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
  }
}

export interface BatchFile {
  format: 'jsonl' | 'text';
  lines: BatchLine[];
  /** sha256 of the content: the default batch id, so the same file attaches to the same batch. */
  sha256: string;
}

const MAX_PROBLEMS = 20;

/** Parses and checks a batch file against the server labels the batch will have. */
export function parseBatchFile(name: string, content: string, labels: readonly string[]): BatchFile {
  const rows = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const firstRow = rows.find((row) => row.trim() !== '');
  if (firstRow === undefined) throw new BatchFileError(name, ['the file has no queries (it is empty): write one query a line, or one JSON object a line']);
  const format = firstRow.trim().startsWith('{') ? 'jsonl' : 'text';
  const problems: string[] = [];
  const lines: BatchLine[] = [];
  const seen = new Map<string, number>();
  const known = new Set(labels);
  rows.forEach((row, index) => {
    if (problems.length >= MAX_PROBLEMS || row.trim() === '') return;
    const n = index + 1;
    const problem = (message: string) => problems.push(`line ${n}: ${message}`);
    let line: BatchLine;
    if (format === 'text') line = { n, key: `line-${n}`, query: row.trim() };
    else {
      let value: unknown;
      try {
        value = JSON.parse(row);
      } catch (error) {
        return problem(`invalid JSON (${(error as Error).message}); every line of a JSONL file is one object like {"query": "…"}`);
      }
      const parsed = JsonLineSchema.safeParse(value);
      if (!parsed.success) return problem(describeZodError(parsed.error));
      const { id, ...rest } = parsed.data;
      line = { n, key: id ?? `line-${n}`, ...rest };
    }
    const unknown = (line.servers ?? []).filter((label) => !known.has(label));
    if (unknown.length)
      return problem(
        `unknown server label ${unknown.map((label) => `"${label}"`).join(', ')}: the batch has ${labels.map((label) => `"${label}"`).join(', ') || 'no servers'} (--server label=url or the config file)`,
      );
    const earlier = seen.get(line.key);
    if (earlier !== undefined) return problem(`id "${line.key}" is also the id of line ${earlier}: ids name the lines' runs and must be unique`);
    seen.set(line.key, n);
    if (jsonBytes(line) > MAX_LINE_BYTES) return problem(`the line is ${jsonBytes(line)} bytes; at most ${MAX_LINE_BYTES}`);
    // n counts queries (blank rows skipped): pages are numbered by it; the key keeps the file's line number.
    const checked = BatchLineSchema.safeParse({ ...line, n: lines.length + 1 });
    if (!checked.success) return problem(describeZodError(checked.error));
    lines.push(checked.data);
  });
  if (lines.length > MAX_LINES) problems.push(`the file has ${lines.length} queries; a batch takes at most ${MAX_LINES}`);
  if (problems.length) throw new BatchFileError(name, problems);
  return { format, lines, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * The file's text; invalid UTF-8 is refused with its line and byte offset (a decoder would turn
 * it into U+FFFD silently, and the queries would not be what the file says).
 */
export function decodeBatchFile(name: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const hex = Buffer.from(bytes.subarray(offset, offset + 4))
      .toString('hex')
      .replace(/(..)/g, '$1 ')
      .trim();
    throw new BatchFileError(name, [
      `line ${line}: invalid UTF-8 at byte offset ${offset} (byte ${offset - lineStart + 1} of the line: ${hex}): save the file as UTF-8`,
    ]);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length and the allowed range of the second byte (no overlongs, surrogates or > U+10FFFF).
    const [length, low, high] =
      b >= 0xc2 && b <= 0xdf
        ? [2, 0x80, 0xbf]
        : b === 0xe0
          ? [3, 0xa0, 0xbf]
          : b === 0xed
            ? [3, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [3, 0x80, 0xbf]
              : b === 0xf0
                ? [4, 0x90, 0xbf]
                : b >= 0xf1 && b <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : b === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0];
    if (!length) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** The default batch id of a file: its content hash. */
export function defaultBatchId(file: BatchFile): string {
  return `mcpflow-batch-${file.sha256.slice(0, 16)}`;
}
