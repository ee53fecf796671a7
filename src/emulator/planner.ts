/**
 * The emulator's "model": a deterministic planner. Pure functions only (no I/O, no clock), so the
 * same question and the same tools always give the same calls and the same answer.
 *
 * It picks tools by matching the words of the question against each tool's name, description and
 * parameter names, fills arguments from the text and the tool's JSON Schema, and writes an answer
 * that quotes the tool outputs.
 */

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

/** The words that make a question about a tool; each group is matched as one concept. */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['meeting', 'event', 'calendar', 'schedule', 'appointment', 'agenda'],
  ['weather', 'temperature', 'rain', 'sunny', 'wind', 'humidity'],
  ['forecast', 'outlook'],
  ['customer', 'database', 'query', 'sql', 'table', 'record', 'order'],
  ['echo', 'repeat'],
];

const STOPWORDS = new Set(
  (
    'a an the and or of to in on at for by with from about is are was were be been do does did have has had i me my ' +
    'you your we our it its this that these those what whats what\'s which who how when where there any some get ' +
    'list tell please can could would should will today tomorrow yesterday s t if then than so as up out all ' +
    'also just give show find need want know let into more most much many'
  ).split(' '),
);

export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
    .map(singular);
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function concepts(word: string): string[] {
  const group = SYNONYM_GROUPS.find((candidates) => candidates.includes(word));
  return group ? [...group] : [word];
}

function propertiesOf(schema: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const properties = schema['properties'];
  if (!isRecord(properties)) return {};
  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(properties)) result[name] = isRecord(value) ? value : {};
  return result;
}

function requiredOf(schema: Record<string, unknown>): string[] {
  const required = schema['required'];
  return Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

// ---------------------------------------------------------------------------------------------
// Arguments

export interface FillRequest {
  /** The part of the question the call answers; looked at first. */
  clause: string;
  /** The whole question; the fallback. */
  text: string;
  schema: Record<string, unknown>;
  today: string;
}

/** Fills the tool's parameters from the text; required ones it cannot find get a default by type. */
export function fillArguments(request: FillRequest): Record<string, unknown> {
  const properties = propertiesOf(request.schema);
  const required = new Set(requiredOf(request.schema));
  const args: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const found = valueFromText(name, property, request.clause, request) ?? valueFromText(name, property, request.text, request);
    if (found !== undefined) args[name] = found;
    else if (required.has(name)) args[name] = defaultFor(name, property, request);
  }
  return args;
}

