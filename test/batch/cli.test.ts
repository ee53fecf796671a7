/**
 * `mcpflow batch` as a child process against the test Temporal server, with a worker in this
 * process talking to the emulator and the demo MCP servers: validation before anything starts,
 * results written once, the same file attaching to its batch, retry-failed rerunning only the
 * failed lines (faults scripted per line through the emulator's metadata.mcpflow_script).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import type { LineResult } from '../../src/client/batch';
import { parseLineActivityId } from '../../src/core/batch-line';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, startFileWorker, type TestEnv } from '../helpers/temporal';
import { ensureBuilt, runCli, scratchDir, type CliOptions } from '../cli/harness';
import { listPendingApprovals } from '../../src/client/pending';
import { testClient, waitFor } from './helpers';

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('batch-cli');
let worker: { stop(): Promise<void> } | undefined;

function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, {
    timeoutMs: 120_000,
    ...options,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env },
  });
}

const weather = () => `weather=${demo.servers.weather.url},approval=never`;
const calendar = () => `calendar=${demo.servers.calendar.url},approval=always`;

before(async () => {
  ensureBuilt();
  [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
  env = await getTestEnv();
  // One worker for the whole file, until after() stops it.
  worker = await startFileWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {}, temporalClient: env.client }) });
});

after(async () => {
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

function fileWith(rows: string[]): string {
  const file = path.join(scratchDir(), 'batch.jsonl');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

const script = (answer: string, calls: unknown[] = []) => ({ mcpflow_script: JSON.stringify({ calls, answer }) });

function readResults(file: string): LineResult[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((row) => JSON.parse(row) as LineResult);
}

async function runsOf(workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _ of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
  return runs;
}

/** How many times a line was scheduled as a `runBatchLine` activity: in the batch's latest run, or in every run of its chain. */
async function lineActivitiesOf(batchId: string, key: string, { allRuns = false } = {}): Promise<number> {
  const runIds: Array<string | undefined> = [];
  if (allRuns) for await (const run of env.client.workflow.list({ query: `WorkflowId = '${batchId}'` })) runIds.push(run.runId);
  else runIds.push(undefined);
  let count = 0;
  for (const runId of runIds) {
    const history = await env.client.workflow.getHandle(batchId, runId).fetchHistory();
    count += (history.events ?? []).filter((event) => {
      const id = event.activityTaskScheduledEventAttributes?.activityId;
      return event.activityTaskScheduledEventAttributes?.activityType?.name === 'runBatchLine' && id && parseLineActivityId(id)?.key === key;
    }).length;
  }
  return count;
}

async function notStarted(batchId: string): Promise<boolean> {
  return env.client.workflow
    .getHandle(batchId)
    .describe()
    .then(
      () => false,
      () => true,
    );
}

describe('mcpflow batch run: validation before anything starts (exit 2, the line named)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['invalid JSON', ['{"query": "a"}', '{"query": "b"', '{"query": "c"}'], /line 2: invalid JSON/],
    ['a line without query', ['{"query": "a"}', '{"id": "x"}'], /line 2: .*query/],
    ['an unknown server label', ['{"query": "a", "servers": ["weather"]}', '{"query": "b", "servers": ["nope"]}'], /line 2: unknown server label "nope"/],
    ['a duplicate id', ['{"query": "a", "id": "one"}', '{"query": "b", "id": "one"}'], /line 2: id "one" is also the id of line 1/],
    ['an empty file', ['', '  '], /no queries \(it is empty\)/],
  ];
  for (const [what, rows, message] of cases) {
    it(what, async () => {
      const batchId = uniqueWorkflowId('bad-batch');
      const run = await cli(['batch', 'run', fileWith(rows), '--server', weather(), '--batch-id', batchId]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Nothing was started/);
      assert.ok(await notStarted(batchId), 'no batch was started');
    });
  }
});

