/**
 * Acceptance for MCP 2026-07-28 in direct mode, on real components: the Temporal dev server, the
 * emulator as the model, demo servers on loopback (one speaking 2026-07-28, one 2025-11-25), a
 * worker in a child process that is SIGKILLed mid-wait and mid-task, and the real `mcpflow answer`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { answerInput } from '../../src/client/answers';
import { McpflowClient } from '../../src/client/client';
import { UpdateRejectedError } from '../../src/client/errors';
import { SCRIPT_METADATA_KEY, startEmulator, type EmulatorHandle } from '../../src/emulator';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { answerUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { runCli } from '../cli/harness';
import { saveHistoryFixture } from '../helpers/histories';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { waitFor } from '../helpers/wait';

const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

let emulator: EmulatorHandle;
let modern: DemoServerHandle;
let legacy: DemoServerHandle;
let env: TestEnv;

before(async () => {
  [emulator, modern, legacy, env] = await Promise.all([
    startEmulator(),
    startDemoServer('calendar', { protocol: '2026-07-28', taskPollIntervalMs: 200 }),
    startDemoServer('calendar'),
    getTestEnv(),
  ]);
});
after(async () => {
  await Promise.all([emulator?.close(), modern?.close(), legacy?.close()]);
  await teardownTestEnv();
});

/** A direct-mode query whose model makes exactly this call (the emulator's script). */
function scripted(url: string, tool: string, args: Record<string, unknown>, overrides: Partial<QueryInput> = {}): QueryInput {
  return {
    query: `Please use ${tool}`,
    mode: 'direct',
    servers: [{ label: 'calendar', url, require_approval: 'never' }],
    retry,
    metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ tool: `calendar__${tool}`, arguments: args }] }) },
    ...overrides,
  };
}

const progressOf = (handle: WorkflowHandle<typeof runQuery>) => handle.query(progressQuery);

function inProcess<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('mcp2026');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {} }) }, (testEnv) =>
    body((input) => testEnv.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('mcp2026'), args: [input] })),
  );
}

