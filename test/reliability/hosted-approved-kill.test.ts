/**
 * Hosted mode, a side effect a person approved, the worker SIGKILLed while the API runs it
 * (3 s of latency at the calendar server). The retried turn must not run it again: a stateless
 * conversation records the call as failed with an unknown outcome and the run fails; a stored
 * one follows the same response by id (background mode) and succeeds. Executions are counted
 * at the demo server. Rows of docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readQueryFailedDetails } from '../../src/core/failures';
import { saveHistoryFixture } from '../helpers/histories';
import type { QueryResult } from '../../src/core/records';
import { lineWorkflowId, type BatchLine } from '../../workflows/batch/messages';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { scriptedLine, testClient } from '../batch/helpers';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, taskFailures, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();
const rows = reliabilityRows(25, 'hosted-approved-kill');
after(() => rows.flush());

const SCRIPT = JSON.stringify({
  calls: [{ server: 'calendar', tool: 'create_event', arguments: { title: 'Kill probe', date: 'today', start_time: '16:00' } }],
  answer: 'Booked.',
});

/** What the running Responses call's last heartbeat says it sent (activities/responses-recovery.ts). */
async function sentCall(handle: {
  describe(): Promise<{ raw: { pendingActivities?: Array<{ heartbeatDetails?: { payloads?: Array<{ data?: Uint8Array | null }> | null } | null }> | null } }>;
}) {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const data = pending[0]?.heartbeatDetails?.payloads?.[0]?.data;
  if (!data) return undefined;
  const details = JSON.parse(Buffer.from(data).toString('utf8')) as { mcpflow_sent_call?: { sent: boolean; response_id: string | null } };
  return details.mcpflow_sent_call;
}

async function probe(conversation: 'stateless' | 'stored') {
  const calendar = stack.demo.servers.calendar;
  calendar.reset();
  const taskQueue = uniqueTaskQueue(`hosted-kill-${conversation}`);
  const env = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
  const first = await startWorkerProcess(env);
  let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const input: QueryInput = {
      query: 'Book a meeting today at 16:00',
      servers: [{ label: 'calendar', url: calendar.url, require_approval: 'always' }],
      conversation,
      // The one-activity call's own recovery; background mode is test/reliability/background-mode.test.ts.
      background: 'off',
      call_timeout_ms: 20_000,
      retry: FAST_RETRY,
      metadata: { mcpflow_script: SCRIPT },
    };
    const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`hosted-kill-${conversation}`), args: [input] });
    await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
    calendar.setFaults({ latencyMs: 3_000 });
    const callsBefore = stack.emulator.stats().mcpToolCallsTotal;
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    // The kill: while the API runs the approved tool, once the worker has told Temporal what it sent.
    await until(async () => stack.emulator.stats().mcpToolCallsTotal > callsBefore, 'the approved call to start at the API');
    await until(async () => {
      const sent = await sentCall(handle);
      return sent?.sent === true && (conversation === 'stateless' || sent.response_id !== null);
    }, 'the heartbeat naming the sent call');
    await first.kill();
    second = await startWorkerProcess(env);
    let result: QueryResult;
    try {
      result = await handle.result();
    } catch (error) {
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
      const details = readQueryFailedDetails(error.cause.details);
      assert.ok(details, 'QueryFailed details');
      result = details.result;
    }
    // The first request's call finishes at the server after its latency; a re-sent turn would add another.
    await until(async () => (calendar.counters().executed.create_event ?? 0) >= 1, 'the approved call to finish at the server', 15_000);
    calendar.setFaults({ latencyMs: 0 });
    await saveHistoryFixture(handle, `query-hosted-approved-cut-off-${conversation}`);
    return {
      result,
      executions: calendar.counters().executed.create_event ?? 0,
      apiCalls: stack.emulator.stats().mcpToolCallsTotal - callsBefore,
      failures: await taskFailures(handle),
    };
  } finally {
    calendar.setFaults({ latencyMs: 0 });
    await first.stop();
    await second?.stop();
  }
}

