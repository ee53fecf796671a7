/**
 * Worker SIGKILL in the long-lived workflows: a session crossing continue-as-new with queries
 * running (one waiting for approval), a refresh run started by a Schedule, a batch with lines
 * done and lines running (crossing continue-as-new too). A new worker finishes each; the demo
 * servers' counters show what ran twice. Rows of docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { QueryResult } from '../../src/core/records';
import { failureOutcome } from '../../src/core/line-outcome';
import { lineWorkflowId, type BatchLine } from '../../workflows/batch/messages';
import {
  addServerUpdate,
  approveUpdate,
  executeQueryUpdate,
  exportQuery,
  isQueryStarted,
  progressQuery,
  sessionProgressQuery,
  statsQuery,
} from '../../workflows/messages';
import { mcpSession } from '../../workflows/session';
import { refreshSession } from '../../workflows/refresh';
import { scriptedLine, testClient } from '../batch/helpers';
import { ONLY_IN_FULL_RUN, reliabilityRows } from '../helpers/reliability-report';
import { childResult } from '../helpers/sessions';
import { FAST_RETRY, taskFailures, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();
const rows = reliabilityRows(20, 'kill-long-runs');
after(() => rows.flush());

/** A worker process on a fresh task queue; `restart` SIGKILLs it and starts another. */
async function killableWorker(prefix: string) {
  const taskQueue = uniqueTaskQueue(prefix);
  const env = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
  let worker: WorkerProcess = await startWorkerProcess(env);
  return {
    taskQueue,
    async killAndRestart() {
      await worker.kill();
      worker = await startWorkerProcess(env);
    },
    stop: () => worker.stop(),
  };
}

