/**
 * Answers of 2025 MCP servers over HTTP are bounded (activities/mcp/2025/bounded-fetch.ts), as
 * a stdio server's streams are: a JSON answer past 8 MiB, declared or not, and one SSE event past
 * it fail the read; an event stream of many small events is not cut. Then a real hostile MCP
 * server on loopback whose tool answers 12 MB: the direct call fails, and a 6 MB answer still
 * works (clipped as before).
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createMcpActivities } from '../../activities/mcp';
import { boundedFetch, MAX_MCP_ANSWER_BYTES, McpAnswerTooLargeError } from '../../activities/mcp/2025/bounded-fetch';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import { discoveredToolFromListed } from '../../src/core/tools';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';

const MIB = 1024 * 1024;

/** Writes `total` bytes of `fill` in 1 MiB chunks (no declared length: chunked). */
function writeChunked(res: ServerResponse, head: string, total: number, tail: string): void {
  res.write(head);
  for (let sent = 0; sent < total; sent += MIB) res.write('x'.repeat(Math.min(MIB, total - sent)));
  res.end(tail);
}

describe('bounded answers of 2025 MCP servers', () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((req, res) => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('mib')) * MIB;
      if (req.url?.startsWith('/declared')) {
        const body = `{"x":"${'x'.repeat(size)}"}`;
        return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      }
      if (req.url?.startsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return writeChunked(res, '{"x":"', size, '"}');
      }
      if (req.url?.startsWith('/one-event')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return writeChunked(res, 'event: message\r\ndata: ', size, '\r\n\r\n');
      }
      // Many events of 64 KiB, `mib` MiB in all: a long-lived stream of small messages.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = `data: ${'y'.repeat(64 * 1024)}\n\n`;
      for (let sent = 0; sent < size; sent += event.length) res.write(event);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const read = async (path: string): Promise<number> => (await (await boundedFetch(fetch)(`${base}${path}`)).arrayBuffer()).byteLength;

  it('a JSON answer past 8 MiB fails, declared or chunked; under it, it is read whole', async () => {
    await assert.rejects(read('/declared?mib=9'), (error: Error) => error instanceof McpAnswerTooLargeError && /more than 8388608/.test(error.message));
    await assert.rejects(read('/chunked?mib=9'), /an answer of more than 8388608 bytes/);
    assert.ok((await read('/declared?mib=7')) > 7 * MIB);
    assert.ok((await read('/chunked?mib=7')) > 7 * MIB);
  });

  it('an event stream is counted per event: one 9 MiB event fails, 20 MiB of small events pass', async () => {
    await assert.rejects(read('/one-event?mib=9'), /an event of more than 8388608 bytes/);
    assert.ok((await read('/one-event?mib=7')) > 7 * MIB);
    assert.ok((await read('/events?mib=20')) >= 20 * MIB);
  });

  describe('a direct tool call to a hostile server', () => {
    let hostile: HostileServer;
    const pool = new McpConnectionPool();
    before(async () => {
      hostile = await startHostileServer();
    });
    after(async () => {
      await pool.close();
      await hostile.close();
    });

    it('a 12 MB answer fails the call instead of being read whole; a 6 MB one is clipped as before', async () => {
      const activities = createMcpActivities({ env: {}, connections: pool, allowPrivateNetworks: 'loopback' });
      const env = () => new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
      const server = { label: 'hostile', url: hostile.url, require_approval: 'never' as const };
      type Listed = Awaited<ReturnType<typeof activities.listToolsDirect>>;
      type Called = Awaited<ReturnType<typeof activities.callToolDirect>>;
      const { tools } = (await env().run(activities.listToolsDirect, { server, retry: DEFAULT_RETRY_SETTINGS })) as Listed;
      const tool = discoveredToolFromListed(
        tools.find((each) => each.name === 'flood')!,
        'hostile',
      );
      const call = async (n: number) =>
        (await env().run(activities.callToolDirect, { server, tool, arguments: { n }, retry: DEFAULT_RETRY_SETTINGS, timeout_ms: 20_000 })) as Called;

      const failure = await call(2_000_000).then(
        () => assert.fail('a 12 MB answer was read'),
        (error: unknown) => error,
      );
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.match(failure.message, new RegExp(`more than ${MAX_MCP_ANSWER_BYTES}`));
      assert.equal(failure.type, 'connection', "a connection failure, as a stdio message over the SDK's bound");
      const clipped = await call(1_000_000);
      assert.match(clipped.output, /\[mcpflow: cut to \d+ of 6000000 bytes\]$/);
    });
  });
});