describe('mcpflow batch run', () => {
  it('writes each line once to --out; the same file again attaches (no second run, no duplicate results)', async () => {
    const rows = Array.from({ length: 24 }, (_, i) => JSON.stringify({ query: `q${i}`, id: `q-${i}`, metadata: script(`answer ${i}`) }));
    rows.push(JSON.stringify({ query: 'plain, planner-answered: weather in London?' }));
    const file = fileWith(rows);
    const out = path.join(path.dirname(file), 'results.jsonl');
    const first = await cli(['batch', 'run', file, '--server', weather(), '--concurrency', '5', '--out', out, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as { batch_id: string; started: boolean; progress: { succeeded: number; done: number; rate: number } };
    assert.equal(summary.started, true);
    assert.equal(summary.progress.succeeded, 25);
    const results = readResults(out);
    assert.equal(results.length, 25);
    assert.equal(new Set(results.map((r) => r.id)).size, 25);
    assert.equal(results.find((r) => r.id === 'q-3')?.answer, 'answer 3');
    assert.ok(results.every((r) => r.success && r.workflow_id.startsWith(`${summary.batch_id}/`)));

    const again = await cli(['batch', 'run', file, '--server', weather(), '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Attached to batch/);
    assert.equal(readResults(out).length, 25, 'nothing written twice');
    assert.equal(await runsOf(summary.batch_id), 1, 'the batch was not started again');
    // A line needing no person runs as an activity of the batch (issue 26): one runBatchLine for q-3, and no child.
    assert.equal(await lineActivitiesOf(summary.batch_id, 'q-3'), 1, 'no line ran twice');
    assert.equal(await runsOf(`${summary.batch_id}/q-3`), 0, 'no child for a line needing no person');

    const refetched = await cli(['batch', 'results', summary.batch_id]);
    assert.equal(refetched.code, 0, refetched.stderr);
    assert.equal(refetched.stdout.trim().split('\n').length, 25);

    // `mcpflow progress` knows a batch id as well as a query's.
    const progress = await cli(['progress', summary.batch_id, '--watch']);
    assert.equal(progress.code, 0, progress.stderr);
    assert.match(progress.stdout, new RegExp(`Batch ${summary.batch_id} completed: 25 of 25 lines`));
    const progressJson = await cli(['progress', summary.batch_id, '--json']);
    assert.equal((JSON.parse(progressJson.stdout) as { succeeded: number }).succeeded, 25);
  });

  it('summarises failures by type; retry-failed reruns only the failed lines', async () => {
    // A script naming a tool the server lacks is refused by the API (HTTP 400 → invalid_arguments).
    const bad = { mcpflow_script: JSON.stringify({ calls: [{ server: 'weather', tool: 'no_such_tool', arguments: {} }] }) };
    const rows = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ query: `q${i}`, id: `r-${i}`, metadata: [2, 5, 7].includes(i) ? bad : script(`ok ${i}`) }),
    );
    const file = fileWith(rows);
    const batchId = uniqueWorkflowId('faulty');
    const run = await cli(['batch', 'run', file, '--server', weather(), '--batch-id', batchId, '--concurrency', '4']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /failed 3 \(invalid_arguments ×3\)/);

    const retry = await cli(['batch', 'retry-failed', batchId, '--json']);
    assert.equal(retry.code, 0, retry.stderr);
    assert.deepEqual(JSON.parse(retry.stdout), { batch_id: batchId, queued: 3, restarted: true });
    const client = testClient(env, taskQueue);
    const result = await waitFor(
      () => client.batches.result(batchId),
      (r) => r.status !== 'running',
      'the retry run',
    );
    assert.equal(result.progress.failed, 3, 'the scripted faults fail again');
    // Each line ran first as an activity of the batch (issue 26); a failed line runs again as its child, with the input read from the batch's history.
    for (const i of [2, 5, 7]) {
      assert.equal(await lineActivitiesOf(batchId, `r-${i}`, { allRuns: true }), 1, `r-${i} ran once as an activity`);
      assert.equal(await runsOf(`${batchId}/r-${i}`), 1, `r-${i} ran again, as its child`);
    }
    for (const i of [0, 1, 3, 9]) {
      assert.equal(await lineActivitiesOf(batchId, `r-${i}`, { allRuns: true }), 1, `r-${i} ran once`);
      assert.equal(await runsOf(`${batchId}/r-${i}`), 0, `r-${i} did not run again`);
    }
    assert.equal(result.progress.succeeded, 7);
  });
});

describe('approvals in bulk', () => {
  it('answers 50 pending approvals across a batch in one command; each approved side effect runs once', async () => {
    const createEvent = (i: number) => ({ server: 'calendar', tool: 'create_event', arguments: { title: `bulk ${i}`, date: 'today', start_time: '10:00' } });
    const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ query: `book ${i}`, id: `b-${i}`, metadata: script(`booked ${i}`, [createEvent(i)]) }));
    const batchId = uniqueWorkflowId('bulk');
    const createdBefore = demo.servers.calendar.counters().executed.create_event ?? 0;
    const started = await cli(['batch', 'run', fileWith(rows), '--server', calendar(), '--batch-id', batchId, '--concurrency', '50', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    const client = testClient(env, taskQueue);
    await waitFor(
      () => listPendingApprovals(client, { batch: batchId }),
      (pending) => pending.length === 50,
      '50 pending approvals',
      120_000,
    );

    const listed = await cli(['approvals', 'list', '--batch', batchId, '--tool', 'create_event', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 50);
    assert.equal(demo.servers.calendar.counters().executed.create_event ?? 0, createdBefore, 'nothing ran before the approval');

    const approved = await cli(['approve', '--all', '--batch', batchId, '--tool', 'create_event', '--reason', 'bulk ok', '--json']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal((JSON.parse(approved.stdout) as { answered: unknown[] }).answered.length, 50);

    const result = await client.batches.result(batchId);
    assert.equal(result.progress.succeeded, 50);
    assert.equal((demo.servers.calendar.counters().executed.create_event ?? 0) - createdBefore, 50, 'each approved call ran exactly once');
    const none = await cli(['approvals', 'list', '--batch', batchId]);
    assert.match(none.stdout, /No pending approvals/);
  });
});

describe('operations on runs', () => {
  it("list finds a batch's lines by state; cancel stops a batch and its waiting lines; links follow temporal.ui_url", async () => {
    const createEvent = (i: number) => ({ server: 'calendar', tool: 'create_event', arguments: { title: `cancel ${i}`, date: 'today', start_time: '12:00' } });
    const rows = Array.from({ length: 3 }, (_, i) => JSON.stringify({ query: `book ${i}`, id: `c-${i}`, metadata: script(`booked ${i}`, [createEvent(i)]) }));
    const batchId = uniqueWorkflowId('ops');
    const cwd = scratchDir();
    writeFileSync(path.join(cwd, 'mcpflow.config.json'), JSON.stringify({ temporal: { ui_url: 'http://ui.example.test:9999/' } }));
    const started = await cli(['batch', 'run', fileWith(rows), '--server', calendar(), '--batch-id', batchId, '--no-wait', '--json'], { cwd });
    assert.equal(started.code, 0, started.stderr);
    assert.equal((JSON.parse(started.stdout) as { web_ui: string }).web_ui, `http://ui.example.test:9999/namespaces/default/workflows/${batchId}`);
    const client = testClient(env, taskQueue);
    await waitFor(
      () => listPendingApprovals(client, { batch: batchId }),
      (pending) => pending.length === 3,
      '3 pending approvals',
    );

    const waiting = await cli(['list', '--batch', batchId, '--state', 'waiting_approval', '--json']);
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.deepEqual(
      (JSON.parse(waiting.stdout) as { workflow_id: string }[]).map((row) => row.workflow_id).sort(),
      [0, 1, 2].map((i) => `${batchId}/c-${i}`),
    );
    const byServer = await cli(['list', '--server', 'calendar', '--batch', batchId, '--json']);
    assert.equal((JSON.parse(byServer.stdout) as unknown[]).length, 3);

    const cancelled = await cli(['cancel', batchId]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await assert.rejects(client.batches.result(batchId));
    const lines = await waitFor(
      () => cli(['list', '--batch', batchId, '--state', 'cancelled', '--json']).then((run) => JSON.parse(run.stdout) as unknown[]),
      (found) => found.length === 3,
      'the three lines cancelled',
    );
    assert.equal(lines.length, 3);
  });
});
