/**
 * An MCP server's question (elicitation) answered under the server's `approvers` policy: an
 * answer from anyone else is refused by the validator, the answer is recorded with who gave it,
 * and the worker's webhook hears of the question once. Real dev server, emulator, the 2026 demo
 * calendar and a receiver on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import { SCRIPT_METADATA_KEY, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { answerUpdate, progressQuery } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

let emulator: EmulatorHandle;
let calendar: DemoServerHandle;
let receiver: WebhookReceiver;

before(async () => {
  [emulator, calendar, receiver] = await Promise.all([
    startEmulator(),
    startDemoServer('calendar', { protocol: '2026-07-28' }),
    startWebhookReceiver(),
    getTestEnv(),
  ]);
});
after(async () => {
  await Promise.all([emulator?.close(), calendar?.close(), receiver?.close()]);
  await teardownTestEnv();
});

describe('elicitation answers: who answered, and who may', () => {
  it('refuses an answer from outside `approvers`, records the approver, notifies once', async () => {
    const taskQueue = uniqueTaskQueue('elicit-approver');
    const activities = createActivities({ openaiBaseURL: emulator.url, env: {}, notifications: { webhooks: [{ url: receiver.url, format: 'json' }] } });
    await withWorker({ taskQueue, activities }, async (env) => {
      const handle = await env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('elicit-approver'),
        args: [
          {
            query: 'Please book a meeting',
            mode: 'direct',
            servers: [{ label: 'calendar', url: calendar.url, require_approval: 'never', approvers: ['dana'] }],
            retry: { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 },
            metadata: {
              [SCRIPT_METADATA_KEY]: JSON.stringify({
                calls: [{ server: 'calendar', tool: 'book_meeting', arguments: { title: 'Planning', date: 'tomorrow', start_time: '10:00' } }],
              }),
            },
          },
        ],
      });
      const waiting = await waitFor(
        () => handle.query(progressQuery),
        (progress) => (progress.pending_input ?? []).length > 0,
        'the question',
      );
      const question = waiting.pending_input![0]!;
      await waitFor(
        () => receiver.received.length,
        (count) => count === 1,
        'the notification of the question',
      );
      const content = { confirm: true, attendee: 'dana@example.com' };
      await assert.rejects(
        handle.executeUpdate(answerUpdate, { args: [{ request_id: question.id, action: 'accept', content, approver: 'eve' }] }),
        (error: unknown) =>
          error instanceof WorkflowUpdateFailedError && /may be decided only by dana.*"eve" is not one of them/.test(String(error.cause?.message)),
      );
      await handle.executeUpdate(answerUpdate, { args: [{ request_id: question.id, action: 'accept', content, approver: 'dana' }] });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.deepEqual(
        result.tool_calls[0]?.input_answers?.map((answer) => [answer.request_id, answer.action, answer.approver]),
        [[question.id, 'accept', 'dana']],
      );
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.json.kind, 'input');
      assert.equal(receiver.received[0]!.json.message, question.message);
      assert.equal(receiver.received[0]!.json.inbox_url, null, 'no inbox configured: no link');
      await saveHistoryFixture(handle, 'query-direct-mcp2026-elicitation-approver-notified');
    });
  });
});
