/**
 * The measured reliability suite: each scenario runs on real components (dev server, worker
 * processes killed with SIGKILL, the emulator, the demo MCP servers, a hostile MCP server) and
 * becomes one row of docs/reliability.md: runs, completed, lost, duplicated side effects (from
 * the servers' counters), errors as expected. `npm run test:reliability` writes the file
 * (MCPFLOW_RELIABILITY_REPORT=1); under `npm test` the same scenarios run as plain tests.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { checkUrl } from '../../src/core/destinations';
import { guardedFetch, findDestinationRefusal } from '../../src/net/destination-guard';
import { addServerUpdate, approveUpdate, progressQuery, sessionProgressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { mcpSession } from '../../workflows/session';
import { historyText } from '../helpers/histories';
import { startHostileServer, type HostileServer } from '../helpers/hostile-mcp-server';
import { useOfflineStack } from '../helpers/stack';
import { reliabilityRows } from '../helpers/reliability-report';
import { FAST_RETRY as RETRY, seededRandom as random, taskFailures, until } from '../helpers/scenario';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker, type TestEnv } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';

const rows = reliabilityRows(10, 'report');
const stack = useOfflineStack();
let hostile: HostileServer;
before(async () => {
  hostile = await startHostileServer();
});
after(async () => {
  await hostile?.close();
  rows.flush();
});

// ---------------------------------------------------------------------------------------------
// Worker SIGKILL at distinct points

interface KillPoint {
  name: string;
  mode: 'hosted' | 'direct';
  /** Waits until the run is at the point, after the start. */
  reach: (handle: WorkflowHandle, before: { toolCalls: number }) => Promise<void>;
  /** Tool executions a correct run may have after the kill (hosted re-runs a cut-off turn's tools; direct retries read-only calls). */
  maxExecutions: number;
  approve?: boolean;
  latencyMs?: number;
  /** The weather server answers 503 for this long from the start (a listing still retrying). */
  outageMs?: number;
}

/** An activity of this type has started on a worker (the server's view). */
async function activityStarted(handle: WorkflowHandle, type: string): Promise<boolean> {
  return ((await handle.describe()).raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === type && activity.state === 2 /* STARTED */);
}

const KILL_POINTS: KillPoint[] = [
  { name: 'before the first Responses call', mode: 'hosted', reach: async () => undefined, maxExecutions: 1 },
  {
    name: 'inside a Responses call (hosted tool running)',
    mode: 'hosted',
    latencyMs: 1_500,
    maxExecutions: 2,
    reach: (_h, before) => until(async () => stack.emulator.stats().mcpToolCallsTotal > before.toolCalls, 'the hosted tool call'),
  },
  {
    name: 'during the approval wait (hosted)',
    mode: 'hosted',
    approve: true,
    maxExecutions: 1,
    reach: (handle) => until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request'),
  },
  {
    name: 'during the approval wait (direct)',
    mode: 'direct',
    approve: true,
    maxExecutions: 1,
    reach: (handle) => until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request'),
  },
  {
    name: 'inside a direct tool call',
    mode: 'direct',
    latencyMs: 1_500,
    maxExecutions: 2,
    reach: async (handle) => {
      await until(() => activityStarted(handle, 'callToolDirect'), 'the direct tool call');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the request is at the server (1.5 s latency)
    },
  },
  // The tool call follows the model turn at once (eager dispatch): its 3 s of latency keep it from
  // the tool until the kill, and a request whose worker died never reaches the tool (the demo server drops it).
  {
    name: 'after the first Responses call (direct, before the tool runs)',
    mode: 'direct',
    approve: false,
    latencyMs: 3_000,
    maxExecutions: 1,
    reach: (handle) => until(async () => (await handle.query(progressQuery)).step >= 1, 'the first model turn'),
  },
  {
    name: 'during tool discovery (direct listing of a server that is down for 1.5 s)',
    mode: 'direct',
    outageMs: 1_500,
    maxExecutions: 1,
    reach: (handle) => until(() => activityStarted(handle, 'listToolsDirect'), 'the listing'),
  },
  {
    name: 'after the tool ran, as the answer is asked for (direct)',
    mode: 'direct',
    maxExecutions: 1,
    reach: (handle) => until(async () => (await handle.query(progressQuery)).calls_so_far >= 1, 'the tool call record'),
  },
];

