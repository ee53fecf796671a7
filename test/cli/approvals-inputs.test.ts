/**
 * `mcpflow approvals list` shows what runs wait for: approvals, and the questions an MCP
 * 2026-07-28 server asked a direct-mode query (both set McpState = waiting_approval), each with
 * the command that answers it. Real dev server, emulator, demo server and CLI.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { SCRIPT_METADATA_KEY, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { answerUpdate, progressQuery } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { runCli } from './harness';

let emulator: EmulatorHandle;
let calendar: DemoServerHandle;
let env: TestEnv;

before(async () => {
  [emulator, calendar, env] = await Promise.all([startEmulator(), startDemoServer('calendar', { protocol: '2026-07-28' }), getTestEnv()]);
});
after(async () => {
  await Promise.all([emulator?.close(), calendar?.close()]);
  await teardownTestEnv();
});

describe('mcpflow approvals list', () => {
  it("lists a server's question next to the approvals, with the answer command", async () => {
    const taskQueue = uniqueTaskQueue('approvals-inputs');
    // A label of its own: the list is narrowed to this run's server among every run of the dev server.
    const label = `cal_${randomUUID().slice(0, 8)}`;
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {} }) }, async (testEnv) => {
      const handle = await testEnv.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('approvals-inputs'),
        args: [
          {
            query: 'Book the planning meeting',
            mode: 'direct',
            servers: [{ label, url: calendar.url, require_approval: 'never' }],
            metadata: {
              [SCRIPT_METADATA_KEY]: JSON.stringify({
                calls: [{ tool: `${label}__book_meeting`, arguments: { title: 'Planning', date: 'today', start_time: '10:00' } }],
              }),
            },
          },
        ],
      });
      try {
        const deadline = Date.now() + 30_000;
        while (!((await handle.query(progressQuery)).pending_input ?? []).length) {
          assert.ok(Date.now() < deadline, 'the server asked its question in time');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const cliEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace };
        // Visibility is eventually consistent: the state reaches the list a moment after the query sees it.
        let listed = await runCli(['approvals', 'list', '--server', label], { via: 'source', env: cliEnv });
        for (let tries = 0; !listed.stdout.includes('question(s)') && tries < 50; tries += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          listed = await runCli(['approvals', 'list', '--server', label], { via: 'source', env: cliEnv });
        }
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(listed.stdout, /No pending approvals\./);
        assert.match(listed.stdout, /1 question\(s\) from MCP servers waiting for `mcpflow answer`/);
        assert.match(listed.stdout, new RegExp(`mcpflow answer ${handle.workflowId} input-1 --json '\\{\\.\\.\\.\\}'`));
        assert.match(listed.stdout, /book_meeting/);

        // --json keeps its shape: the approval rows only; the question is said on stderr.
        const json = await runCli(['approvals', 'list', '--server', label, '--json'], { via: 'source', env: cliEnv });
        assert.equal(json.code, 0, json.stderr);
        assert.deepEqual(JSON.parse(json.stdout), []);
        assert.match(json.stderr, /input-1/);
      } finally {
        await handle.executeUpdate(answerUpdate, { args: [{ action: 'decline' }] }).catch(() => undefined);
      }
      assert.equal((await handle.result()).success, true);
    });
  });
});
