/** The --out file (pure file I/O): ids written once across runs; a torn last line is cut off and written again. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { LineResult } from '../../src/client/batch';
import { ResultsFile } from '../../src/cli/batch-out';
import { scratchDir } from '../cli/harness';

const result = (id: string): LineResult => ({
  id,
  line: 1,
  workflow_id: `b/${id}`,
  success: true,
  answer: 'a',
  error_type: null,
  error: null,
  calls: 0,
  denied: false,
  duration_ms: 1,
});

describe('ResultsFile', () => {
  it('writes each id once, also after a restart that left a torn line', () => {
    const file = path.join(scratchDir(), 'out.jsonl');
    const first = new ResultsFile(file, { append: true });
    assert.equal(first.write(result('a')), true);
    assert.equal(first.write(result('a')), false);
    first.close();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"id":"b","succ`);
    const second = new ResultsFile(file, { append: true });
    assert.equal(second.has('a'), true);
    assert.equal(second.has('b'), false);
    second.write(result('b'));
    second.write(result('a'));
    second.close();
    assert.deepEqual(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((row) => (JSON.parse(row) as LineResult).id),
      ['a', 'b'],
    );
  });

  it('one writer at a time: a second writer is refused naming the first; a lock left by a process gone is taken over', () => {
    const file = path.join(scratchDir(), 'out.jsonl');
    const first = new ResultsFile(file, { append: true });
    assert.throws(() => new ResultsFile(file, { append: true }), new RegExp(`out\\.jsonl is being written by another mcpflow \\(pid ${process.pid} `));
    first.close();
    assert.equal(existsSync(`${file}.lock`), false);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'earlier' }));
    const next = new ResultsFile(file, { append: true });
    next.write(result('c'));
    next.close();
    assert.equal(existsSync(`${file}.lock`), false);
  });
});
