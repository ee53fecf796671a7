/**
 * Size limits that keep payloads under Temporal's 2 MiB per payload: a chatty tool must not make
 * an activity result or a session's state too big to record.
 */

/** One tool output as an activity returns it. */
export const MAX_TOOL_OUTPUT_CHARS = 64_000;
/** One tool output as a long-lived session keeps it (the full one stays in the query's history). */
export const MAX_KEPT_OUTPUT_CHARS = 2_000;

export function clipText(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}\n[mcpflow: cut at ${limit} of ${text.length} characters]` : text;
}
