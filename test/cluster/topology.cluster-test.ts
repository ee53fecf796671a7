/**
 * The PostgreSQL topology, for real and without Docker (opt-in: `npm run test:cluster`, run by
 * .ci/run after `npm test`): PostgreSQL from Debian's package, the Temporal server built from
 * go.temporal.io/server and configured by deploy/temporal/mcpflow.yaml, and three `mcpflow
 * worker` processes on one task queue, with the emulator and the demo MCP servers.
 * The load numbers go to stdout and test/.tmp/cluster-load.json.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { mcpflowDataConverter, PAYLOAD_CONVERTER_PATH } from '../../src/codec/data-converter';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import type { QueryResult } from '../../src/core/records';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { startCliWorker, type CliWorker } from './cli-worker';
import { startPostgres, type Postgres } from './postgres';
import { startTemporalServer, type TemporalServer } from './temporal-server';
import { until } from '../helpers/wait';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TMP = path.join(REPO_ROOT, 'test', '.tmp');
const TASK_QUEUE = 'mcpflow-cluster';
const LOAD_QUERIES = Number(process.env.MCPFLOW_CLUSTER_LOAD_QUERIES ?? 200);
const log = (line: string) => console.log(`cluster: ${line}`);

let postgres: Postgres | undefined;
let server: TemporalServer | undefined;
let emulator: EmulatorHandle | undefined;
let demo: DemoServersHandle | undefined;
let connection: Connection | undefined;
let client: Client;
let bundlePath: string;
const workers: CliWorker[] = [];
const measurements: Record<string, unknown> = {};
let sequence = 0;

async function addWorker(name: string): Promise<CliWorker> {
  const worker = await startCliWorker({
    name,
    address: server!.address,
    namespace: server!.namespace,
    taskQueue: TASK_QUEUE,
    openaiBaseURL: emulator!.url,
    env: { MCPFLOW_WORKFLOW_BUNDLE: bundlePath },
  });
  workers.push(worker);
  return worker;
}

const alive = () => workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

function weatherOnly(query: string): QueryInput {
  return {
    query,
    servers: [{ label: 'weather', url: demo!.servers.weather.url, require_approval: 'never' }],
    retry: { max_retries: 5, base_delay_ms: 200, max_delay_ms: 2_000, rate_limit_base_delay_ms: 1_000 },
  };
}

function seedQuery(): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    servers: [
      { label: 'weather', url: demo!.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: demo!.servers.calendar.url, require_approval: 'always' },
    ],
    retry: { max_retries: 5, base_delay_ms: 200, max_delay_ms: 2_000, rate_limit_base_delay_ms: 1_000 },
  };
}

function start(input: QueryInput, prefix: string): Promise<WorkflowHandle<typeof runQuery>> {
  sequence += 1;
  return client.workflow.start(runQuery, { taskQueue: TASK_QUEUE, workflowId: `cluster-${prefix}-${Date.now()}-${sequence}`, args: [input] });
}

/** Which worker processes (by identity, pid@host) completed tasks of these runs. */
async function tasksByIdentity(handles: WorkflowHandle[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const handle of handles) {
    const history = await handle.fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.workflowTaskCompletedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
      if (identity) counts.set(identity, (counts.get(identity) ?? 0) + 1);
    }
  }
  return counts;
}

const identityOf = (worker: CliWorker) => `${worker.child.pid}@${hostname()}`;

function assertCompleted(results: QueryResult[], what: string) {
  const failed = results.filter((result) => !result.success);
  assert.equal(failed.length, 0, `${what}: ${failed.length} failed: ${JSON.stringify(failed.slice(0, 2))}`);
  for (const result of results) {
    assert.ok(result.tool_calls.length >= 1, `${what}: a tool call is recorded`);
    assert.equal(new Set(result.tool_calls.map((call) => call.id)).size, result.tool_calls.length, `${what}: no record doubled`);
  }
}

