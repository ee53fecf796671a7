/**
 * Checks a request body against the official OpenAPI description (spec/responses-api.json) the
 * way the real API does, and words the first problem as the API words it: unknown fields
 * (`Unknown parameter: 'tools[0].foo'.`), wrong types, values outside an enum, numbers and
 * strings out of range, and the documented metadata limits (16 pairs, keys up to 64 characters).
 *
 * The API refuses fields its schema does not list even where the description does not say
 * `additionalProperties: false`, so every object with `properties` is treated as closed. Where
 * the description and recorded traffic disagree, SPEC_DEVIATIONS says so and the traffic wins.
 */
import specJson from './spec/responses-api.json';
import { EmulatorApiError, formatParam, invalidRequest } from './errors';

type Schema = Record<string, unknown>;
type Path = (string | number)[];

const SCHEMAS = (specJson as { schemas: Record<string, Schema> }).schemas;

/**
 * Where the emulator departs from the description on purpose, each backed by recorded traffic or
 * the API's documented behaviour. Tests list the same deviations for responses and events.
 */
export const SPEC_DEVIATIONS = {
  /** The description requires `request_id` on an approval response; the recorded request (approval.2) has none. */
  optionalRequired: { MCPApprovalResponse: ['request_id'] } as Record<string, string[]>,
} as const;

/** Metadata limits from the description's text (not expressible in its schema). */
const METADATA_MAX_PAIRS = 16;
const METADATA_MAX_KEY = 64;

/** Throws the API's 400 for the first thing the description does not allow; returns when the body passes. */
export function checkAgainstSpec(body: unknown): void {
  const problem = check(body, SCHEMAS['CreateResponse'] as Schema, []);
  if (problem) throw problem;
  checkMetadata(body);
}

function resolve(schema: Schema): { schema: Schema; name: string | undefined } {
  let name: string | undefined;
  let current = schema;
  while (typeof current['$ref'] === 'string') {
    name = (current['$ref'] as string).split('/').pop() as string;
    current = SCHEMAS[name] as Schema;
    if (!current) throw new Error(`spec: unknown $ref ${name}`);
  }
  return { schema: current, name };
}

/** allOf merged into one schema: properties and required united, other keywords of each part kept. */
function flatten(input: Schema): { schema: Schema; name: string | undefined } {
  const { schema, name } = resolve(input);
  if (!Array.isArray(schema['allOf'])) return { schema, name };
  const merged: Schema = {
    ...schema,
    allOf: undefined,
    properties: { ...(schema['properties'] as Schema | undefined) },
    required: [...((schema['required'] as string[] | undefined) ?? [])],
  };
  for (const part of schema['allOf'] as Schema[]) {
    const flat = flatten(part).schema;
    Object.assign(merged['properties'] as Schema, flat['properties'] ?? {});
    (merged['required'] as string[]).push(...((flat['required'] as string[] | undefined) ?? []));
    if (flat['type'] && !merged['type']) merged['type'] = flat['type'];
  }
  return { schema: merged, name };
}

function alternatives(schema: Schema): Schema[] | undefined {
  const list = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  return Array.isArray(list) ? list : undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: unknown): boolean {
  if (type === undefined) return true;
  const types = Array.isArray(type) ? (type as string[]) : [type as string];
  const actual = jsonType(value);
  return types.some((each) => each === actual || (each === 'number' && actual === 'integer'));
}

/** The JSON types an alternative can take (undefined: any). */
function typesOf(schema: Schema): string[] | undefined {
  const { schema: flat } = flatten(schema);
  const list = alternatives(flat);
  if (list) {
    const nested = list.map(typesOf);
    return nested.some((each) => each === undefined) ? undefined : [...new Set(nested.flat() as string[])];
  }
  if (flat['type'] !== undefined) return Array.isArray(flat['type']) ? (flat['type'] as string[]) : [flat['type'] as string];
  if (flat['properties']) return ['object'];
  if (Array.isArray(flat['enum'])) return [...new Set((flat['enum'] as unknown[]).map(jsonType))];
  return undefined;
}

