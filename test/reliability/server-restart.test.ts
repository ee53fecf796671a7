/**
 * The Temporal dev server restarted with 50 runs in flight, 12 of them waiting for approval
 * (approved after the restart): its own dev server on a SQLite file (kept across the restart, as
 * test/batch/crash-scenario.ts does), one worker process that reconnects by itself, the emulator
 * and the demo servers. Every run completes once. A row of docs/reliability.md (about 15 s, so
 * it runs in `npm test` too).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { findFreePort, startDevServer, type DevServer } from '../../src/devserver/server';
import type { QueryResult } from '../../src/core/records';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { scratchDir } from '../cli/harness';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY, until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const stack = useOfflineStack();
const rows = reliabilityRows(30, 'server-restart');
after(() => rows.flush());

const RUNS = 50;
const WAITING = 12;

/** A client call that may meet the server while it restarts. */
async function retrying<T>(action: () => Promise<T>, attempts = 60): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

describe('reliability: dev server restart', () => {
  it(`restart with ${RUNS} runs in flight, ${WAITING} waiting for approval: every run completes once`, { timeout: 10 * 60_000 }, async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.calendar.reset();
    const dbFilename = path.join(scratchDir(), 'temporal.sqlite');
    const port = await findFreePort();
    let server: DevServer = await startDevServer({ port, dbFilename, headless: true });
    const address = `127.0.0.1:${port}`;
    const taskQueue = uniqueTaskQueue('restart');
    let worker: WorkerProcess | undefined;
    let connection: Connection | undefined;
    try {
      worker = await startWorkerProcess({ address, taskQueue, openaiBaseURL: stack.emulator.url });
      connection = await Connection.connect({ address });
      const client = new Client({ connection, namespace: 'default', dataConverter: mcpflowDataConverter() });
      const start = async (i: number) => {
        const waits = i < WAITING;
        const input: QueryInput = {
          query: waits ? 'Do I have any meetings today?' : `What's the weather in city ${i}?`,
          mode: i % 2 ? 'direct' : 'hosted',
          servers: [
            waits
              ? { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }
              : { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
          ],
          retry: FAST_RETRY,
          call_timeout_ms: 20_000,
        };
        return (await client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId(`restart-${i}`), args: [input] })).workflowId;
      };
      // First the runs that wait for approval, then the others, slowed so that all are in flight at the stop.
      const ids: string[] = [];
      for (let i = 0; i < WAITING; i++) ids.push(await start(i));
      for (const id of ids) {
        await until(async () => (await client.workflow.getHandle(id).query(progressQuery)).pending_approvals.length > 0, `${id} waiting for approval`, 120_000);
      }
      // Long enough that the first of these is still running after the last one started, on a loaded machine too.
      stack.demo.servers.weather.setFaults({ latencyMs: 10_000 });
      for (let i = WAITING; i < RUNS; i++) ids.push(await start(i));
      let openAtRestart = 0;
      for await (const _ of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) openAtRestart++;
      await server.stop();
      server = await startDevServer({ port, dbFilename, headless: true });
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      // The worker reconnects by itself; if it gave up, that is a finding (and a second worker finishes the runs).
      const workerSurvived = worker.child.exitCode === null && worker.child.signalCode === null;
      if (!workerSurvived) worker = await startWorkerProcess({ address, taskQueue, openaiBaseURL: stack.emulator.url });
      for (const id of ids.slice(0, WAITING)) {
        const handle = client.workflow.getHandle(id);
        await retrying(async () => {
          if ((await handle.query(progressQuery)).pending_approvals.length) await handle.executeUpdate(approveUpdate, { args: [{}] });
        });
      }
      const results: QueryResult[] = [];
      for (const id of ids) results.push(await retrying(() => client.workflow.getHandle(id).result()));
      let runsOfAll = 0;
      for (const id of ids) for await (const _ of client.workflow.list({ query: `WorkflowId = '${id}'` })) runsOfAll++;
      const completed = results.filter((result) => result.success).length;
      const weatherRuns = RUNS - WAITING;
      const weather = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      const meetings = stack.demo.servers.calendar.counters().executed.list_events ?? 0;
      const doubledRecords = results.filter((result) => new Set(result.tool_calls.map((call) => call.id)).size !== result.tool_calls.length).length;
      rows.push({
        scenario: `dev server restarted (SQLite kept) with ${RUNS} runs in flight (${openAtRestart} open at the stop), ${WAITING} waiting for approval, approved after the restart; hosted + direct; ${workerSurvived ? 'the worker reconnected by itself' : 'the worker exited and a new one took over'}`,
        runs: RUNS,
        completed,
        lost: RUNS - completed,
        duplicated: `${Math.max(0, weather - weatherRuns) + Math.max(0, meetings - WAITING)} (weather tool ran ${weather}× for ${weatherRuns} runs, calendar ${meetings}× for ${WAITING} approved runs)`,
        expected:
          completed === RUNS && runsOfAll === RUNS && doubledRecords === 0 && meetings === WAITING && openAtRestart === RUNS
            ? 'yes: every run completed once (one execution per id), no record doubled'
            : 'NO',
      });
      assert.equal(completed, RUNS, JSON.stringify(results.filter((result) => !result.success).map((result) => result.error)));
      assert.equal(runsOfAll, RUNS, 'one execution per workflow id');
      assert.equal(doubledRecords, 0);
      assert.equal(meetings, WAITING, 'each approved tool ran once');
      assert.ok(workerSurvived, 'the worker reconnected by itself');
      assert.equal(openAtRestart, RUNS, 'every run was in flight at the stop');
    } finally {
      await connection?.close().catch(() => undefined);
      await worker?.stop().catch(() => undefined);
      await server.stop();
    }
  });
});
