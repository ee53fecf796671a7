/** The OAuth token store on a real file system: where it is, who may read it, concurrent writers, bad content. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTokenStore, storedSecretValues, tokenStorePath, TokenStoreError, updateTokenStore, type StoredServer } from '../../src/auth/token-store';

function entry(url: string, token: string): StoredServer {
  return {
    label: 'x',
    server_url: url,
    issuer: 'http://127.0.0.1:1/',
    redirect_url: 'http://127.0.0.1:2/callback',
    client: { client_id: 'c' },
    tokens: { access_token: token, token_type: 'Bearer', refresh_token: `${token}-refresh` },
    discovery: { authorizationServerUrl: 'http://127.0.0.1:1/' },
    updated_at: new Date(0).toISOString(),
  };
}

describe('OAuth token store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('MCPFLOW_TOKEN_STORE, else XDG_STATE_HOME, else ~/.local/state', () => {
    assert.equal(tokenStorePath({ MCPFLOW_TOKEN_STORE: '/srv/t.json', XDG_STATE_HOME: '/x' }), '/srv/t.json');
    assert.equal(tokenStorePath({ XDG_STATE_HOME: '/x' }), '/x/mcpflow/oauth-tokens.json');
    assert.match(tokenStorePath({}), /\.local\/state\/mcpflow\/oauth-tokens\.json$/);
  });

  it('concurrent updates all land; the file is 0600 in a 0700 directory; the values are known secrets', async () => {
    const file = path.join(dir, 'nested', 'tokens.json');
    const urls = Array.from({ length: 8 }, (_, index) => `http://127.0.0.1:${9000 + index}/mcp`);
    await Promise.all(urls.map((url, index) => updateTokenStore(file, url, () => entry(url, `token-${index}`))));
    const { servers } = await readTokenStore(file);
    assert.deepEqual(Object.keys(servers).sort(), [...urls].sort());
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    assert.deepEqual(storedSecretValues(file, urls[3]!), ['token-3', 'token-3-refresh']);
    // The synchronous reader sees a change at once.
    await updateTokenStore(file, urls[3]!, () => entry(urls[3]!, 'token-3b'));
    assert.deepEqual(storedSecretValues(file, urls[3]!), ['token-3b', 'token-3b-refresh']);
    await updateTokenStore(file, urls[3]!, () => undefined);
    assert.deepEqual(storedSecretValues(file, urls[3]!), []);
    assert.equal(Object.keys((await readTokenStore(file)).servers).length, 7);
  });

  it('refuses a store others can read and one that is not its format, saying how to fix it', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{"version":1,"servers":{}}', { mode: 0o600 });
    await chmod(file, 0o640);
    await assert.rejects(
      readTokenStore(file),
      (error: unknown) => error instanceof TokenStoreError && /can be read by other users \(mode 640\): run chmod 600/.test(error.message),
    );
    await chmod(file, 0o600);
    await writeFile(file, 'not json');
    await assert.rejects(readTokenStore(file), /is not valid JSON: delete it and sign in again with `mcpflow auth <label>`/);
    await writeFile(file, '{"version":2}');
    await assert.rejects(readTokenStore(file), /is not in mcpflow's format/);
    assert.deepEqual(storedSecretValues(file, 'http://127.0.0.1:1/mcp'), [], 'an unreadable store has no values (and does not throw)');
    assert.deepEqual((await readTokenStore(path.join(dir, 'missing.json'))).servers, {});
    assert.equal(await readFile(file, 'utf8'), '{"version":2}', 'nothing was overwritten');
  });
});