describe('reliability: hosted mode, worker SIGKILL while an approved side effect runs', () => {
  it('stateless (the default): never sent again; the call is recorded as failed with an unknown outcome, the run fails saying so', async () => {
    const { result, executions, apiCalls, failures } = await probe('stateless');
    const call = result.tool_calls.find((each) => each.tool === 'create_event');
    rows.push({
      scenario:
        'hosted query, stateless: worker SIGKILL while an approved create_event runs at the API (3 s latency at the server); a new worker takes the retry',
      runs: 1,
      completed: 0,
      lost: 0,
      duplicated: `${Math.max(0, executions - 1)} (create_event ran ${executions}×; the run says: ${result.success ? 'success' : `failed, ${call?.error_type ?? '?'}`})`,
      expected:
        executions === 1 && apiCalls === 1 && !result.success && call?.status === 'failed' && call.error_type === 'outcome_unknown'
          ? 'yes: not sent again; recorded as failed, outcome unknown, never a success'
          : 'NO',
    });
    assert.equal(executions, 1, 'the approved tool ran once');
    assert.equal(apiCalls, 1, 'the turn was not sent again');
    assert.equal(result.success, false);
    assert.match(result.error ?? '', /outcome unknown/);
    assert.equal(call?.status, 'failed', JSON.stringify(result.tool_calls));
    assert.equal(call?.error_type, 'outcome_unknown');
    assert.match(call?.error_message ?? '', /may or may not have run/);
    assert.equal(failures, 0);
  });

  it('stored: the retry follows the same response by id (background mode) and completes; the tool ran once', async () => {
    const { result, executions, apiCalls, failures } = await probe('stored');
    const call = result.tool_calls.find((each) => each.tool === 'create_event');
    rows.push({
      scenario: 'hosted query, stored conversation: worker SIGKILL while an approved create_event runs at the API; the retry retrieves the response by id',
      runs: 1,
      completed: result.success ? 1 : 0,
      lost: 0,
      duplicated: `${Math.max(0, executions - 1)} (create_event ran ${executions}×)`,
      expected:
        executions === 1 && apiCalls === 1 && result.success && call?.status === 'completed' ? 'yes: completed with the call recorded once, run once' : 'NO',
    });
    assert.equal(result.success, true, result.error ?? '');
    assert.equal(executions, 1, 'the approved tool ran once');
    assert.equal(apiCalls, 1, 'the turn was not sent again');
    assert.equal(call?.status, 'completed');
    assert.ok(result.retries >= 1, 'the cut-off call was retried');
    assert.equal(failures, 0);
  });
});

describe('reliability: a hosted batch, worker SIGKILL while approved side effects run', () => {
  it('5 lines, create_event approved on each, 3 s latency at the server: each ran at most once, no line a plain success', async () => {
    const calendar = stack.demo.servers.calendar;
    calendar.reset();
    const taskQueue = uniqueTaskQueue('hosted-kill-batch');
    const env = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
    const first = await startWorkerProcess(env);
    let second: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
    const client = testClient(stack.env, taskQueue);
    const total = 5;
    const lines: BatchLine[] = Array.from({ length: total }, (_, i) =>
      scriptedLine(i + 1, JSON.parse(SCRIPT) as { calls: unknown[]; answer: string }, { servers: ['calendar'] }),
    );
    const batchId = uniqueWorkflowId('hosted-kill-batch');
    try {
      await client.batches.startOrAttach(batchId, {
        total,
        lines,
        concurrency: total,
        call_timeout_ms: 20_000,
        retry: FAST_RETRY,
        servers: [{ label: 'calendar', url: calendar.url, require_approval: 'always' }],
      });
      const handles = lines.map((line) => stack.env.client.workflow.getHandle(lineWorkflowId(batchId, line.key)));
      await until(
        async () => {
          for (const handle of handles) {
            const waiting = await handle.query(progressQuery).then(
              (progress) => progress.pending_approvals.length > 0,
              () => false,
            );
            if (!waiting) return false;
          }
          return true;
        },
        'every line to wait for approval',
        60_000,
      );
      calendar.setFaults({ latencyMs: 3_000 });
      const callsBefore = stack.emulator.stats().mcpToolCallsTotal;
      await Promise.all(handles.map((handle) => handle.executeUpdate(approveUpdate, { args: [{}] })));
      await until(async () => stack.emulator.stats().mcpToolCallsTotal >= callsBefore + total, 'the approved calls to start at the API');
      await until(
        async () => (await Promise.all(handles.map((handle) => sentCall(handle)))).every((sent) => sent?.sent === true),
        'the heartbeats naming the sent calls',
      );
      await first.kill();
      second = await startWorkerProcess(env);
      const result = await client.batches.result(batchId);
      await until(async () => (calendar.counters().executed.create_event ?? 0) >= total, 'the approved calls to finish at the server', 15_000);
      calendar.setFaults({ latencyMs: 0 });
      const executions = calendar.counters().executed.create_event ?? 0;
      const apiCalls = stack.emulator.stats().mcpToolCallsTotal - callsBefore;
      rows.push({
        scenario: `hosted batch (${total} lines, create_event approved on each, 3 s latency at the server): worker SIGKILL while the approved calls run; a new worker takes the retries`,
        runs: total,
        completed: result.progress.succeeded,
        lost: total - result.progress.done,
        duplicated: `${Math.max(0, executions - total)} (create_event ran ${executions}× for ${total} lines; ${result.progress.failed_by_type.outcome_unknown ?? 0} lines failed as outcome_unknown)`,
        expected:
          executions === total && apiCalls === total && result.progress.done === total && result.progress.succeeded === 0
            ? 'yes: no side effect twice; no line a plain success'
            : 'NO',
      });
      assert.equal(result.progress.done, total);
      assert.equal(executions, total, 'each approved call ran once');
      assert.equal(apiCalls, total, 'no turn sent again');
      assert.equal(result.progress.succeeded, 0, 'a cut-off line is never a plain success');
      assert.equal(result.progress.failed_by_type.outcome_unknown, total, JSON.stringify(result.progress.failed_by_type));
    } finally {
      calendar.setFaults({ latencyMs: 0 });
      await first.stop();
      await second?.stop();
    }
  });
});
