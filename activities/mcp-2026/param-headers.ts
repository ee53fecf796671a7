/**
 * `x-mcp-header` (Streamable HTTP, "Custom Headers from Tool Parameters"): a tool's inputSchema
 * may mark parameters whose values the client MUST mirror into `Mcp-Param-{name}` headers. A tool
 * whose annotations break the rules MUST be left out of the listing (with a warning).
 */
import { headerValue } from './client';

export interface ParamHeader {
  /** The chain of `properties` keys to the parameter. */
  path: string[];
  name: string;
}

export type ParamHeaderMapping = { ok: true; headers: ParamHeader[] } | { ok: false; reason: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ANNOTATION = 'x-mcp-header';

export function paramHeaders(inputSchema: Record<string, unknown>): ParamHeaderMapping {
  const headers: ParamHeader[] = [];
  const problems: string[] = [];
  const walk = (schema: unknown, path: string[]) => {
    const properties = isObject(schema) ? schema.properties : undefined;
    if (!isObject(properties)) return;
    for (const [key, property] of Object.entries(properties)) {
      if (!isObject(property)) continue;
      const here = [...path, key];
      const name = property[ANNOTATION];
      if (name !== undefined) {
        if (typeof name !== 'string' || !TOKEN.test(name)) problems.push(`${here.join('.')}: x-mcp-header must be an HTTP token`);
        else if (!['string', 'integer', 'boolean'].includes(String(property.type))) problems.push(`${here.join('.')}: x-mcp-header only on string, integer or boolean parameters`);
        else headers.push({ path: here, name });
      }
      walk(property, here);
    }
  };
  walk(inputSchema, []);
  const lower = headers.map((header) => header.name.toLowerCase());
  if (new Set(lower).size !== lower.length) problems.push('x-mcp-header values must be unique (case-insensitively)');
  // Annotations reached other than through `properties` (items, oneOf, $ref targets, ...) are invalid.
  if (countAnnotations(inputSchema) !== headers.length + problems.filter((problem) => problem.includes(': x-mcp-header')).length) {
    problems.push('x-mcp-header is only allowed on properties reachable through "properties" alone');
  }
  return problems.length ? { ok: false, reason: problems.join('; ') } : { ok: true, headers };
}

/** The `Mcp-Param-*` headers of one call; a parameter without a value gets no header. */
export function paramHeaderValues(headers: readonly ParamHeader[], args: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    let value: unknown = args;
    for (const key of header.path) value = isObject(value) ? value[key] : undefined;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value))) {
      out[`mcp-param-${header.name.toLowerCase()}`] = headerValue(String(value));
    }
  }
  return out;
}

function countAnnotations(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countAnnotations(item), 0);
  if (!isObject(value)) return 0;
  return Object.entries(value).reduce((sum, [key, item]) => sum + (key === ANNOTATION ? 1 : 0) + countAnnotations(item), 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
