/**
 * What a run says it does while it waits on an MCP 2026-07-28 server: a question (elicitation)
 * is its own state, `waiting_input` (progress, the McpState search attribute, the label), not an
 * approval; a tool running as a task says so instead of "asking the model". Real dev server,
 * emulator and 2026 demo calendar; a worker in this process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { SCRIPT_METADATA_KEY, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { answerUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

let emulator: EmulatorHandle;
let calendar: DemoServerHandle;

before(async () => {
  [emulator, calendar] = await Promise.all([startEmulator(), startDemoServer('calendar', { protocol: '2026-07-28', taskPollIntervalMs: 200 }), getTestEnv()]);
});
after(async () => {
  await Promise.all([emulator?.close(), calendar?.close()]);
  await teardownTestEnv();
});

/** The script names the MCP server and tool, as in hosted mode; direct mode offers it as calendar__<tool>. */
function scripted(tool: string, args: Record<string, unknown>): QueryInput {
  return {
    query: `Please use ${tool}`,
    mode: 'direct',
    servers: [{ label: 'calendar', url: calendar.url, require_approval: 'never' }],
    retry: { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 },
    metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ server: 'calendar', tool, arguments: args }] }) },
  };
}

function withRun(input: QueryInput, body: (handle: WorkflowHandle<typeof runQuery>) => Promise<void>): Promise<void> {
  const taskQueue = uniqueTaskQueue('waiting-labels');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {} }) }, async (env) =>
    body(await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('waiting-labels'), args: [input] })),
  );
}

describe('what a waiting run says it waits for', () => {
  it('a question from the server is state waiting_input (progress, McpState, label), answered with `answer`', async () => {
    calendar.reset();
    await withRun(scripted('book_meeting', { title: 'Planning', date: 'tomorrow', start_time: '10:00' }), async (handle) => {
      const waiting = await waitFor(
        () => handle.query(progressQuery),
        (progress) => (progress.pending_input ?? []).length > 0,
        'the question',
      );
      assert.equal(waiting.state, 'waiting_input');
      assert.deepEqual(waiting.pending_approvals, []);
      assert.ok(
        waiting.events.some((event) => event.message.startsWith('Waiting for an answer: waiting for input to calendar · book_meeting')),
        JSON.stringify(waiting.events),
      );
      assert.ok(!waiting.events.some((event) => event.message.startsWith('Waiting for approval')), 'not shown as an approval');
      const attributes = (
        await waitFor(
          () => handle.describe(),
          (description) => String(description.searchAttributes['McpState']) === 'waiting_input',
          'McpState',
        )
      ).searchAttributes;
      assert.deepEqual(attributes['McpState'], ['waiting_input']);

      await handle.executeUpdate(answerUpdate, {
        args: [{ request_id: waiting.pending_input![0]!.id, action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } }],
      });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.match(result.tool_calls[0]?.output ?? '', /Booked Planning \(with dana@example.com\)/);
      await saveHistoryFixture(handle, 'query-direct-mcp2026-elicitation-own-state');
    });
  });

  it('a tool running as a task: progress says "running a tool task", not "asking the model"', async () => {
    calendar.reset();
    await withRun(scripted('export_calendar', { date: 'today', work_ms: 600_000 }), async (handle) => {
      const working = await waitFor(
        () => handle.query(progressQuery),
        (progress) => (progress.tasks ?? []).some((task) => task.status === 'working'),
        'a working task',
      );
      const progress = working.tasks?.length ? await handle.query(progressQuery) : working;
      assert.equal(progress.state, 'executing');
      assert.match(progress.detail, /^running a tool task: calendar · export_calendar \(task /);
      assert.doesNotMatch(progress.detail, /asking the model/);
      await handle.cancel();
    });
  });
});
