/** The batch file parser (pure): formats, numbering, every problem named by its line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchFileError, decodeBatchFile, defaultBatchId, parseBatchFile } from '../../src/client/batch-file';

const problems = (content: string, labels = ['weather']) => {
  try {
    parseBatchFile('f.jsonl', content, labels);
  } catch (error) {
    if (error instanceof BatchFileError) return error.problems;
    throw error;
  }
  return [];
};

describe('parseBatchFile', () => {
  it('reads plain text, one query a line, blank rows skipped: n counts queries, the key keeps the file line', () => {
    const file = parseBatchFile('q.txt', 'first question\n\n  second question  \n', ['weather']);
    assert.equal(file.format, 'text');
    assert.deepEqual(file.lines, [
      { n: 1, key: 'line-1', query: 'first question' },
      { n: 2, key: 'line-3', query: 'second question' },
    ]);
  });

  it('reads JSONL with ids, servers, mode and metadata', () => {
    const file = parseBatchFile('q.jsonl', '{"query":"a","id":"x-1","servers":["weather"],"mode":"direct","metadata":{"k":"v"}}\r\n{"query":"b"}', ['weather']);
    assert.equal(file.format, 'jsonl');
    assert.deepEqual(file.lines[0], { n: 1, key: 'x-1', query: 'a', servers: ['weather'], mode: 'direct', metadata: { k: 'v' } });
    assert.deepEqual(file.lines[1], { n: 2, key: 'line-2', query: 'b' });
  });

  it('the same content gives the same batch id; other content another', () => {
    const a = parseBatchFile('a', 'q1\nq2\n', []);
    assert.equal(defaultBatchId(a), defaultBatchId(parseBatchFile('b', 'q1\nq2\n', [])));
    assert.notEqual(defaultBatchId(a), defaultBatchId(parseBatchFile('a', 'q1\nq3\n', [])));
  });

  it('names every problem with its line', () => {
    assert.deepEqual(problems(''), ['the file has no queries (it is empty): write one query a line, or one JSON object a line']);
    const found = problems(
      '{"query":"ok"}\n{"query":\n{"id":"a"}\n{"query":"x","servers":["nope"]}\n{"query":"y","extra":1}\n{"query":"z","id":"bad id"}\n{"query":"   "}',
    );
    assert.equal(found.length, 6);
    assert.match(found[0]!, /^line 2: invalid JSON/);
    assert.match(found[1]!, /^line 3: .*query/);
    assert.match(found[2]!, /^line 4: unknown server label "nope": the batch has "weather"/);
    assert.match(found[3]!, /^line 5: .*extra/);
    assert.match(found[4]!, /^line 6: .*id/);
    assert.match(found[5]!, /^line 7: .*empty/);
  });

  it('refuses a line over 32 KiB', () => {
    assert.match(problems(`${'x'.repeat(40_000)}\n`)[0]!, /^line 1: the line is \d+ bytes; at most 32768/);
  });

  it('refuses invalid UTF-8 naming the line and byte offset (never U+FFFD); valid UTF-8 passes as it is', () => {
    const refused = (bytes: number[], prefix = 'ok\nq ') => {
      try {
        decodeBatchFile('f.txt', Buffer.concat([Buffer.from(prefix), Buffer.from(bytes)]));
      } catch (error) {
        if (error instanceof BatchFileError) return error.problems[0];
        throw error;
      }
      return null;
    };
    assert.equal(decodeBatchFile('f.txt', Buffer.from('café ☃ 𝄞\n')), 'café ☃ 𝄞\n');
    assert.match(refused([0xff])!, /^line 2: invalid UTF-8 at byte offset 5 \(byte 3 of the line: ff\)/);
    assert.match(refused([0xc0, 0xaf])!, /^line 2: invalid UTF-8 at byte offset 5/, 'an overlong form');
    assert.match(refused([0xed, 0xa0, 0x80])!, /^line 2: invalid UTF-8 at byte offset 5/, 'a surrogate');
    assert.match(refused([0xe2, 0x98])!, /^line 2: invalid UTF-8 at byte offset 5/, 'a cut sequence');
    assert.match(refused([0x41, 0xf4, 0x90, 0x80, 0x80], 'a\nb\nc')!, /^line 3: invalid UTF-8 at byte offset 6 \(byte 3 of the line/, 'past U+10FFFF');
  });
});
