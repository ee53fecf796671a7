/**
 * Product files stay small, one job each: no TypeScript file outside test/ over 300 lines. A file
 * that grows past it is split by job (as src/core/schemas.ts and workflows/messages.ts were),
 * not trimmed of its comments.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = path.resolve(__dirname, '..', '..');
const PRODUCT_DIRS = ['activities', 'workflows', 'src', 'examples', 'scripts', 'bin'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.tmp']);
const MAX_LINES = 300;

function typeScriptFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : typeScriptFiles(full);
    return /\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Lines as `wc -l` counts them: a last line without a newline still counts. */
function lineCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('product file size', () => {
  it(`no product TypeScript file is over ${MAX_LINES} lines`, () => {
    const files = PRODUCT_DIRS.flatMap((dir) => typeScriptFiles(path.join(repoRoot, dir)));
    assert.ok(files.length > 100, 'the product files are found');
    const over = files
      .map((file) => ({ file: path.relative(repoRoot, file), lines: lineCount(file) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file} (${lines} lines)`);
    assert.deepEqual(over, [], `split these by job: ${over.join(', ')}`);
  });
});
