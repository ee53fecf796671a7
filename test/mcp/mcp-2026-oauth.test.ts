/**
 * An OAuth-protected server on MCP 2026-07-28 in the direct-mode activities: the token from the
 * worker's token store rides every request of the 2026 path (the probe included), is refreshed
 * when due or refused, and a missing sign-in fails at once naming `mcpflow auth`. The server is
 * the SDK 2.x server on the 2026 revision only, behind `requireBearerAuth` (./mcp-2026-oauth-server.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createMcpActivities } from '../../activities/mcp';
import { ProtocolMemory } from '../../activities/mcp/2026/negotiate';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import { readTokenStore, serverKey, updateTokenStore } from '../../src/auth/token-store';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import { discoveredToolFromListed } from '../../src/core/tools';
import { startOAuth2026Server, type OAuth2026Server } from './mcp-2026-oauth-server';

const retry = DEFAULT_RETRY_SETTINGS;
function run<I, O>(activity: (input: I) => Promise<O>, input: I): Promise<O> {
  return new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run<[I], O, typeof activity>(activity, input);
}

describe('an OAuth-protected MCP 2026-07-28 server in direct mode', () => {
  let fixture: OAuth2026Server;
  let dir: string;
  let store: string;
  const pool = new McpConnectionPool(undefined, { log: () => undefined });
  let protocols: ProtocolMemory;
  let activities: ReturnType<typeof createMcpActivities>;
  const secure = (): ServerConfig => ({ label: 'secure', url: fixture.url, auth: { oauth: true }, require_approval: 'never' });

  before(async () => {
    fixture = await startOAuth2026Server();
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-oauth26-'));
    store = path.join(dir, 'state', 'oauth-tokens.json');
  });
  after(async () => {
    await pool.close();
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    protocols = new ProtocolMemory();
    activities = createMcpActivities({ env: { MCPFLOW_TOKEN_STORE: store }, connections: pool, protocols });
    fixture.seen.length = 0;
  });

  /** What `mcpflow auth secure` would have written. */
  async function signIn(expiresAt = Date.now() + 3_600_000) {
    const tokens = fixture.issue('mcpflow-client');
    await updateTokenStore(store, fixture.url, () => ({
      label: 'secure',
      server_url: fixture.url,
      issuer: fixture.issuer,
      redirect_url: 'http://127.0.0.1:1/callback',
      client: { client_id: 'mcpflow-client' },
      tokens,
      expires_at: expiresAt,
      discovery: {
        authorizationServerUrl: fixture.issuer,
        authorizationServerMetadata: {
          issuer: fixture.issuer,
          authorization_endpoint: `${fixture.issuer}authorize`,
          token_endpoint: fixture.tokenEndpoint,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        },
        resourceMetadata: { resource: fixture.url, authorization_servers: [fixture.issuer] },
      },
      updated_at: new Date().toISOString(),
    }));
    return tokens;
  }

  async function whoami() {
    const listed = await run(activities.listToolsDirect, { server: secure(), retry });
    const tool = discoveredToolFromListed(
      listed.tools.find((each) => each.name === 'whoami')!,
      'secure',
    );
    return run(activities.callToolDirect, { server: secure(), tool, arguments: {}, retry, timeout_ms: 10_000 });
  }

  it('without a sign-in: fails at once, non-retryable, naming `mcpflow auth <label>`; nothing reaches the server', async () => {
    await assert.rejects(run(activities.listToolsDirect, { server: secure(), retry }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /run `mcpflow auth secure`/);
      return true;
    });
    assert.deepEqual(fixture.seen, []);
  });

  it('with a stored token: discovery, listing and a call on 2026-07-28, every request carrying the token', async () => {
    const tokens = await signIn();
    const result = await whoami();
    assert.equal(result.output, 'you are mcpflow-client');
    assert.equal(protocols.get(fixture.url)?.era, 'modern');
    const wire = JSON.stringify(fixture.seen);
    assert.deepEqual(
      fixture.seen.map((each) => each.method),
      ['server/discover', 'tools/list', 'tools/call'],
      wire,
    );
    for (const each of fixture.seen) {
      assert.equal(each.era, 'modern', wire);
      assert.equal(each.token, tokens.access_token, wire);
      assert.equal(each.status, 200, wire);
    }
    assert.ok(!result.output.includes(tokens.access_token));
  });

  it('a token about to expire is refreshed first; one the server stopped accepting is refreshed on its 401', async () => {
    await signIn(Date.now() - 1_000);
    const refreshesBefore = fixture.counts.refreshes;
    assert.equal((await whoami()).output, 'you are mcpflow-client');
    assert.equal(fixture.counts.refreshes, refreshesBefore + 1);
    const stored = (await readTokenStore(store)).servers[serverKey(fixture.url)]!;
    assert.equal(fixture.seen.at(-1)?.token, stored.tokens.access_token, 'the refreshed token, written back to the store');

    fixture.expireAccessTokens();
    fixture.seen.length = 0;
    assert.equal((await whoami()).output, 'you are mcpflow-client');
    assert.equal(fixture.counts.refreshes, refreshesBefore + 2);
    assert.equal(fixture.seen[0]?.status, 401);
    assert.ok(
      fixture.seen.every((each) => each.era === 'modern'),
      'the 2026 path kept the call: no fallback to 2025',
    );
  });
});