/** The `type` values an object alternative accepts (its discriminator), if it names any. */
function discriminatorValues(schema: Schema): unknown[] | undefined {
  const { schema: flat } = flatten(schema);
  const list = alternatives(flat);
  if (list) {
    const nested = list.map(discriminatorValues);
    return nested.some((each) => each === undefined) ? undefined : (nested.flat() as unknown[]);
  }
  const property = (flat['properties'] as Schema | undefined)?.['type'];
  if (!property) return undefined;
  const values = enumValues(property as Schema);
  // `type` optional (an easy message, an item reference): the alternative also takes no type at all.
  return values && !((flat['required'] as string[] | undefined) ?? []).includes('type') ? [...values, undefined] : values;
}

function enumValues(schema: Schema): unknown[] | undefined {
  const { schema: flat } = flatten(schema);
  if (flat['const'] !== undefined) return [flat['const']];
  if (Array.isArray(flat['enum'])) return flat['enum'] as unknown[];
  const list = alternatives(flat);
  if (!list) return undefined;
  const nested = list.map((each) => (flatten(each).schema['type'] === 'null' ? [null] : enumValues(each)));
  return nested.some((each) => each === undefined) ? undefined : (nested.flat() as unknown[]);
}

function check(value: unknown, input: Schema, path: Path): EmulatorApiError | undefined {
  const { schema, name } = flatten(input);
  const list = alternatives(schema);
  if (list) return checkAlternatives(value, list, path);
  if (!typeMatches(value, schema['type'] ?? (schema['properties'] ? 'object' : undefined))) {
    return invalidType(path, [schema['type'] as string].flat(), value);
  }
  if (schema['const'] !== undefined && value !== schema['const']) return invalidValue(path, value, [schema['const']]);
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) return invalidValue(path, value, schema['enum'] as unknown[]);
  if (typeof value === 'number') return checkNumber(value, schema, path);
  if (typeof value === 'string') return checkString(value, schema, path);
  if (Array.isArray(value)) {
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) return tooMany(path, 'array', schema['maxItems'], value.length);
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems'])
      return invalidRequest(
        `Invalid '${formatParam(path)}': empty array. Expected an array with minimum length ${schema['minItems']}, but got an empty array instead.`,
        formatParam(path),
        'empty_array',
      );
    const items = schema['items'] as Schema | undefined;
    if (items)
      for (const [index, item] of value.entries()) {
        const problem = check(item, items, [...path, index]);
        if (problem) return problem;
      }
    return undefined;
  }
  if (value && typeof value === 'object') return checkObject(value as Record<string, unknown>, schema, name, path);
  return undefined;
}

function checkAlternatives(value: unknown, list: Schema[], path: Path): EmulatorApiError | undefined {
  if (value === null && list.some((each) => flatten(each).schema['type'] === 'null')) return undefined;
  let candidates = list.filter((each) => {
    const types = typesOf(each);
    return !types || types.some((type) => typeMatches(value, type));
  });
  if (!candidates.length) return invalidType(path, [...new Set(list.flatMap((each) => typesOf(each) ?? []))], value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const type = (value as Record<string, unknown>)['type'];
    const named = candidates.map((each) => ({ each, values: discriminatorValues(each) }));
    if (named.every(({ values }) => values)) {
      const matching = named.filter(({ values }) => values?.includes(type)).map(({ each }) => each);
      if (!matching.length) {
        const supported = [...new Set(named.flatMap(({ values }) => values ?? []).filter((each) => typeof each === 'string'))];
        return invalidValue([...path, 'type'], type, supported);
      }
      candidates = matching;
    }
  }
  let first: EmulatorApiError | undefined;
  for (const candidate of candidates) {
    const problem = check(value, candidate, path);
    if (!problem) return undefined;
    first ??= problem;
  }
  return first;
}

