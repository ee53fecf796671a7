/**
 * The planner's arguments: each parameter of the chosen tool filled from the question and the
 * tool's JSON Schema — dates, times, numbers, enums, e-mail addresses, names, titles, arrays of
 * either, and objects (array items too) filled the same way, one level at a time.
 */
import { dateFromText, timeFromText, withoutDatesAndTimes } from './planner-dates';
import { emailsIn, factAbout, kindIn, namesIn, quotedIn, titleFrom } from './planner-text';
import { concepts, STOPWORDS, words } from './planner-words';

export { addDays, dateFromText, timeFromText } from './planner-dates';

export interface FillRequest {
  /** The part of the question the call answers; looked at first. */
  clause: string;
  /** The whole question; the fallback. */
  text: string;
  schema: Record<string, unknown>;
  today: string;
}

type Property = Record<string, unknown>;

/** Objects inside objects inside arrays: deep enough for real tools, bounded for odd schemas. */
const MAX_DEPTH = 4;

/** Fills the tool's parameters from the text; required ones it cannot find get a default by type. */
export function fillArguments(request: FillRequest): Record<string, unknown> {
  return fillObject(request.schema, request, 0);
}

function fillObject(schema: Property, request: FillRequest, depth: number): Record<string, unknown> {
  const required = new Set(requiredOf(schema));
  const args: Record<string, unknown> = {};
  if (depth > MAX_DEPTH) return args;
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    const found = valueFromText(name, property, request.clause, request) ?? valueFromText(name, property, request.text, request);
    if (found !== undefined && fitsPattern(found, property)) args[name] = found;
    else if (required.has(name)) args[name] = defaultFor(name, property, request, depth);
  }
  return args;
}

