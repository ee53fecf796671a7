/**
 * Direct MCP activities heartbeat while they wait on the server (activities/mcp/deadline.ts), so
 * that the workflow's short heartbeat timeout notices a dead worker; the beats keep the errors of
 * earlier attempts for the next one. MockActivityEnvironment (a real activity context) against
 * the demo calendar server on 127.0.0.1, holding the call with injected latency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createMcpActivities, type DirectCallInput, type DirectCallResult, type DirectListInput, type DirectListResult } from '../../activities/mcp';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import type { RecordedError } from '../../src/core/errors';
import { DEFAULT_RETRY_SETTINGS as retry } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import { discoveredToolFromListed } from '../../src/core/tools';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';

const activityEnv = (info: Partial<Info> = {}) =>
  new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000, ...info }, { logger: new DefaultLogger('ERROR') });

describe('direct MCP activities heartbeat while they wait', () => {
  let calendar: DemoServerHandle;
  const pool = new McpConnectionPool();
  const { listToolsDirect, callToolDirect } = createMcpActivities({ env: {}, connections: pool });
  const server = (): ServerConfig => ({ label: 'calendar', url: calendar.url, require_approval: 'never' });

  before(async () => {
    calendar = await startDemoServer('calendar');
  });
  after(async () => {
    await pool.close();
    await calendar.close();
  });

  it("a call held at the server beats from its start until it ends, naming the call, and keeps the earlier attempts' errors", async () => {
    const listed = await activityEnv().run<[DirectListInput], DirectListResult, typeof listToolsDirect>(listToolsDirect, { server: server(), retry });
    const tool = discoveredToolFromListed(
      listed.tools.find((each) => each.name === 'create_event')!,
      'calendar',
    );
    const earlier: RecordedError[] = [{ type: 'connection', message: 'the first attempt lost its connection', retryable: true }];
    const env = activityEnv({ attempt: 2, heartbeatDetails: { mcpflow_attempt_errors: earlier } });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    calendar.setFaults({ latencyMs: 2_000 });
    try {
      const input: DirectCallInput = { server: server(), tool, arguments: { title: 'Held', date: 'today', start_time: '11:00' }, retry, timeout_ms: 30_000 };
      const result = await env.run<[DirectCallInput], DirectCallResult, typeof callToolDirect>(callToolDirect, input);
      assert.equal(result.is_error, false);
      assert.deepEqual(result.attempt_errors, earlier);
    } finally {
      calendar.setFaults({ latencyMs: 0 });
    }
    assert.ok(beats.length >= 2, `a beat at the start and while the server held the call (${beats.length})`);
    for (const details of beats) assert.deepEqual(details, { doing: 'calling calendar.create_event', mcpflow_attempt_errors: earlier });
  });
});
