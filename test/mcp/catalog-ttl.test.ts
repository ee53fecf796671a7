/**
 * A 2026-07-28 server's `ttlMs` sets how long its listing stays fresh, with the configured TTL as
 * the upper bound; discoverTools keeps the hints in the catalog (real dev server, real demo server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { isCatalogFresh, type Catalog } from '../../src/core/tools';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { discoverTools } from '../../workflows/discovery';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, getTestEnv, teardownTestEnv } from '../helpers/temporal';

function catalog(fetchedAt: string, hints: { ttl_ms?: number; cache_scope?: 'public' | 'private' } = {}): Catalog {
  return { servers: { calendar: { server_label: 'calendar', status: 'ok', tools: [], fetched_at: fetchedAt, stale: false, error: null, ...hints } } };
}

describe('catalog freshness from the server', () => {
  it('ttl_ms shortens the configured TTL, never lengthens it; 0 is stale at once', () => {
    const at = '2026-11-26T10:00:00.000Z';
    const now = Date.parse(at);
    assert.equal(isCatalogFresh(catalog(at, { ttl_ms: 60_000 }), ['calendar'], now + 59_000, 30 * 60_000), true);
    assert.equal(isCatalogFresh(catalog(at, { ttl_ms: 60_000 }), ['calendar'], now + 61_000, 30 * 60_000), false, 'the server TTL wins when shorter');
    assert.equal(isCatalogFresh(catalog(at, { ttl_ms: 86_400_000 }), ['calendar'], now + 31 * 60_000, 30 * 60_000), false, 'the configured TTL bounds it');
    assert.equal(isCatalogFresh(catalog(at, { ttl_ms: 0 }), ['calendar'], now, 30 * 60_000), false);
    assert.equal(isCatalogFresh(catalog(at), ['calendar'], now + 29 * 60_000, 30 * 60_000), true, 'no hint: the configured TTL as before');
  });

  describe('discoverTools against a 2026-07-28 server', () => {
    let server: DemoServerHandle;
    before(async () => {
      server = await startDemoServer('calendar', { protocol: '2026-07-28', listTtlMs: 90_000 });
      await getTestEnv();
    });
    after(async () => {
      await server.close();
      await teardownTestEnv();
    });

    it('keeps ttl_ms and cache_scope in the catalog entry, tools in the server order', async () => {
      const taskQueue = uniqueTaskQueue('ttl');
      await withWorker({ taskQueue, activities: createActivities({ env: {} }) }, async (env) => {
        const result = await env.client.workflow.execute(discoverTools, {
          taskQueue,
          workflowId: uniqueWorkflowId('ttl'),
          args: [{ mode: 'direct', servers: [{ label: 'calendar', url: server.url, require_approval: 'never' }] }],
        });
        const entry = result.catalog.servers.calendar!;
        assert.equal(entry.status, 'ok', JSON.stringify(entry.error));
        assert.equal(entry.ttl_ms, 90_000);
        assert.equal(entry.cache_scope, 'public');
        assert.deepEqual(
          entry.tools.map((tool) => tool.name),
          ['list_events', 'create_event', 'book_meeting', 'link_calendar', 'export_calendar'],
        );
        const fetched = Date.parse(entry.fetched_at!);
        assert.equal(isCatalogFresh(result.catalog, ['calendar'], fetched + 89_000, 30 * 60_000), true);
        assert.equal(isCatalogFresh(result.catalog, ['calendar'], fetched + 91_000, 30 * 60_000), false);
      });
    });
  });
});
