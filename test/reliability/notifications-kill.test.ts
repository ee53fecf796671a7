/**
 * Webhook notifications of waits (activities/notify.ts) under failure: a worker SIGKILLed while
 * the run waits, a new worker that replays the history, and a replay of the whole history leave
 * the receiver with exactly one signed notification; a receiver that is down gets it once it is
 * back (retried by the error table). Real components: worker processes, the dev server, the
 * emulator, the demo servers, a receiver on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { reliabilityRows } from '../helpers/reliability-report';
import { getWorkflowBundle, uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { startWorkerProcess } from '../helpers/worker-process';
import { until, waitFor } from '../helpers/wait';
import { signatureValid, startWebhookReceiver } from '../helpers/webhook-receiver';

const stack = useOfflineStack();
const rows = reliabilityRows(26, 'notifications-kill');
after(() => rows.flush());

const SECRET = 'reliability-webhook-secret';
const retry = { max_retries: 3, base_delay_ms: 200, max_delay_ms: 1_000, rate_limit_base_delay_ms: 1_000 };

function seedQuery(): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
    ],
    retry,
  };
}

describe('webhook notifications under failure', () => {
  it('one signed notification per wait across a worker SIGKILL, a new worker and a replay', async () => {
    const receiver = await startWebhookReceiver();
    const taskQueue = uniqueTaskQueue('notify-kill');
    const worker = () =>
      startWorkerProcess({
        address: stack.env.address,
        taskQueue,
        openaiBaseURL: stack.emulator.url,
        notifications: { webhooks: [{ url: receiver.url, secret: { env: 'HOOK_SECRET' } }], inbox_url: 'http://127.0.0.1:8300' },
        env: { HOOK_SECRET: SECRET },
      });
    const first = await worker();
    const second = { current: undefined as Awaited<ReturnType<typeof worker>> | undefined };
    try {
      const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('notify-kill'), args: [seedQuery()] });
      await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
      await until(() => receiver.received.length > 0, 'the notification');
      await first.kill();

      second.current = await worker();
      // The new worker has no cached run: the approval makes it replay the history first.
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] });
      const result = await handle.result();
      assert.equal(result.success, true);
      // And a replay of the whole history sends nothing either (activities do not run on replay).
      await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, await handle.fetchHistory(), handle.workflowId);

      const keys = receiver.received.map((notice) => notice.headers['idempotency-key']);
      assert.equal(receiver.received.length, 1, `one notification, got ${JSON.stringify(keys)}`);
      assert.ok(signatureValid(receiver.received[0]!, SECRET), 'signed with the worker secret');
      assert.equal(receiver.received[0]!.json.workflow_id, handle.workflowId);
      rows.push({
        scenario: 'webhook notification of an approval wait; worker SIGKILL while waiting, new worker replays, history replayed again',
        runs: 1,
        completed: result.success ? 1 : 0,
        lost: 0,
        duplicated: `notifications received: ${receiver.received.length} (expected 1)`,
        expected: 'yes: signature verifies, idempotency key workflow/run/request',
      });
    } finally {
      await second.current?.stop();
      await first.stop();
      await receiver.close();
    }
  });

  it('a receiver that is down gets its notification once it is back', async () => {
    // A port nothing listens on until the receiver comes back.
    const probe = await startWebhookReceiver();
    const port = probe.port;
    await probe.close();
    const taskQueue = uniqueTaskQueue('notify-down');
    const activities = createActivities({
      openaiBaseURL: stack.emulator.url,
      env: { MCPFLOW_WEBHOOK_SECRET: SECRET },
      notifications: { webhooks: [{ url: `http://127.0.0.1:${port}/hook`, format: 'json' }] },
    });
    await withWorker({ taskQueue, activities }, async (env) => {
      const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('notify-down'), args: [seedQuery()] });
      await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
      // The notification is retried: its pending activity has failed at least once (connection refused).
      const described = await waitFor(
        () => handle.describe(),
        (description) =>
          (description.raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'notifyWaiting' && (activity.attempt ?? 0) >= 2),
        'a retried notification',
      );
      const pending = described.raw.pendingActivities!.find((activity) => activity.activityType?.name === 'notifyWaiting')!;
      assert.equal(pending.lastFailure?.applicationFailureInfo?.type, 'connection', 'classified by the error table');
      const receiver = await startWebhookReceiver(port);
      try {
        await until(() => receiver.received.length > 0, 'the notification after the receiver came back');
        assert.ok(signatureValid(receiver.received[0]!, SECRET), 'signed with MCPFLOW_WEBHOOK_SECRET');
        await handle.executeUpdate(approveUpdate, { args: [{}] });
        const result = await handle.result();
        assert.equal(result.success, true);
        assert.equal(receiver.received.length, 1);
        rows.push({
          scenario: 'webhook receiver down when a run starts to wait, back later',
          runs: 1,
          completed: result.success ? 1 : 0,
          lost: 0,
          duplicated: `notifications received: ${receiver.received.length} (expected 1)`,
          expected: 'yes: connection failures retried with backoff, delivered once the receiver is back',
        });
      } finally {
        await receiver.close();
      }
    });
  });
});
