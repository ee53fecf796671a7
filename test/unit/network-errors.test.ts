/**
 * Classification of real network failures, produced by real clients (fetch, the MCP SDK, the
 * openai client) against real sockets on 127.0.0.1: what the activities see when a server is
 * down, resets a connection, speaks something other than HTTP or never answers.
 */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { classifyError } from '../../activities/errors';
import { withMcpClient } from '../../activities/mcp/2025/connection';

async function listening<T extends Server | ReturnType<typeof createTcpServer>>(server: T): Promise<{ server: T; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return listening(createServer(handler));
}

/** What a call threw; fails the test if it did not throw. */
async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return assert.fail('expected the call to fail');
}

const CONNECTION = { type: 'connection', retryable: true };
const TIMEOUT = { type: 'timeout', retryable: true };

describe('classification of real network failures', () => {
  let closedUrl: string;
  const servers: { close(): unknown }[] = [];

  before(async () => {
    const { server, url } = await httpServer(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    closedUrl = url;
  });
  after(() => {
    for (const server of servers) {
      if ('closeAllConnections' in server) (server as Server).closeAllConnections();
      server.close();
    }
  });

  it('fetch to a closed port (ECONNREFUSED) is a connection error', async () => {
    const error = await thrown(() => fetch(closedUrl));
    assert.deepEqual(classifyError(error), CONNECTION);
  });

  it('a server that closes the socket without an answer (UND_ERR_SOCKET) is a connection error', async () => {
    const { server, url } = await httpServer((req) => req.socket.destroy());
    servers.push(server);
    assert.deepEqual(classifyError(await thrown(() => fetch(url, { method: 'POST', body: '{}' }))), CONNECTION);
  });

  it('a connection reset (ECONNRESET) is a connection error', async () => {
    const { server, url } = await httpServer((req) => req.socket.resetAndDestroy());
    servers.push(server);
    assert.deepEqual(classifyError(await thrown(() => fetch(url, { method: 'POST', body: '{}' }))), CONNECTION);
  });

  it('a body cut off half-way is a connection error', async () => {
    const { server, url } = await httpServer((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it');
      setTimeout(() => req.socket.destroy(), 20);
    });
    servers.push(server);
    assert.deepEqual(classifyError(await thrown(async () => (await fetch(url)).text())), CONNECTION);
  });

  it('a peer that does not speak HTTP (an HPE_ parser error) is a connection error', async () => {
    const { server, url } = await listening(createTcpServer((socket: Socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')));
    servers.push(server);
    assert.deepEqual(classifyError(await thrown(() => fetch(url))), CONNECTION);
  });

  it('a fetch given up by AbortSignal.timeout is a timeout', async () => {
    const { server, url } = await httpServer(() => undefined);
    servers.push(server);
    assert.deepEqual(classifyError(await thrown(() => fetch(url, { signal: AbortSignal.timeout(100) }))), TIMEOUT);
  });

  it('an invalid URL is not a network failure (Node ERR_ code): not classified as connection', async () => {
    const error = await thrown(() => fetch('http://[not-a-host/'));
    assert.ok(error instanceof TypeError && error.cause instanceof Error);
    assert.equal(classifyError(error).type, 'unknown');
  });

  it('the message is never read: a bare TypeError("fetch failed") without a cause is unknown', () => {
    assert.equal(classifyError(new TypeError('fetch failed')).type, 'unknown');
    assert.equal(classifyError(new TypeError('client.callTool is not a function')).type, 'unknown');
  });

  it('the MCP SDK connecting to a closed port: a connection error', async () => {
    const error = await thrown(() => withMcpClient({ label: 'down', url: `${closedUrl}mcp`, require_approval: 'never' }, {}, (client) => client.listTools()));
    assert.deepEqual(classifyError(error), CONNECTION);
  });

  it('the openai client: closed port is a connection error, no answer in time a timeout', async () => {
    const down = new OpenAI({ apiKey: 'test', baseURL: closedUrl, maxRetries: 0 });
    assert.deepEqual(classifyError(await thrown(() => down.responses.create({ model: 'm', input: 'hi' }))), CONNECTION);
    const { server, url } = await httpServer(() => undefined);
    servers.push(server);
    const slow = new OpenAI({ apiKey: 'test', baseURL: url, maxRetries: 0, timeout: 100 });
    assert.deepEqual(classifyError(await thrown(() => slow.responses.create({ model: 'm', input: 'hi' }))), TIMEOUT);
  });
});
