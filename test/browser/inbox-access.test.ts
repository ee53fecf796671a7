/**
 * Who may use `mcpflow inbox`: loopback without tokens (decisions named after the OS user), named
 * tokens everywhere else; the token file's rules; and the real command: refused on a non-loopback
 * address without tokens (exit 2, nothing served), serving with a token file (every request
 * without the token refused), `--generate-token` printing a token and the digest that admits it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { userInfo } from 'node:os';
import { McpflowClient } from '../../src/client/client';
import { isLoopbackHost, resolveInboxAccess, tokensFromConfig, tokensFromFile } from '../../src/inbox/auth';
import { redactArguments } from '../../src/inbox/redact';
import { startInbox } from '../../src/inbox/server';
import { getTestEnv, teardownTestEnv, type TestEnv } from '../helpers/temporal';
import { collect, runCli, scratchDir, startCli, waitForOutput } from '../cli/harness';

const TOKEN = 'bob-secret-token-0123456789';

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await teardownTestEnv();
});

function tokenFile(text: string, mode = 0o600): string {
  const file = path.join(scratchDir(), 'inbox-tokens');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('inbox access', () => {
  it('loopback addresses need no token; every other address needs named tokens', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.1.2.3', '192.0.2.10', 'inbox.example.com', '128.0.0.1']) {
      assert.equal(isLoopbackHost(host), false, host);
      assert.throws(() => resolveInboxAccess(host, new Map()), /needs named tokens there/);
    }
    const local = resolveInboxAccess('127.0.0.1', new Map());
    assert.equal(local.kind, 'local');
    assert.ok(local.kind === 'local' && local.name.length > 0);
  });

  it('on loopback without tokens, decisions carry the OS user; a rebound Host is refused', async () => {
    const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace });
    const inbox = await startInbox({ client, access: resolveInboxAccess('127.0.0.1', new Map()), host: '127.0.0.1', port: 0 });
    try {
      const items = await fetch(`${inbox.url}/api/items`);
      assert.equal(items.status, 200);
      assert.equal(((await items.json()) as { me: string }).me, userInfo().username);
      // fetch cannot set Host: a raw request does.
      const rebound = await new Promise<number>((resolve, reject) => {
        const url = new URL(inbox.url);
        const request = httpRequest({ host: url.hostname, port: url.port, path: '/api/items', headers: { host: 'rebound.example' } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      assert.equal(rebound, 403);
    } finally {
      await inbox.close();
    }
  });

  it('shows arguments with secret-looking values hidden', () => {
    assert.deepEqual(
      redactArguments({
        title: 'Planning',
        api_key: 'abc',
        nested: { password: 'hunter2', note: 'call with sk-live0123456789abcdef', empty_token: '' },
        headers: [{ Authorization: 'Bearer abcdefghijkl' }],
      }),
      { title: 'Planning', api_key: '***', nested: { password: '***', note: 'call with sk-***', empty_token: '' }, headers: [{ Authorization: '***' }] },
    );
  });

  it('reads named tokens from a file only it can read, and from the config as digests or env references', () => {
    const tokens = tokensFromFile(tokenFile(`# people\nbob:${TOKEN}\n\ncarol : another-token-abcdefgh\n`));
    assert.deepEqual([...tokens.keys()], ['bob', 'carol']);
    assert.deepEqual(tokens.get('bob'), createHash('sha256').update(TOKEN).digest());
    assert.throws(() => tokensFromFile(tokenFile(`bob:${TOKEN}\n`, 0o644)), /can be read by other users \(mode 644\): run chmod 600/);
    const bad = (() => {
      try {
        tokensFromFile(tokenFile(`bob ${TOKEN}\n`));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    assert.match(bad, /line 1: write name:token/);
    assert.doesNotMatch(bad, new RegExp(TOKEN), 'the line is not quoted back');
    assert.throws(() => tokensFromFile(tokenFile(`bob:${TOKEN}\nbob:${TOKEN}x\n`)), /the name bob is given twice/);
    const digest = createHash('sha256').update(TOKEN).digest('hex');
    const fromConfig = tokensFromConfig({ bob: { sha256: digest }, dana: { env: 'DANA_INBOX_TOKEN' } }, { DANA_INBOX_TOKEN: 'dana-token-0123456789' });
    assert.equal(fromConfig.get('bob')!.toString('hex'), digest);
    assert.throws(() => tokensFromConfig({ dana: { env: 'DANA_INBOX_TOKEN' } }, {}), /refers to DANA_INBOX_TOKEN, which is not set/);
  });

  it('mcpflow inbox on a non-loopback address without tokens exits 2 and serves nothing', async () => {
    const run = await runCli(['inbox', '--host', '0.0.0.0', '--port', '0'], { via: 'source', env: { TEMPORAL_ADDRESS: env.address } });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--host 0\.0\.0\.0 is reachable from other machines: the inbox needs named tokens there/);
    assert.doesNotMatch(run.stdout, /mcpflow inbox on/);
  });

  it('mcpflow inbox --token-file serves only with the token, never printing it', async () => {
    const child = startCli(['inbox', '--port', '0', '--token-file', tokenFile(`bob:${TOKEN}\n`)], {
      via: 'source',
      env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace },
    });
    const done = collect(child, 60_000);
    try {
      const [, url] = await waitForOutput(child, /mcpflow inbox on (http:\/\/\S+) /);
      for (const path of ['/', '/api/items']) assert.equal((await fetch(`${url}${path}`)).status, 401, path);
      const items = await fetch(`${url}/api/items`, { headers: { authorization: `Basic ${Buffer.from(`bob:${TOKEN}`).toString('base64')}` } });
      assert.equal(items.status, 200);
      assert.equal(((await items.json()) as { me: string }).me, 'bob');
    } finally {
      child.kill('SIGTERM');
    }
    const run = await done;
    assert.match(run.stdout, /Named tokens: bob\./);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(TOKEN), 'the token is never printed');
  });

  it('mcpflow inbox --generate-token prints a token and the config entry with its digest', async () => {
    const run = await runCli(['inbox', '--generate-token', 'erin'], { via: 'source' });
    assert.equal(run.code, 0, run.stderr);
    const token = /token for erin .*: (\S+)/.exec(run.stdout)?.[1];
    assert.ok(token && token.length >= 32, run.stdout);
    const digest = createHash('sha256').update(token).digest('hex');
    assert.ok(run.stdout.includes(`"inbox": { "tokens": { "erin": { "sha256": "${digest}" } } }`), run.stdout);
  });
});