function checkObject(value: Record<string, unknown>, schema: Schema, name: string | undefined, path: Path): EmulatorApiError | undefined {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const additional = schema['additionalProperties'];
  const optional = (name && SPEC_DEVIATIONS.optionalRequired[name]) || [];
  for (const key of (schema['required'] as string[] | undefined) ?? []) {
    if (value[key] === undefined && !optional.includes(key))
      return invalidRequest(`Missing required parameter: '${formatParam([...path, key])}'.`, formatParam([...path, key]), 'missing_required_parameter');
  }
  for (const [key, child] of Object.entries(value)) {
    const property = properties[key];
    if (property) {
      if (child === undefined) continue;
      const problem = check(child, property, [...path, key]);
      if (problem) return problem;
    } else if (additional && typeof additional === 'object') {
      const problem = check(child, additional as Schema, [...path, key]);
      if (problem) return problem;
    } else if (schema['properties'] && additional !== true) {
      return invalidRequest(`Unknown parameter: '${formatParam([...path, key])}'.`, formatParam([...path, key]), 'unknown_parameter');
    }
  }
  return undefined;
}

function checkNumber(value: number, schema: Schema, path: Path): EmulatorApiError | undefined {
  const kind = schema['type'] === 'integer' ? 'integer' : 'decimal';
  const param = formatParam(path);
  if (typeof schema['maximum'] === 'number' && value > schema['maximum']) {
    return invalidRequest(
      `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${schema['maximum']}, but got ${value} instead.`,
      param,
      `${kind}_above_max_value`,
    );
  }
  if (typeof schema['minimum'] === 'number' && value < schema['minimum']) {
    return invalidRequest(
      `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${schema['minimum']}, but got ${value} instead.`,
      param,
      `${kind}_below_min_value`,
    );
  }
  return undefined;
}

function checkString(value: string, schema: Schema, path: Path): EmulatorApiError | undefined {
  const param = formatParam(path);
  if (typeof schema['maxLength'] === 'number' && value.length > schema['maxLength']) {
    return invalidRequest(
      `Invalid '${param}': string too long. Expected a string with maximum length ${schema['maxLength']}, but got a string with length ${value.length} instead.`,
      param,
      'string_above_max_length',
    );
  }
  if (typeof schema['minLength'] === 'number' && value.length < schema['minLength']) {
    return invalidRequest(
      `Invalid '${param}': string too short. Expected a string with minimum length ${schema['minLength']}, but got a string with length ${value.length} instead.`,
      param,
      'string_below_min_length',
    );
  }
  return undefined;
}

function checkMetadata(body: unknown): void {
  const metadata = (body as { metadata?: unknown } | null)?.metadata;
  if (!metadata || typeof metadata !== 'object') return;
  const keys = Object.keys(metadata);
  if (keys.length > METADATA_MAX_PAIRS) throw tooMany(['metadata'], 'object', METADATA_MAX_PAIRS, keys.length);
  const long = keys.find((key) => key.length > METADATA_MAX_KEY);
  if (long !== undefined) {
    throw invalidRequest(
      `Invalid 'metadata': string too long. Expected a key with maximum length ${METADATA_MAX_KEY}, but got a key with length ${long.length} instead.`,
      'metadata',
      'string_above_max_length',
    );
  }
}

function tooMany(path: Path, kind: 'array' | 'object', max: number, got: number): EmulatorApiError {
  const param = formatParam(path);
  const unit = kind === 'array' ? 'items' : 'properties';
  return invalidRequest(
    `Invalid '${param}': too many ${unit}. Expected an ${kind} with at most ${max} ${unit}, but got an ${kind} with ${got} ${unit} instead.`,
    param,
    `${kind}_above_max_${kind === 'array' ? 'length' : 'properties'}`,
  );
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a decimal',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function invalidType(path: Path, expected: string[], value: unknown): EmulatorApiError {
  const param = formatParam(path) || 'body';
  const wanted = expected.filter((type) => type !== 'null').map((type) => TYPE_WORDS[type] ?? type);
  const got = TYPE_WORDS[jsonType(value)] ?? jsonType(value);
  return invalidRequest(
    `Invalid type for '${param}': expected ${wanted.length > 1 ? `one of ${wanted.join(' or ')}` : (wanted[0] ?? 'another type')}, but got ${got} instead.`,
    formatParam(path) || null,
    'invalid_type',
  );
}

function invalidValue(path: Path, value: unknown, supported: readonly unknown[]): EmulatorApiError {
  const quoted = supported.map((each) => `'${String(each)}'`);
  const list = quoted.length > 2 ? `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}` : quoted.join(' and ');
  return invalidRequest(`Invalid value: '${String(value)}'. Supported values are: ${list}.`, formatParam(path), 'invalid_value');
}
