/**
 * The destination guard on real connections, with a planted resolver (never real traffic to a
 * refused address): a hostname is refused by the address it resolves to at connect time (DNS
 * rebinding), the resolved address is the one connected to, and direct-mode activities turn a
 * refusal into a non-retryable failure naming the rule.
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, McpConnectionPool } from '../../activities';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import { DestinationRefusedError, findDestinationRefusal, guardedFetch } from '../../src/net/destination-guard';
import { runCli } from '../cli/harness';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';

let hostile: HostileServer;
before(async () => {
  hostile = await startHostileServer();
});
after(() => hostile?.close());

/** A resolver that answers from a table and counts its lookups. */
function plantedLookup(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup = (hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`planted lookup: ${hostname} unknown`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { lookup, asked };
}

async function refusal(promise: Promise<unknown>): Promise<DestinationRefusedError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (caught: unknown) => caught,
  );
  const found = findDestinationRefusal(error);
  assert.ok(found, `not a destination refusal: ${String(error)}`);
  return found;
}

describe('destination guard', () => {
  it('a hostname resolving to a metadata, link-local or private address is refused at connect time', async () => {
    const port = new URL(hostile.url).port;
    const planted = plantedLookup({
      'metadata.evil.test': ['169.254.169.254'],
      'mapped.evil.test': ['::ffff:169.254.169.254'],
      'v6meta.evil.test': ['fd00:ec2::254'],
      'intranet.evil.test': ['93.184.216.34', '10.0.0.7'],
    });
    for (const [host, rule] of [
      ['metadata.evil.test', 'metadata'],
      ['mapped.evil.test', 'metadata'],
      ['v6meta.evil.test', 'metadata'],
      ['intranet.evil.test', 'private'],
    ] as const) {
      const refused = await refusal(
        guardedFetch(rule === 'metadata' ? true : 'loopback', { lookup: planted.lookup })(`http://${host}:${port}/mcp`, { method: 'POST', body: '{}' }),
      );
      assert.equal(refused.rule, rule, host);
      assert.match(refused.message, new RegExp(`${host} → `));
    }
    assert.equal(hostile.calls, 0);
  });

  it('the checked address is the one connected to: a name planted on loopback reaches the loopback server only when allowed', async () => {
    const port = new URL(hostile.url).port;
    const planted = plantedLookup({ 'rebind.evil.test': ['127.0.0.1'] });
    const allowed = await guardedFetch('loopback', { lookup: planted.lookup })(`http://rebind.evil.test:${port}/mcp`, { method: 'GET' });
    assert.equal(allowed.status, 405, 'the loopback server answered');
    const refused = await refusal(guardedFetch(false, { lookup: planted.lookup })(`http://rebind.evil.test:${port}/mcp`, { method: 'GET' }));
    assert.equal(refused.rule, 'loopback');
    assert.deepEqual(planted.asked, ['rebind.evil.test', 'rebind.evil.test'], 'each connection looked the name up');
  });

  it('URLs with another scheme or a refused literal never connect', async () => {
    for (const [url, rule] of [
      ['file:///etc/passwd', 'scheme'],
      ['gopher://127.0.0.1:70/', 'scheme'],
      ['http://0.0.0.0:9/mcp', 'unspecified'],
      ['http://[::ffff:a9fe:a9fe]/', 'metadata'],
      ['http://192.168.1.1/mcp', 'private'],
    ] as const) {
      assert.equal((await refusal(guardedFetch('loopback')(url))).rule, rule, url);
    }
  });

  it('direct mode: a refused destination fails the activity at once, non-retryable, naming the rule', async () => {
    const activities = createActivities({ env: {}, mcpConnections: new McpConnectionPool(), allowPrivateNetworks: false });
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    for (const [url, rule] of [
      [hostile.url, 'loopback'],
      ['http://10.1.2.3:8801/mcp', 'private'],
      ['http://169.254.169.254/mcp', 'metadata'],
    ] as const) {
      const error = await env
        .run(activities.listToolsDirect, { server: { label: 'x', url, require_approval: 'never' as const }, retry: DEFAULT_RETRY_SETTINGS, timeout_ms: 5_000 })
        .then(
          () => assert.fail('expected a refusal'),
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, new RegExp(`destination refused \\(${rule}\\)`));
    }
    assert.equal(hostile.calls, 0, 'the loopback server was never called');
  });

  it('the CLI refuses a server URL with another scheme or a metadata address: exit 2 naming the rule', async () => {
    for (const [spec, rule] of [
      ['x=gopher://example.com/', 'scheme'],
      ['x=file:///etc/passwd', 'scheme'],
      ['x=http://169.254.169.254/mcp', 'metadata'],
    ] as const) {
      const run = await runCli(['query', 'hi', '--no-wait', '--server', spec], { via: 'source', env: { TEMPORAL_ADDRESS: '127.0.0.1:9' } });
      assert.equal(run.code, 2, `${spec}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`destination refused \\(${rule}\\)`));
    }
  });
});
