/**
 * Decisions with identity, policy and binding (issue 27, items 2-4) on real components: the
 * Temporal dev server, a worker with the real activities, the emulator and the demo MCP servers
 * over HTTP, and a webhook receiver on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { callHash } from '../../src/core/call-hash';
import { findTool } from '../../src/core/tools';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import {
  addServerUpdate,
  approveUpdate,
  catalogQuery,
  denyUpdate,
  executeQueryUpdate,
  historyQuery,
  isQueryStarted,
  progressQuery,
  refreshToolsUpdate,
  rememberApprovalUpdate,
  type QueryInput,
} from '../../workflows/messages';
import { mcpSession } from '../../workflows/session';
import { runQuery } from '../../workflows/query';
import { historyText, saveHistoryFixture } from '../helpers/histories';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const stack = useOfflineStack();
const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };
const SECRET = 'test-webhook-secret-1234';
let receiver: WebhookReceiver;
let slack: WebhookReceiver;

before(async () => {
  [receiver, slack] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
});
after(async () => {
  await Promise.all([receiver?.close(), slack?.close()]);
});

function seedQuery(overrides: Partial<QueryInput> = {}): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always', approvers: { list_events: ['alice'], '*': ['bob'] } },
    ],
    retry,
    ...overrides,
  };
}

function run<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('policy');
  const notifications = {
    webhooks: [
      { url: receiver.url, format: 'json' as const, secret: { env: 'HOOK_SECRET' } },
      { url: slack.url, format: 'slack' as const },
    ],
    inbox_url: 'http://127.0.0.1:8300/',
  };
  const activities = createActivities({ openaiBaseURL: stack.emulator.url, env: { HOOK_SECRET: SECRET }, notifications });
  return withWorker({ taskQueue, activities }, (env) =>
    body((input) => env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('policy/run'), args: [input] })),
  );
}

function waitForPending(handle: WorkflowHandle) {
  return waitFor(
    () => handle.query(progressQuery),
    (progress) => progress.pending_approvals.length > 0,
    'a pending approval',
  );
}

async function refused(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WorkflowUpdateFailedError, `an update refused by its validator, not ${String(error)}`);
    assert.match(String((error as WorkflowUpdateFailedError).cause?.message), pattern);
    return true;
  });
}

describe('approvals: identity, policy, binding, notifications', () => {
  it('refuses decisions from outside `approvers` and for another call_hash; records who decided; notifies once, signed', async () => {
    receiver.received.length = 0;
    slack.received.length = 0;
    await run(async (start) => {
      const handle = await start(seedQuery());
      const {
        pending_approvals: [pending],
      } = await waitForPending(handle);
      assert.ok(pending);
      assert.deepEqual(pending.approvers, ['alice']);
      assert.match(pending.call_hash ?? '', /^[0-9a-f]{64}$/);
      // The recipe of the README, computed again from what the person sees and the catalog.
      const definition = findTool(await handle.query(catalogQuery), pending.tool, pending.server)?.definition_hash ?? null;
      assert.equal(pending.call_hash, callHash({ server: pending.server, tool: pending.tool, arguments: pending.arguments, definition_hash: definition }));

      // The person hears of it (the notification is cancelled once the wait ends: wait for it here).
      await waitFor(
        () => receiver.received.length + slack.received.length,
        (count) => count === 2,
        'both webhooks notified',
      );
      await refused(handle.executeUpdate(approveUpdate, { args: [{ approver: 'mallory' }] }), /only by alice.*"mallory" is not one of them/);
      await refused(handle.executeUpdate(denyUpdate, { args: [{}] }), /only by alice.*names no approver/);
      await refused(
        handle.executeUpdate(approveUpdate, { args: [{ approval_request_id: pending.id, approver: 'alice', call_hash: '0'.repeat(64) }] }),
        /is not the call that was shown/,
      );
      // The refusals left nothing: the request still waits.
      assert.equal((await handle.query(progressQuery)).pending_approvals.length, 1);

      const outcome = await handle.executeUpdate(approveUpdate, {
        args: [{ approval_request_id: pending.id, approver: 'alice', call_hash: pending.call_hash!, reason: 'looks right' }],
      });
      assert.deepEqual(outcome, { answered: [pending.id], approve: true });
      const result = await handle.result();
      assert.equal(result.success, true);
      const calendar = result.tool_calls.find((call) => call.server === 'calendar');
      assert.equal(calendar?.status, 'completed');
      assert.equal(calendar?.decision?.approver, 'alice');
      assert.equal(calendar?.decision?.decided_by, 'person');
      assert.equal(calendar?.decision?.call_hash, pending.call_hash);
      assert.equal(calendar?.decision?.reason, 'looks right');
      const history = await handle.query(historyQuery, { server: 'calendar' });
      assert.equal(history[0]?.decision?.approver, 'alice');

      // One notification per wait and webhook: signed JSON with the inbox link, and Slack's form.
      assert.equal(receiver.received.length, 1);
      const [notice] = receiver.received;
      assert.ok(signatureValid(notice!, SECRET), 'the signature verifies with the shared secret');
      assert.equal(notice!.headers['idempotency-key'], `${handle.workflowId}/${notice!.json.run_id as string}/${pending.id}`);
      assert.equal(notice!.headers['x-mcpflow-event'], 'waiting.approval');
      assert.equal(notice!.json.kind, 'approval');
      assert.equal(notice!.json.call_hash, pending.call_hash);
      assert.deepEqual(notice!.json.approvers, ['alice']);
      assert.equal(notice!.json.inbox_url, `http://127.0.0.1:8300/#/run/${encodeURIComponent(handle.workflowId)}/approval/${encodeURIComponent(pending.id)}`);
      assert.equal(slack.received.length, 1);
      assert.equal(slack.received[0]!.headers['x-mcpflow-signature'], undefined, 'no secret configured: unsigned');
      assert.match(String(slack.received[0]!.json.text), /calendar · list_events waits for approval/);
      assert.ok(Array.isArray(slack.received[0]!.json.blocks));
      // Neither the secret nor where notifications go is in history: the worker's config holds both.
      const text = await historyText(handle);
      assert.ok(!text.includes(SECRET), 'no webhook secret in history');
      assert.ok(!text.includes(`127.0.0.1:${receiver.port}`), 'no webhook URL in history');
      await saveHistoryFixture(handle, 'query-approval-policy-hash-notified');
    });
  });

  it('shows arguments that break the tool schema before anyone decides (direct mode)', async () => {
    await run(async (start) => {
      const script = JSON.stringify({ calls: [{ server: 'calendar', tool: 'list_events', arguments: { date: 20261206, colour: 'red' } }] });
      const handle = await start(
        seedQuery({ mode: 'direct', servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url }], metadata: { [SCRIPT_METADATA_KEY]: script } }),
      );
      const {
        pending_approvals: [pending],
      } = await waitForPending(handle);
      assert.ok(pending?.schema_problems?.length, `schema problems shown: ${JSON.stringify(pending)}`);
      assert.match(pending.schema_problems.join('; '), /date/);
      await handle.executeUpdate(denyUpdate, { args: [{ approver: 'carol', reason: 'bad arguments' }] });
      const result = await handle.result();
      const denied = result.tool_calls.find((call) => call.status === 'denied');
      assert.equal(denied?.decision?.approver, 'carol');
      assert.equal(denied?.decision?.approve, false);
      await saveHistoryFixture(handle, 'query-direct-schema-problems-denied');
    });
  });

  it('a standing approval applies until it expires; an expired one asks again', async () => {
    await run(async (start) => {
      // The definition hash as a session would have remembered it.
      const probe = await start(seedQuery({ mode: 'direct', servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url }] }));
      await waitForPending(probe);
      const definition = findTool(await probe.query(catalogQuery), 'list_events', 'calendar')!.definition_hash;
      await probe.executeUpdate(denyUpdate, { args: [{ approver: 'alice' }] });
      await probe.result();
      const standing = (expires_at: string) => [{ server: 'calendar', tool: 'list_events', definition_hash: definition, expires_at }];
      const servers = [{ label: 'calendar', url: stack.demo.servers.calendar.url }];

      const live = await start(seedQuery({ mode: 'direct', servers, standing_approvals: standing(new Date(Date.now() + 3_600_000).toISOString()) }));
      const result = await live.result();
      assert.equal(result.tool_calls[0]?.decision?.decided_by, 'standing_approval');

      const expired = await start(seedQuery({ mode: 'direct', servers, standing_approvals: standing(new Date(Date.now() - 1_000).toISOString()) }));
      const waiting = await waitForPending(expired);
      assert.equal(waiting.pending_approvals[0]?.tool, 'list_events');
      assert.ok(waiting.events.some((event) => /standing approval .* expired/.test(event.message)));
      await expired.executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] });
      assert.equal((await expired.result()).tool_calls[0]?.decision?.approver, 'alice');
    });
  });

  it("a session's standing approval with ttl_ms carries expires_at, and its query asks once it has passed", async () => {
    const taskQueue = uniqueTaskQueue('policy-session');
    const activities = createActivities({ openaiBaseURL: stack.emulator.url, env: {} });
    await withWorker({ taskQueue, activities }, async (env) => {
      const session = await env.client.workflow.start(mcpSession, {
        taskQueue,
        workflowId: uniqueWorkflowId('policy-session'),
        args: [{ retry, mode: 'direct' }],
      });
      try {
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
        await session.executeUpdate(refreshToolsUpdate, { args: [{ force_refresh: true }] });
        const before = Date.now();
        const standing = await session.executeUpdate(rememberApprovalUpdate, { args: [{ server: 'calendar', tool: 'list_events', ttl_ms: 1 }] });
        const expiresAt = Date.parse(standing[0]?.expires_at ?? '');
        assert.ok(expiresAt >= before && expiresAt <= Date.now() + 1_000, `expires_at one ms after the update: ${standing[0]?.expires_at}`);
        await waitFor(
          () => Date.now(),
          (now) => now > expiresAt,
          'the standing approval to expire',
        );
        const started = await session.executeUpdate(executeQueryUpdate, { args: [{ query: 'Do I have any meetings today?' }] });
        assert.ok(isQueryStarted(started));
        const child = env.client.workflow.getHandle(started.workflow_id);
        const waiting = await waitForPending(child);
        assert.equal(waiting.pending_approvals[0]?.tool, 'list_events', 'expired: the person is asked');
        await child.executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] });
        await child.result();
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    });
  });
});
