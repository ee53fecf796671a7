/**
 * The emulator's "model": a deterministic planner. Pure functions only (no I/O, no clock), so the
 * same question and the same tools always give the same calls and the same answer.
 *
 * It picks tools by matching the words of the question against each tool's name, description and
 * parameter names, fills arguments from the text and the tool's JSON Schema, and writes an answer
 * that quotes the tool outputs (planner-arguments.ts, planner-answer.ts).
 */
import { fillArguments, propertiesOf } from './planner-arguments';
import { concepts, STOPWORDS, words } from './planner-words';

export const DEFAULT_TODAY = '2026-11-26';

export interface PlannerTool {
  kind: 'mcp' | 'function';
  /** server_label, for MCP tools. */
  server?: string;
  name: string;
  description?: string | null;
  inputSchema: Record<string, unknown>;
}

export interface PlannedCall {
  kind: 'mcp' | 'function';
  server?: string;
  tool: string;
  arguments: Record<string, unknown>;
}

export interface PlanRequest {
  text: string;
  tools: readonly PlannerTool[];
  /** ISO date (YYYY-MM-DD) that "today" means. */
  today?: string;
}

/** How well a piece of the question matches a tool: name words count most. */
export function scoreTool(text: string, tool: PlannerTool): number {
  const nameWords = new Set(words(tool.name));
  const descriptionWords = new Set(words(tool.description ?? ''));
  const parameterWords = new Set(Object.keys(propertiesOf(tool.inputSchema)).flatMap(words));
  const asked = new Set(words(text).filter((word) => !STOPWORDS.has(word)));
  let score = 0;
  for (const word of asked) {
    const meant = concepts(word);
    if (meant.some((concept) => nameWords.has(concept))) score += 3;
    else if (meant.some((concept) => descriptionWords.has(concept))) score += 1;
    else if (meant.some((concept) => parameterWords.has(concept))) score += 1;
  }
  return score;
}

/** Splits a question into the parts that may each ask for a different tool. */
export function clausesOf(text: string): string[] {
  return text
    .split(/\?|;|,|\.(?=\s|$)|\n|\band\b|\balso\b|\bthen\b/i)
    .map((clause) => clause.trim())
    .filter((clause) => clause.length > 0);
}

/** Chooses the calls that answer the question: the best tool for each clause, without duplicates. */
export function planCalls(request: PlanRequest): PlannedCall[] {
  const today = request.today ?? DEFAULT_TODAY;
  const calls: PlannedCall[] = [];
  const seen = new Set<string>();
  for (const clause of clausesOf(request.text)) {
    let best: { tool: PlannerTool; score: number } | undefined;
    for (const tool of request.tools) {
      const score = scoreTool(clause, tool);
      if (score > 0 && (!best || score > best.score)) best = { tool, score };
    }
    if (!best) continue;
    const args = fillArguments({ clause, text: request.text, schema: best.tool.inputSchema, today });
    const key = `${best.tool.server ?? ''}/${best.tool.name}/${JSON.stringify(args)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    calls.push({
      kind: best.tool.kind,
      ...(best.tool.server !== undefined ? { server: best.tool.server } : {}),
      tool: best.tool.name,
      arguments: args,
    });
  }
  return calls;
}
