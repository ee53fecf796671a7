/**
 * The worker's MCP connection pool against real servers: the demo weather server (stateless)
 * behind a proxy that counts JSON-RPC methods, and a stateful server with sessions.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { classifyError, McpSessionExpiredError } from '../../activities/errors';
import { withMcpClient } from '../../activities/mcp/2025/connection';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import type { ServerConfig } from '../../src/core/servers';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { countingProxy, startStatefulMcpServer, type CountingProxy } from './servers';

const server = (url: string, extra: Partial<ServerConfig> = {}): ServerConfig => ({ label: 'weather', url, require_approval: 'never', ...extra });
const weather = (client: Client) => client.callTool({ name: 'get_current_weather', arguments: { location: 'London' } });
const listTools = (client: Client) => client.listTools();
const echo = (client: Client) => client.callTool({ name: 'echo', arguments: { text: 'hi' } });

/**
 * A restart right after close() can race the client noticing its keep-alive socket closed (the
 * next POST then fails with UND_ERR_SOCKET, with or without the pool); real restarts take longer.
 */
async function restarted<T>(close: () => Promise<void>, start: () => Promise<T>): Promise<T> {
  await close();
  await sleep(50);
  return start();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a failure'),
    (error: unknown) => error,
  );
}

describe('MCP connection pool, demo weather server', () => {
  let demo: DemoServerHandle;
  let proxy: CountingProxy;

  before(async () => {
    demo = await startDemoServer('weather');
    proxy = await countingProxy(demo.url);
  });
  after(async () => {
    await proxy.close();
    await demo.close();
  });

  it('two calls through the pool make one initialize; without it, one each', async () => {
    const pool = new McpConnectionPool();
    try {
      const before = proxy.count('initialize');
      await pool.use(server(proxy.url), {}, listTools);
      const result = await pool.use(server(proxy.url), {}, weather);
      assert.equal(result.isError, undefined);
      assert.equal(proxy.count('initialize') - before, 1);
      assert.equal(pool.size, 1);

      await withMcpClient(server(proxy.url), {}, weather);
      await withMcpClient(server(proxy.url), {}, weather);
      assert.equal(proxy.count('initialize') - before, 3);
    } finally {
      await pool.close();
    }
  });

  it('concurrent activities share one connection', async () => {
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(proxy.url), {}, listTools);
      const before = proxy.count('initialize');
      const results = await Promise.all(Array.from({ length: 5 }, () => pool.use(server(proxy.url), {}, weather)));
      assert.equal(results.length, 5);
      assert.equal(proxy.count('initialize'), before);
      assert.equal(pool.size, 1);
    } finally {
      await pool.close();
    }
  });

  it('different headers get different connections', async () => {
    const pool = new McpConnectionPool();
    const env = { TOKEN_A: 'token-a-value', TOKEN_B: 'token-b-value' };
    try {
      await pool.use(server(proxy.url, { headers: { 'x-api-key': { env: 'TOKEN_A' } } }), env, listTools);
      await pool.use(server(proxy.url, { headers: { 'x-api-key': { env: 'TOKEN_B' } } }), env, listTools);
      await pool.use(server(proxy.url, { headers: { 'X-Api-Key': { env: 'TOKEN_A' } } }), env, listTools);
      assert.equal(pool.size, 2);
    } finally {
      await pool.close();
    }
  });

  it('a JSON-RPC error from the server keeps the connection', async () => {
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(proxy.url), {}, listTools);
      const before = proxy.count('initialize');
      // The demo server offers no prompts: it answers -32601 (method not found). (The SDK's
      // listPrompts() would not ask a server that does not announce prompts: a raw request does.)
      const error = await rejection(pool.use(server(proxy.url), {}, (client) => client.request({ method: 'prompts/list' })));
      assert.ok(error instanceof ProtocolError);
      await pool.use(server(proxy.url), {}, weather);
      assert.equal(proxy.count('initialize'), before);
      assert.equal(pool.size, 1);
    } finally {
      await pool.close();
    }
  });

  it('a dropped connection is not reused: the call fails as a connection error, the next one reconnects', async () => {
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(proxy.url), {}, listTools);
      const before = proxy.count('initialize');
      demo.setFaults({ failNext: { count: 1, kind: 'connection_drop' } });
      const error = await rejection(pool.use(server(proxy.url), {}, weather));
      assert.deepEqual(classifyError(error), { type: 'connection', retryable: true });
      assert.equal(pool.size, 0);
      await pool.use(server(proxy.url), {}, weather);
      assert.equal(proxy.count('initialize') - before, 1);
    } finally {
      demo.reset();
      await pool.close();
    }
  });

  it('idle connections close after the idle timeout', async () => {
    const pool = new McpConnectionPool(50);
    try {
      await pool.use(server(proxy.url), {}, listTools);
      assert.equal(pool.size, 1);
      await sleep(200);
      assert.equal(pool.size, 0);
      const before = proxy.count('initialize');
      await pool.use(server(proxy.url), {}, weather);
      assert.equal(proxy.count('initialize') - before, 1);
    } finally {
      await pool.close();
    }
  });
});