describe('PostgreSQL topology: Temporal on PostgreSQL, three mcpflow workers', { timeout: 40 * 60_000 }, () => {
  before(async () => {
    postgres = await startPostgres(log);
    server = await startTemporalServer(postgres, log);
    [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: server.namespace, dataConverter: mcpflowDataConverter() });
    mkdirSync(TMP, { recursive: true });
    bundlePath = path.join(TMP, 'cluster-workflow-bundle.js');
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(REPO_ROOT, 'workflows', 'index.ts'),
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      logger: new DefaultLogger('WARN'),
    });
    writeFileSync(bundlePath, code);
    for (const name of ['worker-1', 'worker-2', 'worker-3']) await addWorker(name);
    log(`3 workers polling ${TASK_QUEUE}: ${workers.map(identityOf).join(', ')}`);
  });

  after(async () => {
    await Promise.all(alive().map((worker) => worker.stop()));
    await connection?.close();
    await Promise.all([emulator?.close(), demo?.close()]);
    await server?.stop();
    await postgres?.stop();
    if (Object.keys(measurements).length > 0) {
      mkdirSync(TMP, { recursive: true });
      writeFileSync(path.join(TMP, 'cluster-load.json'), `${JSON.stringify(measurements, null, 2)}\n`);
      log(`measurements: ${JSON.stringify(measurements)}`);
    }
  });

  it('runs the seed scenario: weather without approval, calendar after approval', async () => {
    const handle = await start(seedQuery(), 'seed');
    await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request', 120_000);
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    const result = await handle.result();
    assert.equal(result.success, true);
    assert.deepEqual(result.tool_calls.map((call) => `${call.server}.${call.tool}`).sort(), ['calendar.list_events', 'weather.get_current_weather']);
    // Visibility is written after the run closes (asynchronously): wait for it, then it must match.
    const countListed = async () => {
      let listed = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}' AND McpState = 'completed'` })) listed += 1;
      return listed;
    };
    await until(async () => (await countListed()) > 0, 'the search attributes registered by setup.sh to list the run on PostgreSQL visibility', 30_000);
    assert.equal(await countListed(), 1);
  });

  it(`spreads ${LOAD_QUERIES} queries over the three workers, none lost`, async () => {
    const cities = ['London', 'Paris', 'Berlin', 'Tokyo', 'Madrid'];
    const started = Date.now();
    const handles = await Promise.all(
      Array.from({ length: LOAD_QUERIES }, (_, index) => start(weatherOnly(`What's the weather in ${cities[index % cities.length]}?`), 'load')),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    const durationMs = Date.now() - started;
    assertCompleted(results, 'load');
    const byIdentity = await tasksByIdentity(handles);
    const perWorker = Object.fromEntries(workers.map((worker) => [worker.name, byIdentity.get(identityOf(worker)) ?? 0]));
    measurements.load = {
      queries: LOAD_QUERIES,
      workers: workers.length,
      duration_ms: durationMs,
      queries_per_second: Number((LOAD_QUERIES / (durationMs / 1000)).toFixed(2)),
      completed: results.length,
      lost: LOAD_QUERIES - results.filter((result) => result.success).length,
      tasks_per_worker: perWorker,
    };
    log(`load: ${JSON.stringify(measurements.load)}`);
    for (const worker of workers) assert.ok((byIdentity.get(identityOf(worker)) ?? 0) > 0, `${worker.name} did some of the work: ${JSON.stringify(perWorker)}`);
  });

  it('loses nothing when one worker is SIGKILLed and another SIGTERMed mid-run', async () => {
    const count = Math.max(20, Math.round(LOAD_QUERIES / 2));
    // Slow tools keep many calls in flight when the workers go.
    demo!.servers.weather.setFaults({ latencyMs: 300 });
    const started = Date.now();
    const handles = await Promise.all(Array.from({ length: count }, (_, index) => start(weatherOnly(`What's the weather in Oslo, ${index}?`), 'chaos')));
    let done = 0;
    const results = handles.map((handle) => handle.result().finally(() => (done += 1)));
    await until(async () => done >= Math.round(count / 5), 'a fifth of the runs to finish', 120_000);
    const [killed, terminated] = alive();
    assert.ok(killed && terminated);
    const doneAtKill = done;
    await killed.kill();
    const termExit = await terminated.stop();
    assert.equal(termExit.code, 0, `the SIGTERMed worker drained and exited 0:\n${terminated.output().slice(-2000)}`);
    log(`chaos: SIGKILL ${killed.name}, SIGTERM ${terminated.name} after ${doneAtKill}/${count} runs finished (${done} when the SIGTERMed one had drained)`);
    // One replacement, as an orchestrator would start; the surviving worker carries on meanwhile.
    await addWorker('worker-4');
    const settled = await Promise.all(results);
    demo!.servers.weather.setFaults({ latencyMs: 0 });
    assertCompleted(settled, 'chaos');
    measurements.chaos = {
      queries: count,
      finished_before_kill: doneAtKill,
      duration_ms: Date.now() - started,
      lost: count - settled.filter((result) => result.success).length,
      sigkill: killed.name,
      sigterm: terminated.name,
    };
  });

  it('keeps queries waiting for approval across a Temporal server restart', async () => {
    const handles = await Promise.all(Array.from({ length: 5 }, () => start(seedQuery(), 'restart')));
    for (const handle of handles) await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval requests', 120_000);
    const started = Date.now();
    await server!.restart();
    measurements.server_restart_ms = Date.now() - started;
    for (const handle of handles) {
      await until(
        async () => {
          try {
            return (await handle.query(progressQuery)).pending_approvals.length > 0;
          } catch {
            return false; // workers and the client reconnect after the restart
          }
        },
        'the approval requests to be answerable again',
        120_000,
      );
      await handle.executeUpdate(approveUpdate, { args: [{}] });
    }
    const results = await Promise.all(handles.map((handle) => handle.result()));
    assertCompleted(results, 'restart');
    for (const result of results) assert.equal(result.tool_calls.length, 2);
  });
});
