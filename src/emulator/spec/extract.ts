/**
 * Extracts the part of the official OpenAPI description the emulator checks requests against
 * (and tests check responses and stream events against): the schemas reachable from
 * CreateResponse, Response, ResponseStreamEvent and ErrorResponse, descriptions dropped.
 *
 *   npx tsx src/emulator/spec/extract.ts ../shared/reference/openai-responses/openapi.yaml
 *
 * writes src/emulator/spec/responses-api.json. The schemas are copied unchanged otherwise
 * (openai/openai-openapi, commit f85dbe223d40e1a31cba812ab2d755c7e98a92a3).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOTS = ['CreateResponse', 'Response', 'ResponseStreamEvent', 'ErrorResponse'];
const DROPPED = new Set(['description', 'example', 'examples', 'title', 'x-oaiMeta', 'x-oaiTypeLabel', 'x-stainless-const', 'deprecated']);

function main(): void {
  const source = process.argv[2];
  if (!source) throw new Error('usage: extract.ts <openapi.yaml>');
  const doc = parse(readFileSync(source, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const all = doc.components.schemas;
  const picked: Record<string, unknown> = {};
  const stack = [...ROOTS];
  while (stack.length) {
    const name = stack.pop() as string;
    if (name in picked) continue;
    const schema = all[name];
    if (schema === undefined) throw new Error(`no schema ${name}`);
    picked[name] = strip(schema, (ref) => stack.push(ref));
  }
  const sorted = Object.fromEntries(
    Object.keys(picked)
      .sort()
      .map((name) => [name, picked[name]]),
  );
  // Run from the repository root.
  const target = path.resolve('src/emulator/spec/responses-api.json');
  writeFileSync(target, `${JSON.stringify({ source: 'openai/openai-openapi@f85dbe223d40e1a31cba812ab2d755c7e98a92a3', roots: ROOTS, schemas: sorted })}\n`);
  console.log(`${Object.keys(sorted).length} schemas → ${target}`);
}

/** Drops documentation keywords, but never a property that happens to be named like one. */
function strip(value: unknown, onRef: (name: string) => void, isPropertyMap = false): unknown {
  if (Array.isArray(value)) return value.map((each) => strip(each, onRef));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isPropertyMap && DROPPED.has(key)) continue;
    if (key === '$ref' && typeof child === 'string') onRef(child.split('/').pop() as string);
    out[key] = strip(child, onRef, !isPropertyMap && key === 'properties');
  }
  return out;
}

main();
