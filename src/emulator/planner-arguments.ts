/** The planner's arguments: each parameter of the chosen tool filled from the question and the tool's JSON Schema. */
import { concepts, STOPWORDS, words } from './planner-words';

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

/** The schema's parameters; a malformed entry reads as a parameter without constraints, not as an error. */
export function propertiesOf(schema: Record<string, unknown>): Record<string, Record<string, unknown>> {
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
