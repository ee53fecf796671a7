/**
 * Undecodable payloads never wedge a workflow: raw garbage sent through the gRPC API (not through
 * the SDK, which would encode it) to every signal and update of every workflow, and as the input
 * of every workflow. Updates are refused by their validators, signals are ignored, inputs fail the
 * run at once; the workflows keep answering queries and complete.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { createActivities } from '../../activities';
import { addServerUpdate, progressQuery, sessionProgressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { mcpSession } from '../../workflows/session';
import { askSession } from '../helpers/sessions';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const stack = useOfflineStack();
const FAST_RETRY = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

interface RawPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

const json = (text: string) => ({ encoding: new Uint8Array(Buffer.from(text)) });
/** What an attacker or a broken client could send: not JSON, invalid UTF-8, an unknown encoding, no metadata. */
const GARBAGE: Record<string, RawPayload> = {
  'not JSON': { metadata: json('json/plain'), data: new Uint8Array(Buffer.from('{"workflow_id": "x", state: ')) },
  'invalid UTF-8': { metadata: json('json/plain'), data: new Uint8Array([0xff, 0xfe, 0x7b, 0xc3, 0x28, 0x00]) },
  'unknown encoding': { metadata: json('application/x-garbage'), data: new Uint8Array([1, 2, 3]) },
  'no metadata': { data: new Uint8Array(Buffer.from('"hello"')) },
  // Decodes to raw bytes, which a zod object would take for an empty object.
  'binary where JSON is expected': { metadata: json('binary/plain'), data: new Uint8Array([1, 2, 3]) },
};

async function rawSignal(env: TestEnv, workflowId: string, signalName: string, payload: RawPayload) {
  await env.client.workflowService.signalWorkflowExecution({
    namespace: env.namespace,
    workflowExecution: { workflowId },
    signalName,
    input: { payloads: [payload] },
    identity: 'garbage-test',
  });
}

/** Sends an update with a raw payload and returns its failure message (undefined when it was accepted). */
async function rawUpdate(env: TestEnv, workflowId: string, name: string, payload: RawPayload): Promise<string | undefined> {
  const response = await env.client.workflowService.updateWorkflowExecution({
    namespace: env.namespace,
    workflowExecution: { workflowId },
    // 3 = UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED: a rejection is an outcome too.
    waitPolicy: { lifecycleStage: 3 },
    request: { meta: { updateId: randomUUID(), identity: 'garbage-test' }, input: { name, args: { payloads: [payload] } } },
  });
  // The message travels in the failure's encoded attributes (src/codec/failure-converter.ts).
  return (await decodeOptionalFailureToOptionalError(loadDataConverter(mcpflowDataConverter({})), response.outcome?.failure))?.message;
}

async function rawStart(env: TestEnv, taskQueue: string, workflowType: string, payload: RawPayload): Promise<string> {
  const workflowId = uniqueWorkflowId(`garbage-${workflowType}`);
  await env.client.workflowService.startWorkflowExecution({
    namespace: env.namespace,
    workflowId,
    workflowType: { name: workflowType },
    taskQueue: { name: taskQueue },
    input: { payloads: [payload] },
    requestId: randomUUID(),
    identity: 'garbage-test',
  });
  return workflowId;
}

function withGarbageWorker<T>(body: (env: TestEnv, taskQueue: string) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('garbage');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) }, (env) =>
    body(env, taskQueue),
  );
}

describe('undecodable payloads', () => {
  it('runQuery: garbage to approve, deny and a signal is refused; the query still answers and completes', async () => {
    await withGarbageWorker(async (env, taskQueue) => {
      const input: QueryInput = {
        query: "What's the weather in London and do I have any meetings today?",
        servers: [
          { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
          { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
        ],
        retry: FAST_RETRY,
      };
      const handle = await env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('garbage-query'), args: [input] });
      await waitFor(
        () => handle.query(progressQuery),
        (progress) => progress.pending_approvals.length > 0,
        'an approval request',
        20_000,
      );
      for (const [kind, payload] of Object.entries(GARBAGE)) {
        for (const update of ['approve', 'deny']) {
          const refusal = await rawUpdate(env, handle.workflowId, update, payload);
          assert.match(refusal ?? '', /undecodable payload|binary payload/, `${update} with ${kind}`);
        }
        await rawSignal(env, handle.workflowId, 'queryState', payload);
      }
      const progress = await handle.query(progressQuery);
      assert.equal(progress.state, 'waiting_approval', 'still waiting, still answering queries');
      await handle.executeUpdate('approve', { args: [{}] });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      await assertNoTaskFailures(handle);
    });
  });

  it('mcpSession: garbage to every update and to the queryState signal; the session still works', async () => {
    await withGarbageWorker(async (env, taskQueue) => {
      const session = await env.client.workflow.start(mcpSession, {
        taskQueue,
        workflowId: uniqueWorkflowId('garbage-session'),
        args: [{ retry: FAST_RETRY }],
      });
      try {
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
        for (const [kind, payload] of Object.entries(GARBAGE)) {
          for (const update of ['addServer', 'removeServer', 'refreshTools', 'executeQuery', 'rememberApproval']) {
            const refusal = await rawUpdate(env, session.workflowId, update, payload);
            assert.match(refusal ?? '', /undecodable payload|binary payload/, `${update} with ${kind}`);
          }
          await rawSignal(env, session.workflowId, 'queryState', payload);
        }
        assert.deepEqual((await session.query(sessionProgressQuery)).servers, ['weather']);
        const result = await askSession(env.client, session, { query: "What's the weather in Paris?" });
        assert.equal(result.success, true, result.error ?? '');
        await assertNoTaskFailures(session);
      } finally {
        await session.terminate('test finished').catch(() => undefined);
      }
    });
  });

  it('every workflow started with an undecodable input fails at once, naming it', async () => {
    await withGarbageWorker(async (env, taskQueue) => {
      for (const workflowType of ['runQuery', 'mcpSession', 'discoverTools', 'refreshSession']) {
        const workflowId = await rawStart(env, taskQueue, workflowType, GARBAGE['not JSON']!);
        const handle = env.client.workflow.getHandle(workflowId);
        await assert.rejects(handle.result(), (error: unknown) => {
          assert.ok(error instanceof WorkflowFailedError, `${workflowType}: ${String(error)}`);
          assert.match(String(error.cause?.message), /invalid \w+ input: it is an undecodable payload \(encoding json\/plain/);
          return true;
        });
        await assertNoTaskFailures(handle);
      }
    });
  });
});

/** A wedged workflow shows up as WorkflowTaskFailed events in its history. */
async function assertNoTaskFailures(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const failed = (history.events ?? []).filter((event) => event.workflowTaskFailedEventAttributes);
  assert.equal(failed.length, 0, `workflow task failures: ${failed.map((event) => event.workflowTaskFailedEventAttributes?.failure?.message).join('; ')}`);
}