function typeOf(property: Record<string, unknown>): string {
  const type = property['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return String(type.find((t) => t !== 'null') ?? 'string');
  if (Array.isArray(property['enum'])) return typeof property['enum'][0] === 'number' ? 'number' : 'string';
  return 'string';
}

const LOCATION_PARAM = /location|city|place|town|country|region|address|where/i;
const DATE_PARAM = /date|^day$|when/i;
const REPO_PARAM = /repo/i;
const SQL_PARAM = /^sql$|sql_?query|^statement$/i;
const FREE_TEXT_PARAM = /query|question|prompt|text|message|input|^q$|search|topic|content|subject/i;

function valueFromText(
  name: string,
  property: Record<string, unknown>,
  text: string,
  request: FillRequest,
): unknown {
  const type = typeOf(property);
  const description = typeof property['description'] === 'string' ? property['description'] : '';
  const enumValues = Array.isArray(property['enum']) ? property['enum'] : undefined;
  if (enumValues) {
    const asked = new Set(words(text));
    return enumValues.find((value) => typeof value === 'string' && words(value).some((word) => asked.has(word)));
  }
  if (type === 'integer' || type === 'number') {
    const match = /-?\d+(?:\.\d+)?/.exec(text.replace(/\d{4}-\d{2}-\d{2}/g, ''));
    if (!match) return undefined;
    const value = type === 'integer' ? Math.trunc(Number(match[0])) : Number(match[0]);
    return clamp(value, property);
  }
  if (type === 'boolean') return undefined;
  if (type !== 'string') return undefined;
  if (property['format'] === 'date' || DATE_PARAM.test(name)) return dateFromText(text, request.today);
  if (LOCATION_PARAM.test(name) || LOCATION_PARAM.test(description)) return placeFromText(text);
  if (REPO_PARAM.test(name)) return /\b[\w.-]+\/[\w.-]+\b/.exec(text)?.[0];
  if (SQL_PARAM.test(name) || /\bSQL\b/.test(description)) return /\bselect\b[\s\S]*/i.exec(text)?.[0]?.trim();
  return undefined;
}

function defaultFor(name: string, property: Record<string, unknown>, request: FillRequest): unknown {
  if ('default' in property) return property['default'];
  const enumValues = Array.isArray(property['enum']) ? property['enum'] : undefined;
  if (enumValues && enumValues.length > 0) return enumValues[0];
  const type = typeOf(property);
  const description = typeof property['description'] === 'string' ? property['description'] : '';
  switch (type) {
    case 'integer':
    case 'number':
      return clamp(1, property);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      if (property['format'] === 'date' || DATE_PARAM.test(name)) return request.today;
      if (LOCATION_PARAM.test(name) || LOCATION_PARAM.test(description)) return 'London';
      if (SQL_PARAM.test(name) || /\bSQL\b/.test(description)) return guessSql(request.text, description);
      if (FREE_TEXT_PARAM.test(name)) return request.clause;
      return request.clause;
  }
}

function clamp(value: number, property: Record<string, unknown>): number {
  const minimum = typeof property['minimum'] === 'number' ? property['minimum'] : undefined;
  const maximum = typeof property['maximum'] === 'number' ? property['maximum'] : undefined;
  let result = value;
  if (minimum !== undefined && result < minimum) result = minimum;
  if (maximum !== undefined && result > maximum) result = maximum;
  return result;
}

/** "in Paris", "for New York" → the capitalized place name after the preposition. */
export function placeFromText(text: string): string | undefined {
  const match = /\b(?:in|for|at|near)\s+((?:[A-Z][\p{L}'-]*)(?:\s+[A-Z][\p{L}'-]*)*)/u.exec(text);
  return match?.[1];
}

/** An explicit ISO date, or today / tomorrow / yesterday relative to `today`. */
export function dateFromText(text: string, today: string): string | undefined {
  const explicit = /\b\d{4}-\d{2}-\d{2}\b/.exec(text);
  if (explicit) return explicit[0];
  if (/\btomorrow\b/i.test(text)) return addDays(today, 1);
  if (/\byesterday\b/i.test(text)) return addDays(today, -1);
  if (/\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b/i.test(text)) return today;
  return undefined;
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function guessSql(text: string, description: string): string {
  const asked = words(text).filter((word) => !STOPWORDS.has(word));
  const described = new Set(words(description));
  const table = asked.find((word) => described.has(word)) ?? asked.find((word) => concepts(word).includes('customer'));
  const from = table ? `${table}s` : 'customers';
  return /\bhow many\b|\bcount\b|\bnumber of\b/i.test(text) ? `SELECT COUNT(*) FROM ${from}` : `SELECT * FROM ${from} LIMIT 10`;
}

// ---------------------------------------------------------------------------------------------
// Answer

export type ToolOutcome =
  | { kind: 'mcp' | 'function'; server?: string; tool: string; status: 'ok'; output: string }
  | { kind: 'mcp' | 'function'; server?: string; tool: string; status: 'error'; error: string }
  | { kind: 'mcp'; server?: string; tool: string; status: 'denied'; reason?: string | null };

const MAX_QUOTE = 600;

/** Writes the final answer from the tool outcomes, quoting outputs and naming errors and denials. */
export function composeAnswer(question: string, outcomes: readonly ToolOutcome[]): string {
  if (outcomes.length === 0) {
    const asked = question.trim();
    return asked
      ? `You asked: "${quote(asked, 200)}". None of the available tools fits this question, so I am answering directly: I have no tool data for it.`
      : 'Hello! How can I help you today?';
  }
  const lines = outcomes.map(describeOutcome);
  const successes = outcomes.filter((outcome) => outcome.status === 'ok').length;
  const intro =
    successes === outcomes.length
      ? 'Here is what I found:'
      : successes === 0
        ? 'I could not get an answer from the tools:'
        : 'Here is what I found (some tool calls did not succeed):';
  return [intro, ...lines.map((line) => `- ${line}`)].join('\n');
}

function where(outcome: ToolOutcome): string {
  return outcome.server ? `${outcome.tool} (${outcome.server})` : outcome.tool;
}

function describeOutcome(outcome: ToolOutcome): string {
  switch (outcome.status) {
    case 'ok':
      return `${where(outcome)}: ${quote(summarizeOutput(outcome.output), MAX_QUOTE)}`;
    case 'error':
      return `${where(outcome)} failed with an error: ${quote(outcome.error, MAX_QUOTE)}`;
    case 'denied':
      return outcome.reason
        ? `I did not call ${where(outcome)} because the request was denied. Reason: ${outcome.reason}`
        : `I did not call ${where(outcome)} because the request was denied.`;
  }
}

/**
 * A tool's JSON output read the way a model would sum it up: scalar fields as "key value",
 * lists as their count and the text of each item (ids left out). Other text stays as it is.
 */
export function summarizeOutput(output: string): string {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return output;
  }
  if (typeof value !== 'object' || value === null) return output;
  return describeValue(value);
}

function describeValue(value: object): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => (typeof item === 'object' && item !== null ? itemText(item) : String(item)));
    return `${value.length} item(s)${items.length ? `: ${items.join('; ')}` : ''}`;
  }
  return Object.entries(value)
    .filter(([key]) => key !== 'id')
    .map(([key, field]) => (typeof field === 'object' && field !== null ? `${key.replace(/_/g, ' ')} ${describeValue(field)}` : `${key.replace(/_/g, ' ')} ${String(field)}`))
    .join(', ');
}

/** The words of a list item: its strings and numbers, ids left out. */
function itemText(item: object): string {
  return Object.entries(item)
    .filter(([key, field]) => key !== 'id' && (typeof field === 'string' || typeof field === 'number'))
    .map(([, field]) => String(field))
    .join(' ');
}

function quote(text: string, limit: number): string {
  const flat = text.trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}
