/**
 * No import circle inside activities/ (type imports count: a circle of types is still two files
 * that cannot be understood apart). ESLint has no cycle rule here without a plugin
 * (eslint-plugin-import is not a dependency), so this walks the relative imports itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..', 'activities');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** The file a relative specifier names, if it is inside activities/. */
function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const found = [`${base}.ts`, path.join(base, 'index.ts')].find((file) => existsSync(file));
  return found && found.startsWith(root + path.sep) ? found : undefined;
}

/** The import graph of `files` (relative imports inside activities/ only). */
function graphOf(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = [...text.matchAll(IMPORT)].map((m) => resolve(file, m[1] ?? '')).filter((t): t is string => t !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** One circle, as a list of files, or undefined when the graph has none. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const realFiles = () => new Map(tsFiles(root).map((file) => [file, readFileSync(file, 'utf8')]));

describe('activities/: no import circle', () => {
  it('the real tree has none', () => {
    const cycle = findCycle(graphOf(realFiles()));
    assert.equal(cycle, undefined, `import circle: ${cycle?.map((f) => path.relative(root, f)).join(' → ')}`);
  });

  it('a planted circle is found (a type import counts): the old secrets → mcp/auth → runtime log → secrets', () => {
    const files = realFiles();
    const log = path.join(root, 'runtime-log.ts');
    assert.ok(files.has(log));
    files.set(log, `${files.get(log)}\nimport type { Env } from './secrets';\n`);
    const cycle = findCycle(graphOf(files));
    assert.ok(cycle, 'the planted circle was not found');
    assert.deepEqual(new Set(cycle.map((f) => path.basename(f))), new Set(['secrets.ts', 'auth.ts', 'runtime-log.ts']));
  });
});
