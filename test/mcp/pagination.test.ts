/** `tools/list` pages (`nextCursor`) followed inside one listing activity, on a real stdio server and the dev server. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createActivities, McpConnectionPool } from '../../activities';
import { discoverTools } from '../../workflows/discovery';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const SERVER = path.join(__dirname, 'fixtures', 'paged-stdio-server.ts');

describe('paginated tools/list in direct mode', () => {
  const logged: string[] = [];
  const pool = new McpConnectionPool(undefined, { log: (_level, message) => logged.push(message) });
  after(async () => {
    await pool.close();
    await teardownTestEnv();
  });

  it("every page is listed by one activity, in the server's order", async () => {
    await getTestEnv();
    const taskQueue = uniqueTaskQueue('paged');
    await withWorker(
      { taskQueue, activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, env: {}, mcpConnections: pool }) },
      async (env) => {
        const handle = await env.client.workflow.start(discoverTools, {
          taskQueue,
          workflowId: uniqueWorkflowId('paged'),
          args: [
            {
              mode: 'direct',
              servers: [{ label: 'paged', command: process.execPath, args: ['--import', 'tsx', SERVER], require_approval: 'never', inline: true }],
            },
          ],
        });
        const result = await handle.result();
        assert.deepEqual(
          result.servers.map((server) => [server.label, server.status, server.tool_count]),
          [['paged', 'ok', 25]],
        );
        const names = result.catalog.servers.paged!.tools.map((tool) => tool.name);
        assert.equal(names.length, 25);
        assert.deepEqual(
          names,
          Array.from({ length: 25 }, (_, index) => `tool_${String(24 - index).padStart(2, '0')}`),
          "the server's order, page after page",
        );
        assert.deepEqual(
          logged.filter((line) => /list page at/.test(line)).map((line) => /at (\d+)/.exec(line)![1]),
          ['0', '10', '20'],
        );
        const history = await handle.fetchHistory();
        const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
        assert.equal(scheduled.length, 1, 'one listing activity');
      },
    );
  });
});
