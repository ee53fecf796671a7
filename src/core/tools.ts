/**
 * The tool catalog: each server's tools and their parameters, built from the API's
 * `input_schema` (the API sends no `parameters`), with a hash of each definition so that a
 * scheduled refresh can tell what changed. Plain JSON throughout: the catalog lives in
 * workflow history, never in worker memory.
 */
import { z } from 'zod';
import { RecordedErrorSchema } from './errors';
import type { McpListedTool } from './schemas';
import { JsonSchemaObjectSchema } from './tool-filters';

export const ToolParameterSchema = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string(),
  required: z.boolean(),
  default: z.unknown().optional(),
  enum: z.array(z.unknown()).optional(),
});
export type ToolParameter = z.infer<typeof ToolParameterSchema>;

export const DiscoveredToolSchema = z.object({
  name: z.string(),
  description: z.string(),
  server_label: z.string(),
  input_schema: JsonSchemaObjectSchema,
  parameters: z.array(ToolParameterSchema),
  read_only: z.boolean(),
  definition_hash: z.string(),
});
export type DiscoveredTool = z.infer<typeof DiscoveredToolSchema>;

export function discoveredToolFromListed(tool: McpListedTool, serverLabel: string): DiscoveredTool {
  const schema = tool.input_schema;
  return {
    name: tool.name,
    description: tool.description ?? '',
    server_label: serverLabel,
    input_schema: schema,
    parameters: parametersFromSchema(schema),
    read_only: isReadOnly(tool.annotations),
    definition_hash: hashToolDefinition(tool),
  };
}

function parametersFromSchema(schema: Record<string, unknown>): ToolParameter[] {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [];
  return Object.entries(properties).map(([name, raw]) => {
    const property = isRecord(raw) ? raw : {};
    const parameter: ToolParameter = {
      name,
      type: describeType(property),
      description: typeof property.description === 'string' ? property.description : '',
      required: required.includes(name),
    };
    if ('default' in property) parameter.default = property.default;
    if (Array.isArray(property.enum)) parameter.enum = property.enum;
    return parameter;
  });
}

function describeType(property: Record<string, unknown>): string {
  if (typeof property.type === 'string') return property.type;
  if (Array.isArray(property.type)) return property.type.join(' | ');
  if (Array.isArray(property.enum)) return 'enum';
  if (Array.isArray(property.anyOf)) return 'union';
  return 'any';
}