async function withWorkerProcess<T>(body: (taskQueue: string, restart: () => Promise<void>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('mcp2026-crash');
  let worker: WorkerProcess = await startWorkerProcess({ address: env.address, taskQueue, openaiBaseURL: emulator.url });
  try {
    return await body(taskQueue, async () => {
      await worker.kill();
      worker = await startWorkerProcess({ address: env.address, taskQueue, openaiBaseURL: emulator.url });
    });
  } finally {
    await worker.stop();
  }
}

describe('MCP 2026-07-28 servers in direct mode', () => {
  it('discovery and a direct call work the same against a 2026-07-28 and a 2025-11-25 server', async () => {
    await inProcess(async (start) => {
      const outputs: string[] = [];
      for (const url of [modern.url, legacy.url]) {
        const handle = await start(scripted(url, 'list_events', { date: 'today' }));
        const result = await handle.result();
        assert.equal(result.success, true, result.error ?? '');
        assert.deepEqual(
          result.tool_calls.map((call) => `${call.tool}:${call.status}`),
          ['list_events:completed'],
        );
        outputs.push(result.tool_calls[0]!.output ?? '');
        if (url === modern.url) await saveHistoryFixture(handle, 'query-direct-mcp2026-call');
      }
      assert.equal(outputs[0], outputs[1], 'the same answer from both revisions');
      assert.match(outputs[0]!, /Team standup/);
    });
  });

  it('an elicitation waits durably: progress shows the question, a worker SIGKILL changes nothing, `mcpflow answer` books once', async () => {
    modern.reset();
    await withWorkerProcess(async (taskQueue, restart) => {
      const handle = await env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('mcp2026-elicit'),
        args: [scripted(modern.url, 'book_meeting', { title: 'Planning', date: 'tomorrow', start_time: '10:00' })],
      });
      const waiting = await waitFor(
        () => progressOf(handle),
        (progress) => (progress.pending_input ?? []).length > 0,
        'the question',
      );
      const question = waiting.pending_input![0]!;
      assert.equal(question.mode, 'form');
      assert.match(question.message, /Book "Planning" on .* at 10:00\? Who should attend\?/);
      assert.deepEqual(question.requested_schema?.required, ['confirm', 'attendee']);
      assert.equal(waiting.state, 'waiting_input');
      assert.match(waiting.detail, /mcpflow answer/);
      assert.equal(modern.counters().executed.book_meeting ?? 0, 0);

      await restart();

      const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace });
      await assert.rejects(
        answerInput(client, handle.workflowId, { request_id: question.id, action: 'accept', content: { confirm: true } }),
        (error: unknown) => {
          assert.ok(error instanceof UpdateRejectedError, String(error));
          assert.match(error.message, /attendee/);
          return true;
        },
      );
      const wrong = await runCli(['answer', handle.workflowId, question.id, '--json', '{"confirm": "yes"}'], {
        via: 'source',
        env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace },
      });
      assert.equal(wrong.code, 2, wrong.stderr);
      assert.match(wrong.stderr, /confirm: must be true or false; attendee: required|attendee: required; confirm: must be true or false/);
      await assert.rejects(handle.executeUpdate(answerUpdate, { args: [{ action: 'maybe' } as never] }), (error: unknown) => {
        assert.match(String((error as { cause?: Error }).cause?.message), /invalid answer: action/);
        return true;
      });
      const cli = await runCli(['answer', handle.workflowId, question.id, '--json', '{"confirm": true, "attendee": "dana@example.com"}'], {
        via: 'source',
        env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace },
      });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, new RegExp(`Answered ${question.id}`));
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.equal(result.tool_calls.length, 1);
      assert.match(result.tool_calls[0]!.output ?? '', /Booked Planning \(with dana@example.com\)/);
      assert.equal(modern.counters().executed.book_meeting, 1, 'booked exactly once');
      await saveHistoryFixture(handle, 'query-direct-mcp2026-elicitation');
    });
  });

  it('a declined elicitation: the server hears "decline" and books nothing', async () => {
    modern.reset();
    await inProcess(async (start) => {
      const handle = await start(scripted(modern.url, 'book_meeting', { title: 'Retro', date: 'today', start_time: '16:00' }));
      await waitFor(
        () => progressOf(handle),
        (progress) => (progress.pending_input ?? []).length > 0,
        'the question',
      );
      const shown = await runCli(['progress', handle.workflowId], { via: 'source', env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace } });
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /\? calendar · book_meeting asks: Book "Retro"/);
      assert.match(shown.stdout, /requested schema: \{"type":"object","properties":\{"confirm"/);
      assert.match(shown.stdout, new RegExp(`mcpflow answer ${handle.workflowId} input-1 --json`));
      const outcome = await handle.executeUpdate(answerUpdate, { args: [{ action: 'decline' }] });
      assert.equal(outcome.action, 'decline');
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.match(result.tool_calls[0]!.output ?? '', /No meeting booked: the user chose "decline"/);
      assert.equal(modern.counters().executed.book_meeting ?? 0, 0);
    });
  });

  it('an expired requestState: the call starts over and the person is asked again, said so in progress', async () => {
    modern.reset();
    modern.setInteractive({ requestStateTtlMs: 0 });
    try {
      await inProcess(async (start) => {
        const handle = await start(scripted(modern.url, 'book_meeting', { title: 'Sync', date: 'today', start_time: '11:00' }));
        const first = await waitFor(
          () => progressOf(handle),
          (progress) => (progress.pending_input ?? []).length > 0,
          'the question',
        );
        await handle.executeUpdate(answerUpdate, {
          args: [{ request_id: first.pending_input![0]!.id, action: 'accept', content: { confirm: true, attendee: 'kim@example.com' } }],
        });
        const again = await waitFor(
          () => progressOf(handle),
          (progress) => (progress.pending_input ?? []).some((input) => input.asked_again === true),
          'the question asked again',
        );
        assert.ok(
          again.events.some((event) => /no longer accepts the earlier answer/.test(event.message)),
          'progress says why',
        );
        modern.setInteractive({ requestStateTtlMs: 600_000 });
        const second = again.pending_input!.find((input) => input.asked_again)!;
        assert.notEqual(second.id, first.pending_input![0]!.id);
        await handle.executeUpdate(answerUpdate, {
          args: [{ request_id: second.id, action: 'accept', content: { confirm: true, attendee: 'kim@example.com' } }],
        });
        const result = await handle.result();
        assert.equal(result.success, true);
        assert.match(result.tool_calls[0]!.output ?? '', /Booked Sync/);
        assert.equal(modern.counters().executed.book_meeting, 1);
      });
    } finally {
      modern.setInteractive({ requestStateTtlMs: 600_000 });
    }
  });

  it('a URL-mode elicitation shows the URL and waits for --accept', async () => {
    modern.reset();
    await inProcess(async (start) => {
      const handle = await start(scripted(modern.url, 'link_calendar', {}));
      const waiting = await waitFor(
        () => progressOf(handle),
        (progress) => (progress.pending_input ?? []).length > 0,
        'the URL request',
      );
      assert.equal(waiting.pending_input![0]!.mode, 'url');
      assert.equal(waiting.pending_input![0]!.url, `${modern.adminUrl}/consent`);
      await assert.rejects(handle.executeUpdate(answerUpdate, { args: [{ action: 'accept', content: { x: 'y' } }] }), (error: unknown) => {
        assert.match(String((error as { cause?: Error }).cause?.message), /takes no content/);
        return true;
      });
      await handle.executeUpdate(answerUpdate, { args: [{ action: 'accept' }] });
      const result = await handle.result();
      assert.match(result.tool_calls[0]!.output ?? '', /Calendar linked/);
    });
  });

  it('a hosted-mode query takes no answers, and `answer` says so', async () => {
    await inProcess(async (start) => {
      const handle = await start({ query: 'Do I have meetings today?', servers: [{ label: 'calendar', url: legacy.url, require_approval: 'always' }], retry });
      await waitFor(
        () => progressOf(handle),
        (progress) => progress.pending_approvals.length > 0,
        'the approval request',
      );
      const client = new McpflowClient(env.client, env.connection, { address: env.address, namespace: env.namespace });
      await assert.rejects(answerInput(client, handle.workflowId, { action: 'decline' }), /takes no answers.*mcpflow approve/);
      await handle.terminate('test done');
    });
  });

  it('a task is polled with durable timers; a worker SIGKILL mid-task resumes the same task, which starts once', async () => {
    modern.reset();
    await withWorkerProcess(async (taskQueue, restart) => {
      const handle = await env.client.workflow.start(runQuery, {
        taskQueue,
        workflowId: uniqueWorkflowId('mcp2026-task'),
        args: [scripted(modern.url, 'export_calendar', { date: 'today', work_ms: 6_000 }, { call_timeout_ms: 60_000 })],
      });
      const running = await waitFor(
        () => progressOf(handle),
        (progress) => (progress.tasks ?? []).some((task) => task.polls >= 2),
        'a few polls',
      );
      assert.equal(running.tasks![0]!.status, 'working');
      await restart();
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.match(result.tool_calls[0]!.output ?? '', /Exported 2 meeting\(s\)/);
      assert.equal(modern.counters().executed.export_calendar, 1, 'the call started once');
      assert.deepEqual(
        modern.tasks().map((task) => task.status),
        ['completed'],
      );
      const done = await progressOf(handle);
      assert.equal(done.tasks![0]!.status, 'completed');
      assert.ok(done.tasks![0]!.polls >= 3);
      await saveHistoryFixture(handle, 'query-direct-mcp2026-task');
    });
  });

  it('a task that needs input mid-way: the question waits like any other, the answer goes back with tasks/update', async () => {
    modern.reset();
    await inProcess(async (start) => {
      const handle = await start(scripted(modern.url, 'export_calendar', { date: 'today', work_ms: 1_000, ask_format: true }, { call_timeout_ms: 60_000 }));
      const waiting = await waitFor(
        () => progressOf(handle),
        (progress) => (progress.pending_input ?? []).length > 0,
        "the task's question",
      );
      assert.match(waiting.pending_input![0]!.message, /Which format/);
      assert.equal(waiting.tasks![0]!.status, 'input_required');
      await assert.rejects(handle.executeUpdate(answerUpdate, { args: [{ action: 'accept', content: { format: 'pdf' } }] }), (error: unknown) => {
        assert.match(String((error as { cause?: Error }).cause?.message), /format: must be one of csv, ics/);
        return true;
      });
      await handle.executeUpdate(answerUpdate, { args: [{ action: 'accept', content: { format: 'ics' } }] });
      const result = await handle.result();
      assert.equal(result.success, true, result.error ?? '');
      assert.match(result.tool_calls[0]!.output ?? '', /Exported 2 meeting\(s\) on .* as ics\./);
      assert.equal(modern.counters().executed.export_calendar, 1);
    });
  });

  it('a task that outlasts the call timeout is cancelled on the server and recorded as failed', async () => {
    modern.reset();
    await inProcess(async (start) => {
      const handle = await start(scripted(modern.url, 'export_calendar', { work_ms: 120_000 }, { call_timeout_ms: 3_000 }));
      const result = await handle.result();
      assert.equal(result.tool_calls[0]!.status, 'failed');
      assert.match(result.tool_calls[0]!.output ?? '', /did not finish within the call timeout \(3000 ms\) and was cancelled/);
      assert.deepEqual(
        modern.tasks().map((task) => task.status),
        ['cancelled'],
      );
      const progress = await progressOf(handle);
      assert.equal(progress.tasks![0]!.status, 'cancelled');
    });
  });

  it('cancelling the query sends tasks/cancel', async () => {
    modern.reset();
    await inProcess(async (start) => {
      const handle = await start(scripted(modern.url, 'export_calendar', { work_ms: 120_000 }, { call_timeout_ms: 300_000 }));
      await waitFor(
        () => progressOf(handle),
        (progress) => (progress.tasks ?? []).some((task) => task.polls >= 1),
        'the first poll',
      );
      await handle.cancel();
      await assert.rejects(handle.result(), (error: unknown) => error instanceof WorkflowFailedError);
      await waitFor(
        async () => modern.tasks(),
        (tasks) => tasks[0]?.status === 'cancelled',
        'the server to see tasks/cancel',
      );
      assert.equal(modern.counters().executed.export_calendar, 1);
    });
  });
});
