/**
 * `mcpflow batch` output as a child process against the test Temporal server, with a worker in
 * this process talking to the emulator and the demo MCP servers: `--no-wait` prints only the id,
 * `batch results` is ordered by line and numbered, two `batch run` with one --out write each
 * result once, a file with invalid UTF-8 is refused naming the line.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import type { LineResult } from '../../src/client/batch';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, startFileWorker, type TestEnv } from '../helpers/temporal';
import { collect, ensureBuilt, runCli, scratchDir, startCli, type CliOptions } from '../cli/harness';
import { testClient, waitFor } from './helpers';

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('batch-cli-output');
let worker: { stop(): Promise<void> } | undefined;

const cliEnv = () => ({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue });
function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, { timeoutMs: 120_000, ...options, env: { ...cliEnv(), ...options.env } });
}

const weather = () => `weather=${demo.servers.weather.url},approval=never`;
const calendar = () => `calendar=${demo.servers.calendar.url},approval=always`;
const script = (answer: string, calls: unknown[] = []) => ({ mcpflow_script: JSON.stringify({ calls, answer }) });

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

function fileWith(rows: string[] | Buffer): string {
  const file = path.join(scratchDir(), 'batch.jsonl');
  writeFileSync(file, Array.isArray(rows) ? `${rows.join('\n')}\n` : rows);
  return file;
}

function readResults(file: string): LineResult[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((row) => JSON.parse(row) as LineResult);
}

describe('mcpflow batch output', () => {
  it('--no-wait prints only the id on stdout; `batch results` is ordered by line, each numbered', async () => {
    const ids = ['zeta', 'alpha', 'mid', 'beta', 'omega', 'gamma'];
    const file = fileWith(ids.map((id, i) => JSON.stringify({ query: `q ${id}`, id, metadata: script(`answer ${i + 1}`) })));
    const batchId = uniqueWorkflowId('no-wait');
    const started = await cli(['batch', 'run', file, '--server', weather(), '--batch-id', batchId, '--concurrency', '6', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, `${batchId}\n`, 'only the id on stdout');
    assert.match(started.stderr, /Started batch/);

    const client = testClient(env, taskQueue);
    await client.batches.result(batchId);
    const results = await cli(['batch', 'results', batchId]);
    assert.equal(results.code, 0, results.stderr);
    const rows = results.stdout
      .trim()
      .split('\n')
      .map((row) => JSON.parse(row) as LineResult);
    assert.deepEqual(
      rows.map((row) => row.line),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      rows.map((row) => row.id),
      ids,
    );
    assert.deepEqual(
      rows.map((row) => row.answer),
      ids.map((_, i) => `answer ${i + 1}`),
    );
  });

  it('--no-wait on a file past the first page returns at once: the rest is held in Temporal and the batch completes with no CLI', async () => {
    // 30 lines of ~8 KiB: 15 travel with the start, the rest in one holder workflow.
    const file = fileWith(Array.from({ length: 30 }, (_, i) => JSON.stringify({ query: `q${i + 1} ${'x'.repeat(8_000)}`, metadata: script(`held ${i + 1}`) })));
    const batchId = uniqueWorkflowId('held-cli');
    const started = await cli(['batch', 'run', file, '--server', weather(), '--batch-id', batchId, '--concurrency', '10', '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, `${batchId}\n`);
    const client = testClient(env, taskQueue);
    const result = await client.batches.result(batchId);
    assert.equal(result.status, 'completed');
    assert.equal(result.progress.succeeded, 30);
    assert.equal(result.progress.held, true);
    const rows = (await cli(['batch', 'results', batchId])).stdout
      .trim()
      .split('\n')
      .map((row) => JSON.parse(row) as LineResult);
    assert.deepEqual(
      rows.map((row) => row.answer),
      Array.from({ length: 30 }, (_, i) => `held ${i + 1}`),
    );
  });

  it('two `batch run` with one --out: the second is refused naming the first; each result is written once', async () => {
    const createEvent = (i: number) => ({ server: 'calendar', tool: 'create_event', arguments: { title: `out ${i}`, date: 'today', start_time: '14:00' } });
    const file = fileWith(
      Array.from({ length: 4 }, (_, i) => JSON.stringify({ query: `book ${i}`, id: `o-${i}`, metadata: script(`booked ${i}`, [createEvent(i)]) })),
    );
    const out = path.join(path.dirname(file), 'results.jsonl');
    const batchId = uniqueWorkflowId('one-out');
    const args = ['batch', 'run', file, '--server', calendar(), '--batch-id', batchId, '--concurrency', '4', '--out', out];
    const firstChild = startCli(args, { env: cliEnv() });
    const first = collect(firstChild, 120_000);
    const client = testClient(env, taskQueue);
    // The batch may not exist yet when asked first.
    await waitFor(
      () => client.batches.progress(batchId).catch(() => null),
      (p) => p?.waiting_approval === 4,
      'four lines waiting for approval',
    );

    const second = await cli(args);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`results\\.jsonl is being written by another mcpflow \\(pid ${firstChild.pid} `));

    const approved = await cli(['approve', '--all', '--batch', batchId, '--json']);
    assert.equal(approved.code, 0, approved.stderr);
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    const results = readResults(out);
    assert.deepEqual(results.map((result) => result.id).sort(), ['o-0', 'o-1', 'o-2', 'o-3']);
    assert.ok(!existsSync(`${out}.lock`), 'the lock is gone with its process');
    const third = await cli(args);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(readResults(out).length, 4, 'attaching again writes nothing twice');
  });

  it('invalid UTF-8 in the file is refused with exit 2 naming the line and byte offset; nothing starts', async () => {
    const bytes = Buffer.concat([Buffer.from('{"query": "fine"}\n{"query": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const batchId = uniqueWorkflowId('utf8');
    const run = await cli(['batch', 'run', fileWith(bytes), '--server', weather(), '--batch-id', batchId]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /line 2: invalid UTF-8 at byte offset 32 \(byte 15 of the line: c3 28 22 7d\)/);
    assert.match(run.stderr, /Nothing was started/);
    assert.ok(
      await env.client.workflow
        .getHandle(batchId)
        .describe()
        .then(
          () => false,
          () => true,
        ),
      'no batch was started',
    );
  });
});