function typeOf(property: Property): string {
  const type = property['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return String(type.find((t) => t !== 'null') ?? 'string');
  if (Array.isArray(property['enum'])) return typeof property['enum'][0] === 'number' ? 'number' : 'string';
  if (isRecord(property['properties'])) return 'object';
  if (isRecord(property['items'])) return 'array';
  return 'string';
}

const LOCATION_PARAM = /location|city|place|town|country|region|address|where/i;
const DATE_PARAM = /date|^day$|when/i;
const TIME_PARAM = /^time$|_time$|[a-z]Time$|^at$|^hour$|^(?:start|end)s?$/;
const EMAIL_PARAM = /e-?mail|attendee|participant|invitee|recipient|guest|^cc$/i;
const NAME_PARAM = /^(?:names?|entity_?names?|entityNames?|persons?|people|who|from|source|entity)$/i;
const TARGET_PARAM = /^(?:to|target)$/i;
const TITLE_PARAM = /title|subject|summary|^label$|^name$/i;
const KIND_PARAM = /type$|kind$|category$/i;
const FACT_PARAM = /observation|contents?$|facts?$|notes?$|description/i;
const REPO_PARAM = /repo/i;
const SQL_PARAM = /^sql$|sql_?query|^statement$/i;

function describedAs(property: Property): string {
  return typeof property['description'] === 'string' ? property['description'] : '';
}

function valueFromText(name: string, property: Property, text: string, request: FillRequest): unknown {
  const type = typeOf(property);
  const description = describedAs(property);
  const enumValues = Array.isArray(property['enum']) ? property['enum'] : undefined;
  if (enumValues) {
    const asked = new Set(words(text));
    return enumValues.find((value) => typeof value === 'string' && words(value).some((word) => asked.has(word)));
  }
  switch (type) {
    case 'integer':
    case 'number':
      return numberFromText(name, property, text, type);
    case 'array':
      return arrayFromText(name, property, text, request);
    case 'string':
      return stringFromText(name, property, text, request, description);
    default:
      return undefined;
  }
}

function stringFromText(name: string, property: Property, text: string, request: FillRequest, description: string): string | undefined {
  const format = property['format'];
  if (format === 'date-time') {
    const date = dateFromText(text, request.today);
    const time = timeFromText(text);
    return date || time ? `${date ?? request.today}T${time ?? '09:00'}:00Z` : undefined;
  }
  if (format === 'date' || DATE_PARAM.test(name)) return dateFromText(text, request.today);
  if (format === 'time' || TIME_PARAM.test(name)) {
    const time = timeFromText(text);
    return time && format === 'time' ? `${time}:00` : time;
  }
  if (format === 'email' || EMAIL_PARAM.test(name)) return emailsIn(text)[0];
  if (LOCATION_PARAM.test(name) || LOCATION_PARAM.test(description)) return placeFromText(text);
  if (REPO_PARAM.test(name)) return /\b[\w.-]+\/[\w.-]+\b/.exec(text)?.[0];
  if (SQL_PARAM.test(name) || /\bSQL\b/.test(description)) return /\bselect\b[\s\S]*/i.exec(text)?.[0]?.trim();
  if (TARGET_PARAM.test(name)) return emailsIn(text)[0] ?? namesIn(text)[1];
  if (NAME_PARAM.test(name)) return quotedIn(text)[0] ?? namesIn(text)[0];
  if (/relation/i.test(name)) return relationIn(text);
  if (KIND_PARAM.test(name)) return kindIn(text);
  return undefined;
}

/** "Ada Lovelace worked with Charles Babbage" → "worked_with": the words between the first two names. */
function relationIn(text: string): string | undefined {
  const [first, second] = namesIn(text);
  if (!first || !second) return undefined;
  const between = text
    .slice(text.indexOf(first) + first.length, text.indexOf(second))
    .trim()
    .toLowerCase();
  const relation = between
    .split(/\s+/)
    .filter((word) => /^[a-z]+$/.test(word))
    .join('_');
  return relation || undefined;
}

/** A number next to the parameter's own unit ("45 minutes" for duration_minutes), else the first quantity. */
function numberFromText(name: string, property: Property, text: string, type: string): number | undefined {
  const units = new Set(words(name));
  const matches = [...withoutDatesAndTimes(text).matchAll(/(-?\d+(?:\.\d+)?)\s*-?\s*([a-z]+)?/gi)];
  const match = matches.find((m) => m[2] !== undefined && words(m[2]).some((unit) => units.has(unit))) ?? matches[0];
  if (!match) return undefined;
  const value = type === 'integer' ? Math.trunc(Number(match[1])) : Number(match[1]);
  return clamp(value, property);
}

/** Items found in the text: e-mail addresses, names, dates; objects are one item filled from the text. */
function arrayFromText(name: string, property: Property, text: string, request: FillRequest): unknown[] | undefined {
  const items = isRecord(property['items']) ? property['items'] : {};
  const itemType = typeOf(items);
  const hint = `${name} ${describedAs(property)} ${describedAs(items)}`;
  if (itemType === 'object') return undefined; // built in defaultFor: one object from the whole question
  if (itemType === 'string') {
    if (items['format'] === 'email' || EMAIL_PARAM.test(name) || /e-?mail/i.test(hint)) return nonEmpty(emailsIn(text));
    if (items['format'] === 'date' || DATE_PARAM.test(name)) return nonEmpty([dateFromText(text, request.today)].filter((d): d is string => d !== undefined));
    if (NAME_PARAM.test(name) || /\bnames?\b/i.test(hint)) return nonEmpty(quotedIn(text).length ? quotedIn(text) : namesIn(text));
    if (FACT_PARAM.test(name)) {
      const fact = namesIn(text)
        .map((who) => factAbout(who, text))
        .find((found) => found !== undefined);
      return fact ? [fact] : undefined;
    }
  }
  return undefined;
}

function defaultFor(name: string, property: Property, request: FillRequest, depth: number): unknown {
  if ('default' in property) return property['default'];
  const enumValues = Array.isArray(property['enum']) ? property['enum'] : undefined;
  if (enumValues && enumValues.length > 0) return enumValues[0];
  const type = typeOf(property);
  const description = describedAs(property);
  switch (type) {
    case 'integer':
    case 'number':
      return clamp(1, property);
    case 'boolean':
      return false;
    case 'array':
      return [defaultItem(name, property, request, depth)];
    case 'object':
      return fillObject(property, request, depth + 1);
    default:
      if (property['format'] === 'date-time') return `${request.today}T09:00:00Z`;
      if (property['format'] === 'date' || DATE_PARAM.test(name)) return request.today;
      if (property['format'] === 'time') return '09:00:00';
      if (TIME_PARAM.test(name)) return '09:00';
      if (property['format'] === 'email' || EMAIL_PARAM.test(name)) return 'someone@example.com';
      if (LOCATION_PARAM.test(name) || LOCATION_PARAM.test(description)) return 'London';
      if (SQL_PARAM.test(name) || /\bSQL\b/.test(description)) return guessSql(request.text, description);
      if (KIND_PARAM.test(name)) return 'entity';
      if (NAME_PARAM.test(name) || TARGET_PARAM.test(name)) return namesIn(request.text)[0] ?? titleFrom(request.clause);
      if (TITLE_PARAM.test(name)) return titleFrom(request.clause);
      return request.clause;
  }
}

/** A required list never goes out empty: one item built like a parameter of the item's type. */
function defaultItem(name: string, property: Property, request: FillRequest, depth: number): unknown {
  const items = isRecord(property['items']) ? property['items'] : {};
  if (typeOf(items) === 'object') return fillObject(items, request, depth + 1);
  const itemName = name.replace(/ies$/, 'y').replace(/s$/, '');
  return valueFromText(itemName, items, request.clause, request) ?? defaultFor(itemName, items, request, depth + 1);
}

function nonEmpty<T>(values: T[]): T[] | undefined {
  return values.length > 0 ? values : undefined;
}

/** A value the schema's own `pattern` refuses is not used: the default (which may fit) is tried instead. */
function fitsPattern(value: unknown, property: Property): boolean {
  const pattern = property['pattern'];
  if (typeof value !== 'string' || typeof pattern !== 'string') return true;
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

function clamp(value: number, property: Property): number {
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

function guessSql(text: string, description: string): string {
  const asked = words(text).filter((word) => !STOPWORDS.has(word));
  const described = new Set(words(description));
  const table = asked.find((word) => described.has(word)) ?? asked.find((word) => concepts(word).includes('customer'));
  const from = table ? `${table}s` : 'customers';
  return /\bhow many\b|\bcount\b|\bnumber of\b/i.test(text) ? `SELECT COUNT(*) FROM ${from}` : `SELECT * FROM ${from} LIMIT 10`;
}

/** The schema's parameters; a malformed entry reads as a parameter without constraints, not as an error. */
export function propertiesOf(schema: Record<string, unknown>): Record<string, Property> {
  const properties = schema['properties'];
  if (!isRecord(properties)) return {};
  const result: Record<string, Property> = {};
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
