/**
 * listToolsDirect and callToolDirect run in Temporal's MockActivityEnvironment (a real activity
 * context: info, heartbeats, cancellation) against real MCP servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createMcpActivities } from '../../activities/mcp';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import type { Env } from '../../activities/secrets';
import { readActivityFailureDetails } from '../../src/core/failures';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import { discoveredToolFromListed } from '../../src/core/tools';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { countingProxy, silentServer, type CountingProxy } from './servers';

const retry = DEFAULT_RETRY_SETTINGS;

/** An activity context; the failures these tests expect are not worth a warning each. */
const activityEnv = (info: Partial<Info> = {}) => new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });

/** Runs one activity in `env`, typed (MockActivityEnvironment.run infers `unknown` for a plain function). */
function run<I, O>(env: MockActivityEnvironment, activity: (input: I) => Promise<O>, input: I): Promise<O> {
  return env.run<[I], O, typeof activity>(activity, input);
}

async function failure(run: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await run.then(
    () => assert.fail('expected the activity to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ApplicationFailure, String(error));
  return error;
}

describe('direct MCP activities', () => {
  let demo: DemoServerHandle;
  let proxy: CountingProxy;
  const pool = new McpConnectionPool();
  const activities = (env: Env = {}) => createMcpActivities({ env, connections: pool });
  const weather = (): ServerConfig => ({ label: 'weather', url: proxy.url, require_approval: 'never' });

  before(async () => {
    demo = await startDemoServer('weather');
    proxy = await countingProxy(demo.url);
  });
  after(async () => {
    await pool.close();
    await proxy.close();
    await demo.close();
  });

  it('listToolsDirect heartbeats with the server label, and later activities reuse its connection', async () => {
    const env = activityEnv();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const { tools, attempt } = await run(env, activities().listToolsDirect, { server: weather(), retry });
    assert.equal(attempt, 1);
    assert.ok(tools.length > 0);
    assert.deepEqual(heartbeats.at(-1), { server: 'weather', tools: tools.length });

    const initializes = proxy.count('initialize');
    const tool = discoveredToolFromListed(
      tools.find((each) => each.name === 'get_current_weather')!,
      'weather',
    );
    const result = await run(activityEnv(), activities().callToolDirect, {
      server: weather(),
      tool,
      arguments: { location: 'Paris' },
      retry,
      timeout_ms: 10_000,
    });
    assert.equal(result.is_error, false);
    assert.match(result.output, /Paris/);
    assert.equal(proxy.count('initialize'), initializes);
  });

  it('a finished activity leaves nothing behind on its pooled connection: no late notifications/cancelled', async () => {
    // The SDK never removes its abort listener from a request's signal: a deadline that fired
    // after the activity ended would cancel requests that completed long ago.
    await run(activityEnv({ startToCloseTimeoutMs: 3_000 }), activities().listToolsDirect, { server: weather(), retry });
    await sleep(1_300);
    assert.equal(proxy.count('notifications/cancelled'), 0);
  });

  it('an error result of a read-only tool is a retryable execution_error with details and the table delay', async () => {
    const { tools } = await run(activityEnv(), activities().listToolsDirect, { server: weather(), retry });
    const tool = discoveredToolFromListed(
      tools.find((each) => each.name === 'get_current_weather')!,
      'weather',
    );
    demo.setFaults({ failNext: { count: 1, kind: 'tool_error' } });
    const env = activityEnv({ attempt: 2 });
    const failed = await failure(
      run(env, activities().callToolDirect, { server: weather(), tool, arguments: { location: 'Oslo' }, retry, timeout_ms: 10_000 }),
    );
    assert.equal(failed.type, 'execution_error');
    assert.equal(failed.nextRetryDelay, 2000);
    assert.deepEqual(readActivityFailureDetails(failed.details), { type: 'execution_error', retryable: true, retry_after_ms: null, attempt: 2 });
  });

  it("listToolsDirect keeps the server's resolved secrets out of the failure message", async () => {
    // A server that echoes every request header in its 500 answer, as some proxies do.
    const echoing: Server = createServer((req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(JSON.stringify(req.headers)));
    await new Promise<void>((resolve) => echoing.listen(0, '127.0.0.1', () => resolve()));
    try {
      const server: ServerConfig = {
        label: 'leaky',
        url: `http://127.0.0.1:${(echoing.address() as AddressInfo).port}/mcp`,
        require_approval: 'never',
        headers: { 'x-api-key': { env: 'LEAKY_KEY' } },
      };
      const env = { LEAKY_KEY: 'plain-header-secret-42' };
      const failed = await failure(run(activityEnv(), activities(env).listToolsDirect, { server, retry }));
      assert.equal(failed.type, 'connection');
      assert.match(failed.message, /x-api-key":"\*\*\*"/);
      assert.doesNotMatch(failed.message, /plain-header-secret-42/);
    } finally {
      echoing.closeAllConnections();
      await new Promise<void>((resolve) => echoing.close(() => resolve()));
    }
  });

  describe('a server that never answers', () => {
    let silent: Awaited<ReturnType<typeof silentServer>>;
    before(async () => {
      silent = await silentServer();
    });
    after(() => silent.close());
    const server = (): ServerConfig => ({ label: 'silent', url: silent.url, require_approval: 'never' });

    it("listToolsDirect gives up before the activity's start-to-close timeout (from its info), as a timeout", async () => {
      const started = Date.now();
      const env = activityEnv({ startToCloseTimeoutMs: 3_000 });
      const failed = await failure(run(env, activities().listToolsDirect, { server: server(), retry }));
      assert.equal(failed.type, 'timeout');
      assert.ok(Date.now() - started < 2_900, `took ${Date.now() - started} ms`);
    });

    it('listToolsDirect follows timeout_ms when the workflow passes it', async () => {
      const started = Date.now();
      const env = activityEnv({ startToCloseTimeoutMs: 60_000 });
      const failed = await failure(run(env, activities().listToolsDirect, { server: server(), retry, timeout_ms: 3_000 }));
      assert.equal(failed.type, 'timeout');
      assert.ok(Date.now() - started < 2_900, `took ${Date.now() - started} ms`);
    });

    it('a cancelled activity stops waiting at once', async () => {
      const started = Date.now();
      const env = activityEnv({ startToCloseTimeoutMs: 60_000 });
      const running = run(env, activities().listToolsDirect, { server: server(), retry });
      setTimeout(() => env.cancel(), 100);
      await failure(running);
      assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    });
  });
});