function isReadOnly(annotations: Record<string, unknown> | null | undefined): boolean {
  if (!annotations) return false;
  return annotations.readOnlyHint === true || annotations.read_only === true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so that equal definitions give equal hashes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** 64-bit FNV-1a over the canonical definition; no crypto module, so it runs in workflows. */
export function hashToolDefinition(tool: McpListedTool): string {
  const text = canonicalJson({
    name: tool.name,
    description: tool.description ?? '',
    input_schema: tool.input_schema,
    annotations: tool.annotations ?? null,
  });
  return fnv1a64(text);
}

/**
 * 64-bit FNV-1a of the UTF-16 code units, in two 32-bit halves: the same value as BigInt
 * arithmetic (which allocated per character and was a tenth of a hosted query's worker CPU).
 * The prime is 2^40 + 0x1b3, so hash × prime = (hash << 40) + hash × 0x1b3 (mod 2^64).
 */
export function fnv1a64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let index = 0; index < text.length; index++) {
    lo = (lo ^ text.charCodeAt(index)) >>> 0;
    const low = lo * 0x1b3;
    hi = (hi * 0x1b3 + Math.floor(low / 0x100000000) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------
// Catalog

export const ServerCatalogSchema = z.object({
  server_label: z.string(),
  status: z.enum(['ok', 'error']),
  tools: z.array(DiscoveredToolSchema),
  /** ISO time of the listing these tools come from. */
  fetched_at: z.string().nullable(),
  /** True when the tools are an older listing kept because the latest one failed. */
  stale: z.boolean(),
  error: RecordedErrorSchema.nullable(),
  /** The server's `ttlMs` (MCP 2026-07-28 `CacheableResult`): fresh for at most this long, whatever the configured TTL. */
  ttl_ms: z.number().int().nonnegative().optional(),
  /** The server's `cacheScope`: `private` listings are only reused with the same credentials (the same server config). */
  cache_scope: z.enum(['public', 'private']).optional(),
});
export type ServerCatalog = z.infer<typeof ServerCatalogSchema>;

export const CatalogSchema = z.object({
  servers: z.record(z.string(), ServerCatalogSchema),
});
export type Catalog = z.infer<typeof CatalogSchema>;

export const EMPTY_CATALOG: Catalog = { servers: {} };

export function catalogTools(catalog: Catalog): DiscoveredTool[] {
  return Object.values(catalog.servers).flatMap((server) => server.tools);
}

export function findTool(catalog: Catalog, name: string, serverLabel?: string): DiscoveredTool | undefined {
  return catalogTools(catalog).find((tool) => tool.name === name && (!serverLabel || tool.server_label === serverLabel));
}

/**
 * True when every listed server has a listing younger than the TTL: its cached tools can be used without listing.
 * A server that said how long its listing stays fresh (`ttlMs`) shortens that, never lengthens it.
 */
export function isCatalogFresh(catalog: Catalog, serverLabels: readonly string[], nowMs: number, ttlMs: number): boolean {
  return serverLabels.every((label) => {
    const server = catalog.servers[label];
    if (!server || server.status !== 'ok' || server.stale || !server.fetched_at) return false;
    const ttl = server.ttl_ms === undefined ? ttlMs : Math.min(ttlMs, server.ttl_ms);
    return nowMs - Date.parse(server.fetched_at) < ttl;
  });
}

export const ToolRefSchema = z.object({ server_label: z.string(), name: z.string() });
export const CatalogDiffSchema = z.object({
  added: z.array(ToolRefSchema),
  removed: z.array(ToolRefSchema),
  changed: z.array(ToolRefSchema.extend({ previous_hash: z.string(), hash: z.string() })),
});
export type CatalogDiff = z.infer<typeof CatalogDiffSchema>;

/**
 * What changed between two catalogs. A server whose listing failed is left out of the
 * comparison: its tools are unknown, not removed.
 */
export function diffCatalogs(previous: Catalog, next: Catalog): CatalogDiff {
  const diff: CatalogDiff = { added: [], removed: [], changed: [] };
  for (const [label, server] of Object.entries(next.servers)) {
    if (server.status !== 'ok' || server.stale) continue;
    const before = new Map((previous.servers[label]?.tools ?? []).map((tool) => [tool.name, tool]));
    const after = new Map(server.tools.map((tool) => [tool.name, tool]));
    for (const tool of server.tools) {
      const old = before.get(tool.name);
      if (!old) diff.added.push({ server_label: label, name: tool.name });
      else if (old.definition_hash !== tool.definition_hash) {
        diff.changed.push({ server_label: label, name: tool.name, previous_hash: old.definition_hash, hash: tool.definition_hash });
      }
    }
    for (const name of before.keys()) if (!after.has(name)) diff.removed.push({ server_label: label, name });
  }
  return diff;
}

/** The catalog for display: servers, tools, parameters (`*` marks required ones). */
export function formatCatalog(catalog: Catalog): string {
  const lines: string[] = [];
  for (const [label, server] of Object.entries(catalog.servers)) {
    const note = server.status === 'error' ? ` (unavailable: ${server.error?.message ?? 'unknown error'})` : server.stale ? ' (stale)' : '';
    lines.push(`[${label}]${note}`);
    for (const tool of server.tools) {
      lines.push(`  ${tool.name}: ${tool.description}`);
      for (const parameter of tool.parameters) {
        lines.push(`    - ${parameter.name}${parameter.required ? '*' : ''}: ${parameter.type}`);
      }
    }
  }
  return lines.join('\n');
}