function killQuery(point: KillPoint): QueryInput {
  const approvalNeeded = point.approve === true;
  return {
    query: approvalNeeded ? "What's the weather in London and do I have any meetings today?" : "What's the weather in London?",
    mode: point.mode,
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      ...(approvalNeeded ? [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' as const }] : []),
    ],
    retry: RETRY,
    call_timeout_ms: 6_000,
  };
}

describe('reliability: worker SIGKILL', () => {
  for (const point of KILL_POINTS) {
    it(`SIGKILL ${point.name}: a new worker completes the run`, async () => {
      stack.demo.servers.weather.reset();
      stack.demo.servers.calendar.reset();
      const taskQueue = uniqueTaskQueue('kill');
      const workerEnv = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
      const first = await startWorkerProcess(workerEnv);
      if (point.latencyMs) stack.demo.servers.weather.setFaults({ latencyMs: point.latencyMs });
      if (point.outageMs) stack.demo.servers.weather.setFaults({ unavailableForMs: point.outageMs });
      const before = { toolCalls: stack.emulator.stats().mcpToolCallsTotal };
      const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('kill'), args: [killQuery(point)] });
      await point.reach(handle, before);
      await first.kill();
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      const second = await startWorkerProcess(workerEnv);
      try {
        if (point.approve) {
          await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request on the new worker');
          await handle.executeUpdate(approveUpdate, { args: [{}] });
        }
        const result = await handle.result();
        const executions = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
        rows.push({
          scenario: `worker SIGKILL ${point.name}${point.name.includes(point.mode) ? '' : ` (${point.mode})`}`,
          runs: 1,
          completed: result.success ? 1 : 0,
          lost: result.success ? 0 : 1,
          duplicated: `${Math.max(0, executions - 1)} (weather tool ran ${executions}×; allowed ${point.maxExecutions})`,
          expected: result.success && executions <= point.maxExecutions && (await taskFailures(handle)) === 0 ? 'yes' : 'NO',
        });
        assert.equal(result.success, true, result.error ?? '');
        assert.ok(executions >= 1 && executions <= point.maxExecutions, `weather ran ${executions}×`);
        assert.equal(new Set(result.tool_calls.map((call) => call.id)).size, result.tool_calls.length, 'no record doubled');
      } finally {
        await second.stop();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Generated malformed payloads: workflow inputs, updates and signals, as raw gRPC payloads

interface RawPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
/** JSON that no handler accepts (null and {} are valid refreshTools / approve arguments, so they are not here). */
const JSON_SHAPES: unknown[] = [
  0,
  -1,
  1e308,
  'x',
  '',
  [],
  [[]],
  { query: 42 },
  { label: '' },
  { server: {}, tool: [] },
  { approval_request_id: 7 },
  { force_refresh: 'yes' },
  { workflow_id: null, state: 'bogus' },
  { url: 'file:///etc/passwd', label: 'x' },
  { label: 'x', url: 'http://169.254.169.254/' },
  { query: 'hi', query_id: '../../etc' },
  { query: 'hi', max_steps: 51 },
];

function malformedPayload(next: () => number, index: number): RawPayload {
  const json = { encoding: bytes('json/plain') };
  switch (index % 6) {
    case 0: // random bytes as JSON
      return { metadata: json, data: new Uint8Array(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256))) };
    case 1: {
      // a truncated JSON document
      const text = JSON.stringify({ query: 'weather', servers: [{ label: 'w', url: 'http://127.0.0.1:1/mcp' }] });
      return { metadata: json, data: bytes(text.slice(0, Math.floor(next() * text.length))) };
    }
    case 2: // valid JSON of the wrong shape
      return { metadata: json, data: bytes(JSON.stringify(JSON_SHAPES[Math.floor(next() * JSON_SHAPES.length)])) };
    case 3: // an unknown encoding
      return { metadata: { encoding: bytes(`x-garbage/${Math.floor(next() * 1000)}`) }, data: bytes('{}') };
    case 4: // no metadata
      return { data: bytes('"hello"') };
    default: // binary encoding where JSON is expected
      return { metadata: { encoding: bytes('binary/plain') }, data: new Uint8Array([1, 2, 3]) };
  }
}

async function rawUpdate(env: TestEnv, workflowId: string, name: string, payload: RawPayload): Promise<'refused' | 'accepted'> {
  const response = await env.client.workflowService.updateWorkflowExecution({
    namespace: env.namespace,
    workflowExecution: { workflowId },
    waitPolicy: { lifecycleStage: 3 },
    request: { meta: { updateId: randomUUID(), identity: 'reliability' }, input: { name, args: { payloads: [payload] } } },
  });
  return response.outcome?.failure ? 'refused' : 'accepted';
}

describe('reliability: generated malformed payloads', () => {
  it('1,200 malformed updates, signals and inputs: each refused or ignored, no workflow task fails, the workflows still complete', async () => {
    const next = random(12);
    const taskQueue = uniqueTaskQueue('malformed');
    await withWorker(
      { taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {}, temporalClient: stack.env.client }) },
      async (env) => {
        let sent = 0;
        let accepted = 0;
        // A session and a query waiting for approval take updates and signals.
        const session = await env.client.workflow.start(mcpSession, { taskQueue, workflowId: uniqueWorkflowId('malformed-session'), args: [{ retry: RETRY }] });
        await session.executeUpdate(addServerUpdate, { args: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] });
        const query = await env.client.workflow.start(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('malformed-query'),
          args: [
            {
              query: 'Do I have any meetings today?',
              servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' }],
              retry: RETRY,
            },
          ],
        });
        await until(async () => (await query.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
        const targets: Array<[string, string[]]> = [
          [session.workflowId, ['addServer', 'removeServer', 'refreshTools', 'executeQuery', 'rememberApproval']],
          [query.workflowId, ['approve', 'deny']],
        ];
        for (let i = 0; i < 700; i++) {
          const [workflowId, names] = targets[i % 2]!;
          const outcome = await rawUpdate(env, workflowId, names[Math.floor(next() * names.length)]!, malformedPayload(next, i));
          if (outcome === 'accepted') accepted++;
          sent++;
        }
        for (let i = 0; i < 300; i++) {
          await env.client.workflowService.signalWorkflowExecution({
            namespace: env.namespace,
            workflowExecution: { workflowId: i % 2 ? session.workflowId : query.workflowId },
            signalName: 'queryState',
            input: { payloads: [malformedPayload(next, i)] },
            identity: 'reliability',
          });
          sent++;
        }
        let inputsFailedCleanly = 0;
        const types = ['runQuery', 'mcpSession', 'discoverTools', 'refreshSession'];
        for (let i = 0; i < 200; i++) {
          const workflowId = uniqueWorkflowId('malformed-input');
          await env.client.workflowService.startWorkflowExecution({
            namespace: env.namespace,
            workflowId,
            workflowType: { name: types[i % types.length]! },
            taskQueue: { name: taskQueue },
            // Undecodable inputs only: some valid JSON is a valid input (an mcpSession with defaults).
            input: { payloads: [malformedPayload(next, i % 6 === 2 ? i + 1 : i)] },
            requestId: randomUUID(),
            identity: 'reliability',
          });
          sent++;
          const handle = env.client.workflow.getHandle(workflowId);
          const failedAtOnce = await Promise.race([
            handle.result().then(
              () => false,
              async () => (await taskFailures(handle)) === 0,
            ),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
          ]);
          if (failedAtOnce) inputsFailedCleanly++;
          else await handle.terminate('a malformed input was accepted').catch(() => undefined);
        }
        assert.deepEqual((await session.query(sessionProgressQuery)).servers, ['weather'], 'the session still answers');
        await query.executeUpdate(approveUpdate, { args: [{}] });
        const result = await query.result();
        const failures = (await taskFailures(session)) + (await taskFailures(query));
        await session.terminate('test finished').catch(() => undefined);
        rows.push({
          section: 70,
          scenario:
            'generated malformed payloads: 700 updates, 300 signals, 200 workflow inputs (raw gRPC: random bytes, truncated JSON, wrong shapes, unknown encodings, binary, no metadata)',
          runs: sent,
          completed: sent - accepted - (200 - inputsFailedCleanly),
          lost: 0,
          duplicated: '0',
          expected:
            accepted === 0 && inputsFailedCleanly === 200 && failures === 0 && result.success
              ? 'yes: every update refused by its validator, every signal ignored, every input failed in its first task; 0 workflow task failures'
              : 'NO',
        });
        assert.equal(accepted, 0, 'no malformed update accepted');
        assert.equal(inputsFailedCleanly, 200, 'every malformed input fails the run at once');
        assert.equal(failures, 0);
        assert.equal(result.success, true);
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Planted secrets, size cases, destinations

describe('reliability: secrets, sizes, destinations', () => {
  it('planted secrets echoed by a server (hosted and direct): the token is in no history', async () => {
    const token = `tok-${randomUUID()}`;
    const taskQueue = uniqueTaskQueue('planted');
    let clean = 0;
    await withWorker(
      {
        taskQueue,
        activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env: { PLANTED: token } }),
      },
      async (env) => {
        for (const mode of ['hosted', 'direct'] as const) {
          const calls =
            mode === 'hosted'
              ? [
                  { server: 'hostile', tool: 'echo_auth' },
                  { server: 'hostile', tool: 'fail_auth' },
                ]
              : [{ tool: 'hostile__echo_auth' }, { tool: 'hostile__fail_auth' }];
          const handle = await env.client.workflow.start(runQuery, {
            taskQueue,
            workflowId: uniqueWorkflowId('planted'),
            args: [
              {
                query: 'echo',
                mode,
                servers: [{ label: 'hostile', url: hostile.url, require_approval: 'never', authorization: { env: 'PLANTED' }, inline: true }],
                retry: RETRY,
                metadata: { mcpflow_script: JSON.stringify({ calls }) },
              },
            ],
          });
          await handle.result().catch(() => undefined);
          const text = await historyText(handle);
          if (![token, Buffer.from(token).toString('base64')].some((form) => text.includes(form))) clean++;
        }
      },
    );
    rows.push({
      section: 90,
      scenario: 'planted secret echoed by an MCP server (Authorization, plain and base64, in output and error), hosted + direct',
      runs: 2,
      completed: 2,
      lost: 0,
      duplicated: '0',
      expected: clean === 2 ? 'yes: token found 0 times in history' : 'NO',
    });
    assert.equal(clean, 2);
  });

  it('size cases: six 64,000-control-character outputs per turn (both modes) complete under 2 MiB', async () => {
    const taskQueue = uniqueTaskQueue('size');
    let completed = 0;
    let failures = 0;
    await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
      for (const mode of ['hosted', 'direct'] as const) {
        const calls = Array.from({ length: 6 }, () =>
          mode === 'hosted' ? { server: 'hostile', tool: 'flood', arguments: { n: 64_000 } } : { tool: 'hostile__flood', arguments: { n: 64_000 } },
        );
        const handle = await env.client.workflow.start(runQuery, {
          taskQueue,
          workflowId: uniqueWorkflowId('size'),
          args: [
            {
              query: 'flood',
              mode,
              stream: false,
              max_steps: 3,
              servers: [{ label: 'hostile', url: hostile.url, require_approval: 'never' }],
              retry: RETRY,
              metadata: { mcpflow_script: JSON.stringify({ calls, answer: 'ok' }) },
            },
          ],
        });
        if ((await handle.result()).success) completed++;
        failures += await taskFailures(handle);
      }
    });
    rows.push({
      section: 60,
      scenario: 'six 64,000-control-character tool outputs in one turn (384,000 bytes each as JSON), hosted + direct',
      runs: 2,
      completed,
      lost: 2 - completed,
      duplicated: '0',
      expected: completed === 2 && failures === 0 ? 'yes: outputs cut to 64,000 bytes with a note; no task failure, no termination' : 'NO',
    });
    assert.equal(completed, 2);
    assert.equal(failures, 0);
  });

  it('destinations: generated refused URLs and planted lookups never connect', async () => {
    const next = random(5);
    const refusedUrls = [
      'file:///etc/passwd',
      'gopher://a/',
      'ftp://a/',
      'javascript:alert(1)',
      'http://169.254.169.254/',
      'http://[fd00:ec2::254]/',
      'http://metadata.google.internal/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://[::ffff:169.254.169.254]/',
    ];
    for (let i = 0; i < 40; i++)
      refusedUrls.push(
        `http://169.254.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}/mcp`,
        `http://10.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.1/mcp`,
      );
    // Multicast, broadcast, and 169.254.169.254 / 10.x inside IPv6 (NAT64, local-use NAT64, 6to4, IPv4-translated, IPv4-compatible).
    const embedded = [
      'http://224.0.0.1/',
      'http://239.255.255.250/',
      'http://255.255.255.255/',
      'http://[ff02::1]/',
      'http://[ff05::fb]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[64:ff9b::169.254.169.254]/',
      'http://[64:ff9b:1::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::]/',
      'http://[2002:a00:1::1]/',
      'http://[::ffff:0:a9fe:a9fe]/',
      'http://[::a9fe:a9fe]/',
      'http://[64:ff9b::e000:1]/',
      'http://[2002:ffff:ffff::]/',
    ];
    for (let i = 0; i < 20; i++) {
      const [c, d] = [Math.floor(next() * 256), Math.floor(next() * 256)];
      embedded.push(`http://[64:ff9b::a9fe:${((c << 8) | d).toString(16)}]/mcp`, `http://[2002:a9fe:${((c << 8) | d).toString(16)}::1]/mcp`);
    }
    refusedUrls.push(...embedded);
    let refused = 0;
    for (const url of refusedUrls) if (checkUrl(url, 'loopback')) refused++;
    const lookup = (_host: string, _options: unknown, callback: (error: null, addresses: { address: string; family: number }[]) => void) =>
      callback(null, [{ address: '169.254.169.254', family: 4 }]);
    let refusedAtConnect = 0;
    for (let i = 0; i < 20; i++) {
      const error = await guardedFetch(true, { lookup })(`http://rebind-${i}.evil.test:${new URL(hostile.url).port}/mcp`).catch((caught: unknown) => caught);
      if (findDestinationRefusal(error)) refusedAtConnect++;
    }
    rows.push({
      section: 90,
      scenario: `destination guard: ${refusedUrls.length} refused URLs (schemes, metadata, link-local, unspecified, private, multicast, broadcast, IPv4 inside NAT64 / 6to4 / mapped IPv6) + 20 hostnames planted on 169.254.169.254`,
      runs: refusedUrls.length + 20,
      completed: refused + refusedAtConnect,
      lost: 0,
      duplicated: '0',
      expected: refused === refusedUrls.length && refusedAtConnect === 20 ? 'yes: every one refused, naming its rule; 0 connections' : 'NO',
    });
    assert.equal(refused, refusedUrls.length);
    assert.equal(refusedAtConnect, 20);
  });
});