describe('MCP connection pool, server restarts', () => {
  it('a stateless demo server restarted between calls: the call while it is down fails and drops the connection, then it works again', async () => {
    let demo = await startDemoServer('weather');
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(demo.url), {}, weather);
      await demo.close();
      const error = await rejection(pool.use(server(demo.url), {}, weather));
      assert.deepEqual(classifyError(error), { type: 'connection', retryable: true });
      assert.equal(pool.size, 0);
      demo = await startDemoServer('weather', { port: demo.port });
      await pool.use(server(demo.url), {}, weather);
      // Restarted while idle, with no call in between: the kept connection still works (no session to lose).
      demo = await restarted(
        () => demo.close(),
        () => startDemoServer('weather', { port: demo.port }),
      );
      const result = await pool.use(server(demo.url), {}, weather);
      assert.equal(result.isError, undefined);
      assert.equal(pool.size, 1);
    } finally {
      await pool.close();
      await demo.close();
    }
  });

  it('a stateful server restarted between calls: the pool notices its event stream broke and opens a new session', async () => {
    let stateful = await startStatefulMcpServer();
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(stateful.url), {}, echo);
      await pool.use(server(stateful.url), {}, echo);
      assert.equal(stateful.initializes, 1);
      stateful = await restarted(
        () => stateful.close(),
        () => startStatefulMcpServer(stateful.port),
      );
      assert.equal(pool.size, 0);
      const result = await pool.use(server(stateful.url), {}, echo);
      assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }]);
      assert.equal(stateful.initializes, 1);
    } finally {
      await pool.close();
      assert.equal(stateful.sessions(), 0, 'close() ends the session (DELETE)');
      await stateful.close();
    }
  });

  it('a session the server forgot (404): renewed once when none of the use was answered; otherwise McpSessionExpiredError, a retryable connection error', async () => {
    const stateful = await startStatefulMcpServer();
    const pool = new McpConnectionPool();
    try {
      await pool.use(server(stateful.url), {}, echo);
      stateful.forgetSessions();
      // The refused request was not processed: the spec's new initialize, and the use succeeds.
      await pool.use(server(stateful.url), {}, echo);
      assert.equal(stateful.initializes, 2);
      // A use whose first request was answered before the session was lost is not run again.
      const error = await rejection(
        pool.use(server(stateful.url), {}, async (client) => {
          await echo(client);
          stateful.forgetSessions();
          return echo(client);
        }),
      );
      assert.ok(error instanceof McpSessionExpiredError, String(error));
      assert.deepEqual(classifyError(error), { type: 'connection', retryable: true });
      assert.equal(pool.size, 0);
      await pool.use(server(stateful.url), {}, echo);
      assert.equal(stateful.initializes, 3);
    } finally {
      await pool.close();
      await stateful.close();
    }
  });

  it('an idle timeout ends the session on a stateful server', async () => {
    const stateful = await startStatefulMcpServer();
    const pool = new McpConnectionPool(50);
    try {
      await pool.use(server(stateful.url), {}, listTools);
      assert.equal(stateful.sessions(), 1);
      for (let waited = 0; stateful.sessions() > 0 && waited < 2_000; waited += 25) await sleep(25);
      assert.equal(stateful.sessions(), 0);
      assert.equal(pool.size, 0);
    } finally {
      await pool.close();
      await stateful.close();
    }
  });
});
