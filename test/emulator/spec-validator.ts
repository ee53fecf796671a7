/**
 * The extracted OpenAPI description (src/emulator/spec/responses-api.json) as an Ajv validator,
 * for responses, items, stream events and request bodies. OpenAPI's `oneOf` becomes `anyOf`
 * (several of the description's alternatives overlap, e.g. an easy message and an input
 * message), `nullable: true` becomes a `null` type; nothing else is changed.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import spec from '../../src/emulator/spec/responses-api.json';

type Schema = Record<string, unknown>;

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (!value || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'discriminator' || key === 'nullable' || key === '$recursiveAnchor') continue;
    // The one recursive schema (CompoundFilter) in draft 2019 syntax.
    if (key === '$recursiveRef') out['$ref'] = '#/$defs/CompoundFilter';
    else if (key === '$ref' && typeof child === 'string') out[key] = child.replace('#/components/schemas/', '#/$defs/');
    else out[key === 'oneOf' ? 'anyOf' : key] = convert(child);
  }
  if ((value as Schema)['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
}

const defs = convert((spec as { schemas: Schema }).schemas) as Schema;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const cache = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  let validate = cache.get(name);
  if (!validate) {
    validate = ajv.compile({ $defs: defs, $ref: `#/$defs/${name}` });
    cache.set(name, validate);
  }
  return validate;
}

/**
 * What the description finds wrong with a value, as short lines
 * (`/output/0/status: must be equal to one of the allowed values`). Inside `anyOf`, errors that
 * only say "another alternative has another `type`" are dropped.
 */
export function specProblems(name: string, value: unknown): string[] {
  const validate = validator(name);
  if (validate(value)) return [];
  const all = (validate.errors ?? []).filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf');
  // An alternative whose `type` does not match is not what the value meant: drop all its errors.
  const wrongBranch = (error: ErrorObject) => /\/type$/.test(error.instancePath) && ['enum', 'const', 'type'].includes(error.keyword);
  const branchOf = (error: ErrorObject) => `${error.instancePath.replace(/\/type$/, '')} ${/^#\/\$defs\/[^/]+/.exec(error.schemaPath)?.[0] ?? '#'}`;
  const wrong = new Set(all.filter(wrongBranch).map(branchOf));
  const kept = all.filter((error) => !wrong.has(branchOf(error)));
  const errors = kept.length ? kept : all;
  // "must be string" where another alternative (an array, an object) got further is that alternative's story.
  const deeper = (error: ErrorObject) => errors.some((other) => other.instancePath.startsWith(`${error.instancePath}/`));
  return [...new Set(errors.filter((error) => !(error.keyword === 'type' && deeper(error))).map(describe))];
}

function describe(error: ErrorObject): string {
  const extra = 'additionalProperty' in error.params ? ` '${String(error.params.additionalProperty)}'` : '';
  return `${error.instancePath || '/'}: ${error.message ?? error.keyword}${extra}`;
}
