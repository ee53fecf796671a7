/**
 * `structuredContent` of a direct call: kept in the call record beside the text the model reads,
 * checked against the tool's `outputSchema` when it has one. A mismatch is noted in the record,
 * never fatal: the call ran, and its text answer is still good for the model.
 *
 * The SDK's own check (in `Client.callTool`) throws on a mismatch, and only on a connection that
 * listed the tools; mcpflow calls `tools/call` itself and checks here, the same way on every
 * connection. Output schemas are remembered per client (a pooled connection lists once).
 */
import { createHash } from 'node:crypto';
import type { Client, RequestOptions } from '@modelcontextprotocol/client';
import { clipToBytes, jsonBytes, MAX_KEPT_BYTES } from '../../src/core/payload-size';
import { validateArguments } from '../../src/core/validation';
import { redactDeep } from '../secrets';

/**
 * One call's structured content in its record: as much as a session keeps of a text output
 * (records travel in query results, session history and continue-as-new carries). The text
 * output, with its own 64,000-byte budget, still holds the whole answer.
 */
export const MAX_STRUCTURED_CONTENT_BYTES = MAX_KEPT_BYTES;

type Schema = Record<string, unknown>;
/** Tool name → its output schema, or null when it has none. */
const outputSchemas = new WeakMap<Client, Map<string, Schema | null>>();

/** Keeps the output schemas of listed tools, for the calls that follow on the same client. */
export function rememberOutputSchemas(client: Client, tools: readonly { name: string; outputSchema?: unknown }[]): void {
  const known = outputSchemas.get(client) ?? new Map<string, Schema | null>();
  outputSchemas.set(client, known);
  for (const tool of tools) known.set(tool.name, isSchema(tool.outputSchema) ? tool.outputSchema : null);
}

/** The tool's output schema; lists the tools once on a client that has not listed them yet. */
export async function outputSchemaOf(client: Client, tool: string, options: RequestOptions): Promise<Schema | undefined> {
  let known = outputSchemas.get(client);
  if (!known?.has(tool)) {
    let cursor: string | undefined;
    do {
      // Page by page like ./index.ts's listToolsOf (the SDK's aggregating listTools() caps the pages).
      const page = await client.request({ method: 'tools/list', params: cursor ? { cursor } : undefined }, options);
      rememberOutputSchemas(client, page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    known = outputSchemas.get(client)!;
    if (!known.has(tool)) known.set(tool, null);
  }
  return known.get(tool) ?? undefined;
}

export interface StructuredOutcome {
  structured_content?: Record<string, unknown>;
  /** Why the structured content does not match the output schema, or why it was left out. */
  structured_content_error?: string;
}

/** The record's view of a result's structured content: redacted, checked, within its byte budget. */
export function structuredOutcome(structured: unknown, schema: Schema | undefined, secrets: readonly string[]): StructuredOutcome {
  if (structured === undefined || structured === null) return {};
  if (typeof structured !== 'object' || Array.isArray(structured)) return { structured_content_error: 'structuredContent is not a JSON object' };
  const content = redactDeep(structured as Record<string, unknown>, secrets);
  const outcome: StructuredOutcome = {};
  const problem = schema ? schemaProblem(schema, content) : undefined;
  if (problem) outcome.structured_content_error = problem;
  const bytes = jsonBytes(content);
  if (bytes > MAX_STRUCTURED_CONTENT_BYTES) {
    const note = `structuredContent of ${bytes} bytes left out of the record (at most ${MAX_STRUCTURED_CONTENT_BYTES}); the text output holds the answer`;
    outcome.structured_content_error = problem ? `${problem}; ${note}` : note;
  } else {
    outcome.structured_content = content;
  }
  return outcome;
}

/** A result with structured content only (no text blocks): the model reads its JSON. */
export function textOfStructured(structured: unknown, maxBytes: number): string {
  return clipToBytes(JSON.stringify(structured) ?? '', maxBytes);
}

function schemaProblem(schema: Schema, content: Record<string, unknown>): string | undefined {
  try {
    const key = `output:${createHash('sha256').update(JSON.stringify(schema)).digest('hex')}`;
    const validation = validateArguments({ input_schema: schema, definition_hash: key }, content);
    return validation.valid ? undefined : clipToBytes(`structuredContent does not match the tool's outputSchema: ${validation.errors.join('; ')}`, 2_000);
  } catch (error) {
    return `the tool's outputSchema cannot be used: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function isSchema(value: unknown): value is Schema {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
