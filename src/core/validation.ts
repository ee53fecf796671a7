/**
 * Argument validation before a tool call, against the tool's own JSON Schema, with a maintained
 * validator (Ajv + formats): required, types, unknown parameters when the schema closes them,
 * enums, nested objects, arrays and string formats. Messages name the parameter by its path.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { DiscoveredTool } from './tools';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);

const compiled = new Map<string, ValidateFunction>();

export type ValidationResult = { valid: true } | { valid: false; errors: string[] };

export function validateArguments(tool: Pick<DiscoveredTool, 'input_schema' | 'definition_hash'>, args: Record<string, unknown>): ValidationResult {
  const validate = validatorFor(tool);
  if (validate(args)) return { valid: true };
  return { valid: false, errors: (validate.errors ?? []).map(describeError) };
}

function validatorFor(tool: Pick<DiscoveredTool, 'input_schema' | 'definition_hash'>): ValidateFunction {
  const cached = compiled.get(tool.definition_hash);
  if (cached) return cached;
  // `$schema` names a draft (07, 2020-12) that Ajv's default instance may not have loaded;
  // the keywords tools use are the same in both, so validate without it.
  const { $schema: _draft, ...schema } = tool.input_schema;
  const validate = ajv.compile(schema);
  compiled.set(tool.definition_hash, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const path = parameterPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return `Missing required parameter: ${joinPath(path, String(error.params.missingProperty))}`;
    case 'additionalProperties':
      return `Unknown parameter: ${joinPath(path, String(error.params.additionalProperty))}`;
    case 'type':
      return `Invalid type for ${path || 'arguments'}: expected ${String(error.params.type)}`;
    case 'enum':
      return `Invalid value for ${path}: must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'format':
      return `Invalid format for ${path}: expected ${String(error.params.format)}`;
    default:
      return `Invalid value for ${path || 'arguments'}: ${error.message ?? error.keyword}`;
  }
}

/** `/items/0/name` → `items[0].name` */
function parameterPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function joinPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
