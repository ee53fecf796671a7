/**
 * A token store reached through a symlink (dotfiles, a mounted secret directory) is edited where
 * it lives: `mcpflow auth --forget` removes the tokens from the target and leaves the link.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTokenStore, updateTokenStore, type StoredServer } from '../../src/auth/token-store';
import { runCli } from '../cli/harness';

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

describe('a symlinked token store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-store-link-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('`mcpflow auth --forget` removes the tokens from the target file and keeps the link', async () => {
    const target = path.join(dir, 'secrets', 'tokens.json');
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const forgotten = 'http://127.0.0.1:9101/mcp';
    const kept = 'http://127.0.0.1:9102/mcp';
    await updateTokenStore(target, forgotten, () => entry(forgotten, 'forget-me-token'));
    await updateTokenStore(target, kept, () => entry(kept, 'keep-me-token'));
    // A relative link, two hops: the chain is followed to the end.
    const middle = path.join(dir, 'middle.json');
    const link = path.join(dir, 'home', 'oauth-tokens.json');
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(path.relative(dir, target), middle);
    await symlink(path.relative(path.dirname(link), middle), link);

    const run = await runCli(['auth', 'cal', '--forget', '--server', `cal=${forgotten},auth=oauth`], { env: { MCPFLOW_TOKEN_STORE: link } });
    assert.equal(run.code, 0, run.stderr);

    assert.ok((await lstat(link)).isSymbolicLink(), 'the link is still a link');
    assert.equal(await readlink(link), path.relative(path.dirname(link), middle));
    assert.ok((await lstat(middle)).isSymbolicLink());
    const text = await readFile(target, 'utf8');
    assert.doesNotMatch(text, /forget-me-token/, 'the target no longer holds the forgotten tokens');
    assert.match(text, /keep-me-token/);
    assert.deepEqual(Object.keys((await readTokenStore(link)).servers), Object.keys((await readTokenStore(target)).servers));
    assert.equal((await lstat(target)).mode & 0o777, 0o600);
  });

  it('a dangling link gets its target created, not replaced by a file', async () => {
    const target = path.join(dir, 'later', 'tokens.json');
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const link = path.join(dir, 'dangling.json');
    await symlink(target, link);
    await updateTokenStore(link, 'http://127.0.0.1:9103/mcp', () => entry('http://127.0.0.1:9103/mcp', 'new-token'));
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.match(await readFile(target, 'utf8'), /new-token/);
  });
});
