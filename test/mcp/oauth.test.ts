/**
 * OAuth-protected MCP servers, on real components: an authorization server and a protected MCP
 * server on loopback (the SDK's server-side auth, ./fixtures/oauth-server.ts), the real
 * `mcpflow auth` command (the test plays the browser and follows the redirects), the Temporal dev
 * server, the emulator and a worker whose token store is a temporary file.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import { oauthProviderFor } from '../../activities/mcp/auth';
import { parseServerSpec } from '../../src/config/server-spec';
import { ServerConfigSchema } from '../../src/core/servers';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { catalogQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { collect, runCli, startCli, waitForOutput } from '../cli/harness';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { startOAuthTestServer, type OAuthTestServer } from './fixtures/oauth-server';

const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

describe('OAuth server config', () => {
  it('"auth": { "oauth": true } on HTTP servers only, never together with a token reference', () => {
    assert.deepEqual(parseServerSpec('secure=http://127.0.0.1:1/mcp,auth=oauth,approval=never'), {
      label: 'secure',
      url: 'http://127.0.0.1:1/mcp',
      auth: { oauth: true },
      require_approval: 'never',
      inline: true,
    });
    assert.deepEqual(parseServerSpec('t=http://127.0.0.1:1/mcp,auth=env:T_TOKEN').authorization, { env: 'T_TOKEN' });
    const problem = (input: unknown) => {
      const parsed = ServerConfigSchema.safeParse(input);
      assert.equal(parsed.success, false);
      return parsed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    };
    assert.match(problem({ label: 'x', url: 'http://127.0.0.1:1/mcp', auth: { oauth: true }, authorization: { env: 'X' } }), /auth: give either "auth"/);
    assert.match(problem({ label: 'x', url: 'http://127.0.0.1:1/mcp', auth: { oauth: false } }), /must be true/);
    assert.match(problem({ label: 'x', url: 'http://127.0.0.1:1/mcp', auth: { oauth: true, token: 'abc' } }), /token/);
    assert.match(problem({ label: 'x', command: 'node', auth: { oauth: true } }), /auth: a stdio server takes no OAuth settings/);
  });
});

describe('OAuth-protected server in direct mode', () => {
  const stack = useOfflineStack();
  let oauth: OAuthTestServer;
  let dir: string;
  let store: string;
  let pool: McpConnectionPool;
  const taskQueue = uniqueTaskQueue('oauth');

  before(async () => {
    oauth = await startOAuthTestServer();
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-oauth-'));
    store = path.join(dir, 'state', 'oauth-tokens.json');
    pool = new McpConnectionPool();
  });
  after(async () => {
    await pool.close();
    await oauth.close();
    await rm(dir, { recursive: true, force: true });
  });

  const server = () => ({ label: 'secure', url: oauth.url, auth: { oauth: true as const }, require_approval: 'never' as const, inline: true as const });
  const whoami = (): QueryInput => ({
    query: 'Who am I to the secure server?',
    mode: 'direct',
    servers: [server()],
    retry,
    metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ tool: 'secure__whoami' }], answer: 'done' }) },
  });

  function withOAuthWorker<T>(body: (run: (input: QueryInput) => ReturnType<typeof startAndWait>) => Promise<T>): Promise<T> {
    const activities = createActivities({
      serverRegistry: { servers: [], allowInline: true },
      openaiBaseURL: stack.emulator.url,
      env: { MCPFLOW_TOKEN_STORE: store },
      mcpConnections: pool,
    });
    return withWorker({ taskQueue, activities }, (env) => body((input) => startAndWait(env.client, input)));
  }

  async function startAndWait(client: Parameters<Parameters<typeof withWorker>[1]>[0]['client'], input: QueryInput) {
    const handle = await client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('oauth'), args: [input] });
    const result = await handle.result().then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error: error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error) }),
    );
    return { handle, ...result, history: JSON.stringify(await handle.fetchHistory()) };
  }

  function cliEnv() {
    return { TEMPORAL_ADDRESS: stack.env.address, TEMPORAL_NAMESPACE: stack.env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, MCPFLOW_TOKEN_STORE: store };
  }

  /** `mcpflow auth secure`, with the test as the browser: open the printed URL, follow the redirect to the loopback listener. */
  async function signInWithCli() {
    const child = startCli(['auth', 'secure', '--server', `secure=${oauth.url},auth=oauth`, '--no-browser'], { via: 'source', env: cliEnv() });
    const done = collect(child, 60_000);
    const [url] = await waitForOutput(child, /^http\S+$/m);
    assert.ok(url.startsWith(new URL('/authorize', oauth.issuer).href), url);
    const authorization = new URL(url);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
    assert.equal(authorization.searchParams.get('resource'), oauth.url, 'RFC 8707 resource indicator');
    assert.ok(authorization.searchParams.get('state'));
    const approved = await fetch(url, { redirect: 'manual' });
    assert.equal(approved.status, 302);
    const callback = approved.headers.get('location')!;
    assert.match(callback, /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    // A forged answer (another state) is refused and the sign-in keeps waiting.
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    assert.equal((await fetch(forged)).status, 400);
    const page = await fetch(callback);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /signed in/);
    return done;
  }

  it('without a sign-in: fails at once, non-retryable, naming `mcpflow auth <label>`; the CLI exits 1', async () => {
    await withOAuthWorker(async (run) => {
      const outcome = await run(whoami());
      assert.match(outcome.error ?? '', /authentication/);
      assert.match(outcome.error ?? '', /server secure: no OAuth token for .* in the token store: run `mcpflow auth secure`/);
      // Non-retryable: the one listing activity ran once.
      const failures = [...outcome.history.matchAll(/"activityTaskFailedEventAttributes"/g)].length;
      assert.equal(failures, 1, 'one failed attempt, no retries');
      assert.equal(oauth.calls, 0);

      const cli = await runCli(['query', 'Who am I?', '--mode', 'direct', '--server', `secure=${oauth.url},auth=oauth,approval=never`], {
        via: 'source',
        env: cliEnv(),
      });
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout + cli.stderr, /mcpflow auth secure/);
    });
  });

  it('`mcpflow auth` signs in (discovery, registration, PKCE) and writes a 0600 token store; the query then works and no token reaches history', async () => {
    const signedIn = await signInWithCli();
    assert.equal(signedIn.code, 0, signedIn.stderr);
    assert.match(signedIn.stderr, /Signed in to secure .* token stored in .*oauth-tokens\.json/);
    assert.equal((await stat(store)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(store))).mode & 0o777, 0o700);
    assert.deepEqual(oauth.provider.counts, { registrations: 1, authorizations: 1, codeExchanges: 1, refreshes: 0 });
    const saved = JSON.parse(await readFile(store, 'utf8'));
    const entry = saved.servers[oauth.url];
    assert.equal(entry.issuer, oauth.issuer);
    const listed = await runCli(['auth', '--list', '--json'], { via: 'source', env: cliEnv() });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).servers.map((row: Record<string, unknown>) => [row.label, row.server_url, row.refreshable, row.expired]),
      [['secure', oauth.url, true, false]],
    );
    assert.ok(!listed.stdout.includes(entry.tokens.access_token), '--list never shows a token');
    assert.match(entry.tokens.access_token, /^at-/);
    assert.match(entry.tokens.refresh_token, /^rt-/);

    await withOAuthWorker(async (run) => {
      const outcome = await run(whoami());
      assert.equal(outcome.error, undefined);
      assert.equal(outcome.value?.success, true, outcome.value?.error ?? '');
      const [call] = outcome.value!.tool_calls;
      assert.equal(call?.status, 'completed');
      // The server echoed the header: the token comes back hidden.
      assert.equal(call?.output, 'you sent: Bearer ***');
      for (const secret of [entry.tokens.access_token, entry.tokens.refresh_token]) assert.ok(!outcome.history.includes(secret), 'no token in history');
    });
  });

  it('hosted mode: the model platform gets the stored token as `authorization`; it never reaches history', async () => {
    const { tokens } = JSON.parse(await readFile(store, 'utf8')).servers[oauth.url];
    await withOAuthWorker(async (run) => {
      const outcome = await run({
        ...whoami(),
        mode: 'hosted',
        metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ server: 'secure', tool: 'whoami' }], answer: 'done' }) },
      });
      assert.equal(outcome.value?.success, true, outcome.error ?? outcome.value?.error ?? '');
      assert.equal(outcome.value?.tool_calls[0]?.output, 'you sent: Bearer ***');
      for (const secret of [tokens.access_token, tokens.refresh_token]) assert.ok(!outcome.history.includes(secret), 'no token in history');
    });
  });

  it('an access token the server no longer accepts is refreshed by the worker, with no person involved', async () => {
    const before = JSON.parse(await readFile(store, 'utf8')).servers[oauth.url];
    oauth.provider.expireAccessTokens();
    await withOAuthWorker(async (run) => {
      const outcome = await run(whoami());
      assert.equal(outcome.value?.success, true, outcome.error ?? outcome.value?.error ?? '');
      assert.equal(oauth.provider.counts.refreshes, 1);
      const after = JSON.parse(await readFile(store, 'utf8')).servers[oauth.url];
      assert.notEqual(after.tokens.access_token, before.tokens.access_token);
      assert.notEqual(after.tokens.refresh_token, before.tokens.refresh_token, 'the rotated refresh token is stored');
      for (const secret of [before.tokens.access_token, after.tokens.access_token, after.tokens.refresh_token]) assert.ok(!outcome.history.includes(secret));
      assert.equal((await stat(store)).mode & 0o777, 0o600);

      // The store says the token has expired: the worker refreshes before it asks, without a 401 first.
      const saved = JSON.parse(await readFile(store, 'utf8'));
      saved.servers[oauth.url].expires_at = Date.now() - 1_000;
      await writeFile(store, JSON.stringify(saved), { mode: 0o600 });
      const next = await run(whoami());
      assert.equal(next.value?.success, true, next.error ?? next.value?.error ?? '');
      assert.equal(oauth.provider.counts.refreshes, 2);
      const refreshed = JSON.parse(await readFile(store, 'utf8')).servers[oauth.url];
      assert.ok(refreshed.expires_at > Date.now(), 'the new expiry is stored');

      // Three calls at once (a fresh catalog: no listing first) need a refresh: one is made for all
      // of them (the server rotates refresh tokens, so a second refresh would be refused).
      const catalog = await next.handle.query(catalogQuery);
      saved.servers[oauth.url] = { ...refreshed, expires_at: Date.now() - 1_000 };
      await writeFile(store, JSON.stringify(saved), { mode: 0o600 });
      const three = await run({
        ...whoami(),
        catalog,
        metadata: {
          [SCRIPT_METADATA_KEY]: JSON.stringify({
            calls: [{ tool: 'secure__whoami' }, { tool: 'secure__whoami' }, { tool: 'secure__whoami' }],
            answer: 'done',
          }),
        },
      });
      assert.equal(three.value?.success, true, three.error ?? three.value?.error ?? '');
      assert.deepEqual(
        three.value?.tool_calls.map((call) => call.status),
        ['completed', 'completed', 'completed'],
      );
      assert.equal(oauth.provider.counts.refreshes, 3, 'one refresh for the three calls');

      // The provider alone, as a transport asks it before every request: a valid token, refreshed first.
      const latest = JSON.parse(await readFile(store, 'utf8'));
      latest.servers[oauth.url].expires_at = Date.now() - 1_000;
      await writeFile(store, JSON.stringify(latest), { mode: 0o600 });
      const token = await oauthProviderFor(server(), { MCPFLOW_TOKEN_STORE: store })?.token();
      assert.equal(oauth.provider.counts.refreshes, 4);
      assert.equal(token, JSON.parse(await readFile(store, 'utf8')).servers[oauth.url].tokens.access_token);
      assert.notEqual(token, latest.servers[oauth.url].tokens.access_token);
      assert.equal(
        oauthProviderFor({ label: 'plain', url: oauth.url, require_approval: 'never' }, { MCPFLOW_TOKEN_STORE: store }),
        undefined,
        'no OAuth, no provider',
      );
    });
  });

  it('an expired token without a refresh token: non-retryable, naming the command; a store others can read is refused', async () => {
    const saved = JSON.parse(await readFile(store, 'utf8'));
    const entry = saved.servers[oauth.url];
    delete entry.tokens.refresh_token;
    entry.expires_at = Date.now() - 60_000;
    await writeFile(store, JSON.stringify(saved), { mode: 0o600 });
    await withOAuthWorker(async (run) => {
      const expired = await run(whoami());
      assert.match(expired.error ?? '', /server secure: the OAuth access token expired and there is no refresh token: run `mcpflow auth secure`/);

      // A token the server refuses (401) before its expiry, and nothing to refresh it with: the same, said so.
      const { access_token: accessToken, ...withoutAccess } = entry.tokens;
      entry.tokens = { ...withoutAccess, access_token: 'at-revoked' };
      entry.expires_at = Date.now() + 3_600_000;
      await writeFile(store, JSON.stringify(saved), { mode: 0o600 });
      const revoked = await run(whoami());
      assert.match(revoked.error ?? '', /server secure: the server refused the OAuth access token and there is no refresh token: run `mcpflow auth secure`/);
      entry.tokens.access_token = accessToken;
      entry.expires_at = Date.now() - 60_000;

      // A refresh token the authorization server refuses: the same, with the server's reason.
      entry.tokens.refresh_token = 'rt-unknown';
      await writeFile(store, JSON.stringify(saved), { mode: 0o600 });
      const refused = await run(whoami());
      assert.match(refused.error ?? '', /server secure: the authorization server refused to refresh the token \(invalid_grant\): run `mcpflow auth secure`/);
      assert.ok(!refused.history.includes('rt-unknown'), 'not even a refused token reaches history');

      await writeFile(store, JSON.stringify(saved), { mode: 0o644 });
      const { chmod } = await import('node:fs/promises');
      await chmod(store, 0o644);
      const open = await run(whoami());
      assert.match(open.error ?? '', /the token store .* can be read by other users \(mode 644\): run chmod 600/);
    });
  });

  it('`mcpflow auth` refuses an authorization server whose metadata names another issuer', async () => {
    const fake = await startMismatchedIssuerServer();
    try {
      const run = await runCli(['auth', 'fake', '--server', `fake=${fake.url},auth=oauth`, '--no-browser'], { via: 'source', env: cliEnv() });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /publishes metadata for the issuer https:\/\/elsewhere\.example\/: they must be the same \(RFC 8414/);
      assert.equal(run.stdout, '', 'no authorization URL was shown');
    } finally {
      await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    }
  });

  it('`mcpflow auth` refuses an answer that names another issuer (RFC 9207), without showing its error text', async () => {
    const child = startCli(['auth', 'secure', '--server', `secure=${oauth.url},auth=oauth`, '--no-browser'], { via: 'source', env: cliEnv() });
    const done = collect(child, 60_000);
    const [url] = await waitForOutput(child, /^http\S+$/m);
    const approved = await fetch(url, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    callback.searchParams.set('iss', 'https://elsewhere.example/');
    // A mix-up: the answer of another authorization server, whose error text it chose.
    callback.searchParams.delete('code');
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'visit https://elsewhere.example/phish');
    await fetch(callback);
    const run = await done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /the sign-in answer comes from https:\/\/elsewhere\.example\/, not from/);
    assert.doesNotMatch(run.stderr, /phish/);
  });

  it('`mcpflow auth` refuses an authorization server whose endpoints are plain HTTP off this machine', async () => {
    const fake = await startMismatchedIssuerServer((base) => ({
      issuer: `${base}/as`,
      authorization_endpoint: `${base}/as/authorize`,
      token_endpoint: 'http://as.example/token',
    }));
    try {
      const run = await runCli(['auth', 'fake', '--server', `fake=${fake.url},auth=oauth`, '--no-browser'], { via: 'source', env: cliEnv() });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /token_endpoint http:\/\/as\.example\/token is not HTTPS: refusing to send credentials over it/);
      assert.equal(run.stdout, '', 'no authorization URL was shown');
    } finally {
      await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    }
  });

  it('`mcpflow auth` on a server without "auth": exit 2 naming the fix', async () => {
    const run = await runCli(['auth', 'plain', '--server', 'plain=http://127.0.0.1:1/mcp'], { via: 'source', env: cliEnv() });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /server plain is not an OAuth server: give it "auth": \{ "oauth": true \}/);
  });
});

/**
 * A protected resource whose authorization server's metadata claims to be someone else (a mix-up
 * attempt), or names the endpoints `endpoints` gives.
 */
async function startMismatchedIssuerServer(endpoints?: (base: string) => Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/oauth-protected-resource/mcp') return json(200, { resource: `${base}/mcp`, authorization_servers: [`${base}/as`] });
    if (request.url === '/.well-known/oauth-authorization-server/as') {
      return json(200, {
        issuer: 'https://elsewhere.example/',
        authorization_endpoint: 'https://elsewhere.example/authorize',
        token_endpoint: 'https://elsewhere.example/token',
        registration_endpoint: 'https://elsewhere.example/register',
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        ...endpoints?.(base),
      });
    }
    if (request.url === '/mcp')
      return json(401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"` });
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}