describe('reliability: worker SIGKILL in long-lived workflows', () => {
  // Recovery takes a minute: a carried query's end is awaited by an activity with a 1-minute heartbeat timeout.
  it(
    'SIGKILL while a session continues as new with queries running (one waiting for approval): every query recorded once',
    { skip: ONLY_IN_FULL_RUN },
    async () => {
      stack.demo.servers.weather.reset();
      stack.demo.servers.calendar.reset();
      const worker = await killableWorker('kill-can');
      try {
        const session = await stack.env.client.workflow.start(mcpSession, {
          taskQueue: worker.taskQueue,
          workflowId: uniqueWorkflowId('kill-can'),
          args: [{ retry: FAST_RETRY, continue_as_new_after_events: 50, call_timeout_ms: 10_000 }],
        });
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }] });
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
        const firstRunId = (await session.describe()).runId;
        const waiting = await session.executeUpdate(executeQueryUpdate, { args: [{ query: 'Do I have any meetings today?', query_id: 'waits' }] });
        assert.ok(isQueryStarted(waiting));
        await until(
          async () => (await stack.env.client.workflow.getHandle(waiting.workflow_id).query(progressQuery)).pending_approvals.length > 0,
          'the approval request',
        );
        // Slow tools: the weather queries are still running when the session continues as new.
        stack.demo.servers.weather.setFaults({ latencyMs: 800 });
        const latest = stack.env.client.workflow.getHandle(session.workflowId);
        const cities = ['London', 'Paris', 'Tokyo', 'Lima', 'Oslo', 'Rome', 'Cairo', 'Delhi'];
        // Started at once: those that reach the session after it began to drain are refused ("send this again").
        const outcomes = await Promise.allSettled(
          cities.map((city) => latest.executeUpdate(executeQueryUpdate, { args: [{ query: `What's the weather in ${city}?` }] })),
        );
        const started = [
          waiting.workflow_id,
          ...outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' && isQueryStarted(outcome.value) ? [outcome.value.workflow_id] : [])),
        ];
        // The kill: as soon as the session is due to continue as new (or just did).
        await until(async () => {
          const description = await latest.describe();
          return description.runId !== firstRunId || description.historyLength > 50;
        }, 'the session to reach its continue-as-new point');
        const inFlightAtKill = (await latest.query(sessionProgressQuery)).active_queries.length;
        await worker.killAndRestart();
        stack.demo.servers.weather.setFaults({ latencyMs: 0 });
        await until(async () => (await latest.describe()).runId !== firstRunId, 'continue-as-new on the new worker', 60_000);
        await stack.env.client.workflow.getHandle(waiting.workflow_id).executeUpdate(approveUpdate, { args: [{}] });
        const results: QueryResult[] = [];
        for (const id of started) results.push(await childResult(stack.env.client, id));
        await until(async () => (await latest.query(sessionProgressQuery)).active_queries.length === 0, 'the session to record every query', 60_000);
        const exported = await latest.query(exportQuery);
        const stats = await latest.query(statsQuery);
        const weatherQueries = started.length - 1;
        const executions = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
        const calendarRuns = stack.demo.servers.calendar.counters().executed.list_events ?? 0;
        const completed = results.filter((result) => result.success).length;
        const failures = await taskFailures(latest);
        const allowed = weatherQueries + inFlightAtKill;
        rows.push({
          where: 'test:reliability only',
          scenario: `worker SIGKILL as a session continues as new (${started.length} queries, ${inFlightAtKill} running at the kill, one waiting for approval; hosted)`,
          runs: started.length,
          completed,
          lost: started.length - exported.results.length + (stats.total_queries - exported.results.length),
          duplicated: `${Math.max(0, executions - weatherQueries)} (weather tool ran ${executions}× for ${weatherQueries} queries, allowed ${allowed}: hosted re-runs a cut-off turn; the approved calendar tool ran ${calendarRuns}×)`,
          expected:
            completed === started.length && stats.total_queries === started.length && calendarRuns === 1 && executions <= allowed && failures === 0
              ? 'yes: the next run follows the carried queries; each recorded once'
              : 'NO',
        });
        assert.equal(completed, started.length, JSON.stringify(results.map((result) => result.error)));
        assert.equal(stats.total_queries, started.length, 'each query recorded once');
        assert.equal(new Set(exported.results.map((result) => result.query)).size, exported.results.length, 'no query recorded twice');
        assert.equal(calendarRuns, 1, 'the approved tool ran once');
        assert.ok(executions >= weatherQueries && executions <= allowed, `weather ran ${executions}×`);
        assert.equal(failures, 0);
        await latest.terminate('test finished').catch(() => undefined);
      } finally {
        await worker.stop();
      }
    },
  );

  it('SIGKILL during a refresh started by a Schedule: the run completes with the refreshed catalog', async () => {
    stack.demo.servers.weather.reset();
    const worker = await killableWorker('kill-refresh');
    const client = testClient(stack.env, worker.taskQueue);
    const scheduleId = `kill-refresh-${worker.taskQueue}`;
    try {
      const session = await stack.env.client.workflow.start(mcpSession, {
        taskQueue: worker.taskQueue,
        workflowId: uniqueWorkflowId('kill-refresh'),
        args: [{ retry: FAST_RETRY, call_timeout_ms: 10_000 }],
      });
      await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
      await client.schedules.createRefresh({ sessionId: session.workflowId, scheduleId, everyMs: 3_600_000, paused: true });
      // The server is down for a moment: the refresh's listing is retrying when the worker dies.
      stack.demo.servers.weather.setFaults({ unavailableForMs: 1_500 });
      await client.schedules.trigger(scheduleId);
      let runId = '';
      await until(async () => {
        const runs = (await client.schedules.describe(scheduleId, { withResults: false })).recent_runs;
        runId = runs[0]?.workflow_id ?? '';
        if (!runId) return false;
        const pending = (await stack.env.client.workflow.getHandle(runId).describe()).raw.pendingActivities ?? [];
        return pending.some((activity) => activity.activityType?.name === 'refreshSessionTools' && activity.state === 2 /* STARTED */);
      }, 'the scheduled refresh to be running');
      await worker.killAndRestart();
      const run = stack.env.client.workflow.getHandle<typeof refreshSession>(runId);
      const result = await run.result();
      const tools = result.catalog.servers.weather?.tools.length ?? 0;
      const failures = await taskFailures(run);
      const executions = stack.demo.servers.weather.counters().totalExecuted;
      rows.push({
        scenario: 'worker SIGKILL during a refresh started by a Schedule (the session listing a server that is down for 1.5 s)',
        runs: 1,
        completed: result.from_cache === false && tools > 0 ? 1 : 0,
        lost: tools > 0 ? 0 : 1,
        duplicated: `${executions} (a refresh runs no tools; the retried activity re-attaches to the same session update by id)`,
        expected: tools > 0 && failures === 0 && executions === 0 ? 'yes: the refresh run completes with the catalog; 0 task failures' : 'NO',
      });
      assert.equal(result.from_cache, false);
      assert.ok(tools > 0, JSON.stringify(result.servers));
      assert.equal(failures, 0);
      assert.equal(executions, 0);
      await session.terminate('test finished').catch(() => undefined);
    } finally {
      await client.schedules.delete(scheduleId).catch(() => undefined);
      await worker.stop();
    }
  });

  it('SIGKILL during a batch (lines done, lines running, crossing continue-as-new): each line once, side effects at most once', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.calendar.reset();
    const worker = await killableWorker('kill-batch');
    const client = testClient(stack.env, worker.taskQueue);
    // Enough lines that the batch crosses its 500-event continue-as-new point: a line that needs no
    // person signals its batch once, at its end (patch batch-line-signals-waits-and-end).
    const total = 160;
    const lines: BatchLine[] = Array.from({ length: total }, (_, i) => {
      const n = i + 1;
      // Every 5th line books a meeting (direct mode: one activity per call, a side effect never sent twice).
      return n % 5 === 0
        ? scriptedLine(
            n,
            { calls: [{ tool: 'calendar__create_event', arguments: { title: `kill ${n}`, date: 'today', start_time: '16:00' } }] },
            { servers: ['calendar'], mode: 'direct' },
          )
        : scriptedLine(n, { calls: [{ server: 'weather', tool: 'get_current_weather', arguments: { location: 'London' } }] }, { servers: ['weather'] });
    });
    const sideEffectLines = lines.filter((line) => line.n % 5 === 0).length;
    try {
      stack.demo.servers.weather.setFaults({ latencyMs: 300 });
      const batchId = uniqueWorkflowId('kill-batch');
      await client.batches.startOrAttach(batchId, {
        total,
        lines,
        concurrency: 8,
        continue_as_new_after_events: 500,
        // A booking cut off by the kill is never sent again (at most once): it fails when its attempt times out.
        call_timeout_ms: 15_000,
        retry: FAST_RETRY,
        servers: [
          { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
          { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'never' },
        ],
      });
      let runningAtKill = 0;
      let doneAtKill = 0;
      await until(
        async () => {
          const progress = await client.batches.progress(batchId);
          runningAtKill = progress.running;
          doneAtKill = progress.done;
          return progress.done >= 25 && progress.running > 0;
        },
        'some lines done and some running',
        60_000,
      );
      await worker.killAndRestart();
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      const result = await client.batches.result(batchId);
      const perLine: number[] = [];
      for (const line of lines.filter((each) => each.n % 5 === 0)) {
        // A booking cut off by the kill fails its line (outcome_unknown) and keeps its one call record.
        const calls = await stack.env.client.workflow
          .getHandle(lineWorkflowId(batchId, line.key))
          .result()
          .then(
            (query: QueryResult) => query.tool_calls.filter((call) => call.tool === 'create_event').length,
            (failure: unknown) => failureOutcome(failure instanceof WorkflowFailedError ? failure.cause : failure).calls,
          );
        perLine.push(calls);
      }
      const bookings = stack.demo.servers.calendar.counters().executed.create_event ?? 0;
      const weather = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      const weatherLines = total - sideEffectLines;
      // Only a booking cut off by the kill may fail: its outcome is unknown, and it is never sent again.
      const cut = result.progress.failed_by_type.outcome_unknown ?? 0;
      const allowed = weatherLines + runningAtKill;
      rows.push({
        scenario: `worker SIGKILL during a batch (${total} lines at concurrency 8, ${doneAtKill} done and ${runningAtKill} running at the kill, continue-as-new every 500 events)`,
        runs: total,
        completed: result.progress.succeeded + cut,
        lost: total - result.progress.done,
        duplicated: `${Math.max(0, bookings - sideEffectLines)} side effects (create_event ran ${bookings}× for ${sideEffectLines} lines: at most once); weather ran ${weather}× for ${weatherLines} lines (allowed ${allowed})`,
        expected:
          result.progress.succeeded + cut === total && bookings <= sideEffectLines && weather <= allowed && result.progress.runs >= 1
            ? 'yes: one result per line, no side effect twice'
            : 'NO',
      });
      assert.equal(result.status, 'completed');
      assert.equal(result.progress.done, total);
      assert.equal(result.progress.failed, cut, `only cut bookings fail: ${JSON.stringify(result.progress.failed_by_type)}`);
      assert.equal(result.progress.succeeded + cut, total);
      assert.ok(result.progress.runs >= 1, `the batch continued as new (${result.progress.runs} earlier runs)`);
      assert.deepEqual(perLine, Array<number>(sideEffectLines).fill(1), 'each booking line recorded its call once');
      assert.ok(bookings <= sideEffectLines, `create_event ran ${bookings}×`);
      assert.ok(weather <= allowed, `weather ran ${weather}×`);
    } finally {
      await worker.stop();
    }
  });
});
