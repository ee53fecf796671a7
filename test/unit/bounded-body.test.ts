/** readBoundedBody (src/codec/request-guard.ts), shared by the codec server and the inbox: a body within its bound whole, one past it refused with 413. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { GuardError, readBoundedBody } from '../../src/codec/request-guard';

const requestOf = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk))) as unknown as IncomingMessage;

describe('readBoundedBody', () => {
  it('reads a body of up to the bound, in chunks', async () => {
    assert.equal(await readBoundedBody(requestOf('{"a":', '1}'), 7), '{"a":1}');
  });

  it('refuses a body past the bound with 413, naming the bound', async () => {
    await assert.rejects(
      readBoundedBody(requestOf('{"a":', '12}'), 7),
      (error: unknown) => error instanceof GuardError && error.status === 413 && error.message === 'request body over 7 bytes',
    );
  });
});
