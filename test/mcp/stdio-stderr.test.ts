/** A stdio program's stderr as log lines (pure logic on a stream): bounded lines, a rate limit, redaction before the cut. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { readStderr } from '../../activities/mcp/2025/stdio-stderr';

function reader(now: () => number = Date.now) {
  const stream = new PassThrough();
  const lines: string[] = [];
  const errors: Error[] = [];
  readStderr(
    stream,
    { redact: (text) => text.replaceAll('s3cret-value', '[redacted]'), line: (line) => lines.push(line), error: (error) => errors.push(error) },
    now,
  );
  const ended = new Promise((resolve) => stream.on('end', resolve));
  return { stream, lines, errors, ended };
}

describe('readStderr', () => {
  it('splits lines across chunks, drops the CR of CRLF, keeps a last line without a newline', async () => {
    const { stream, lines, ended } = reader();
    stream.write('first li');
    stream.write('ne\r\nsecond\nthi');
    stream.end('rd');
    await ended;
    assert.deepEqual(lines, ['first line', 'second', 'third']);
  });

  it('an endless line keeps 2,000 characters and a note of what was cut; the next line is whole', async () => {
    const { stream, lines, ended } = reader();
    const megabyte = Buffer.alloc(1024 * 1024, 'y');
    for (let i = 0; i < 20; i++) stream.write(megabyte);
    stream.end('\nafter\n');
    await ended;
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^y{2000}… \(line cut: \d+ more bytes\)$/);
    assert.equal(Number(/(\d+) more bytes/.exec(lines[0]!)![1]) + 2000, 20 * 1024 * 1024, 'what is shown and what is counted make the whole line');
    assert.equal(lines[1], 'after');
  });

  it('redacts before cutting: no prefix of a secret survives at the cut', async () => {
    const { stream, lines, ended } = reader();
    stream.end(`${'z'.repeat(1995)}s3cret-value and more\n`);
    await ended;
    assert.doesNotMatch(lines[0]!, /s3cret/);
  });

  it('at most 50 lines per 10 s, then one line saying how many were left out', async () => {
    let clock = 0;
    const { stream, lines, ended } = reader(() => clock);
    for (let i = 0; i < 80; i++) stream.write(`line ${i}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    clock = 10_000;
    stream.end('later\n');
    await ended;
    assert.equal(lines.length, 52);
    assert.equal(lines[49], 'line 49');
    assert.equal(lines[50], '(30 more stderr lines in 10 s not logged)');
    assert.equal(lines[51], 'later');
  });

  it('an error of the pipe is reported, not thrown', async () => {
    const { stream, errors } = reader();
    stream.destroy(new Error('EPIPE-like'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(errors[0]?.message, 'EPIPE-like');
  });
});
