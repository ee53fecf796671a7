/**
 * `mcpflow batch run --service-tier flex` as a child process against the test Temporal server,
 * a worker in this process, the emulator injecting flex's HTTP 429 `resource_unavailable` (with
 * its `retry-after-ms`): the line it hits is retried more times than the ordinary retry budget
 * allows and succeeds; no line is counted failed (the backoff without a retry-after is unit-tested
 * in test/unit/model-options.test.ts). Every line (a `runBatchLine` activity of the batch) carries
 * the tier and the batch's shared prompt cache key.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { sharedCacheKey } from '../../src/core/model-options';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { parseLineActivityId } from '../../src/core/batch-line';
import { ensureBuilt, runCli, scratchDir } from '../cli/harness';
import { getTestEnv, startFileWorker, teardownTestEnv, uniqueTaskQueue, uniqueWorkflowId, type TestEnv } from '../helpers/temporal';

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('batch-flex');
let worker: { stop(): Promise<void> } | undefined;

before(async () => {
  ensureBuilt();
  [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
  env = await getTestEnv();
  worker = await startFileWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {}, temporalClient: env.client }) });
});

after(async () => {
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

type Json = Record<string, unknown>;

interface LineActivity {
  key: string;
  input: Json;
  attempt: number;
  lastFailureType: string | undefined;
  result: { success: boolean; retries: number };
}

/** Each `runBatchLine` activity of the batch's run: its input, its last attempt and its result, decoded from the history. */
async function lineActivities(handle: WorkflowHandle): Promise<LineActivity[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const decode = (data: Uint8Array | null | undefined) => JSON.parse(Buffer.from(data!).toString('utf8')) as Json;
  return events.flatMap((scheduledEvent) => {
    const scheduled = scheduledEvent.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'runBatchLine') return [];
    const id = Number(scheduledEvent.eventId);
    const started = events.find((event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === id)?.activityTaskStartedEventAttributes;
    const completed = events.find((event) => Number(event.activityTaskCompletedEventAttributes?.scheduledEventId) === id)?.activityTaskCompletedEventAttributes;
    const answer = decode(completed?.result?.payloads?.[0]?.data) as { result: LineActivity['result'] };
    return [
      {
        key: parseLineActivityId(scheduled.activityId!)!.key,
        input: decode(scheduled.input?.payloads?.[0]?.data),
        attempt: started?.attempt ?? 0,
        lastFailureType: started?.lastFailure?.applicationFailureInfo?.type ?? undefined,
        result: answer.result,
      },
    ];
  });
}

describe('mcpflow batch run --service-tier flex', () => {
  it("waits out flex's 429 resource_unavailable with backoff: every line succeeds, none failed", async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'flex.jsonl');
    const rows = [1, 2, 3].map((n) =>
      JSON.stringify({ query: `q${n}`, id: `f-${n}`, metadata: { mcpflow_script: JSON.stringify({ calls: [], answer: `answer ${n}` }) } }),
    );
    writeFileSync(file, `${rows.join('\n')}\n`);
    // One ordinary retry: only a flex run's own retry budget lets the line through three 429s.
    const config = path.join(dir, 'mcpflow.config.json');
    writeFileSync(
      config,
      JSON.stringify({ defaults: { retry: { max_retries: 1, base_delay_ms: 100, max_delay_ms: 400, rate_limit_base_delay_ms: 600_000 } } }),
    );
    // The emulator's flex 429 (its README: code resource_unavailable, retry-after-ms), three in a row:
    // with --concurrency 1 they all hit the first line's model call.
    emulator.setFaults({ flexUnavailableNext: 3, flexRetryAfterMs: 100 });
    const batchId = uniqueWorkflowId('flex');
    const run = await runCli(
      [
        '--config',
        config,
        'batch',
        'run',
        file,
        '--server',
        `weather=${demo.servers.weather.url},approval=never`,
        '--service-tier',
        'flex',
        '--concurrency',
        '1',
        '--batch-id',
        batchId,
        '--json',
      ],
      { timeoutMs: 120_000, env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue } },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { progress: { succeeded: number; failed: number; done: number } };
    assert.deepEqual([summary.progress.succeeded, summary.progress.failed, summary.progress.done], [3, 0, 3]);
    assert.equal(emulator.stats().faultsInjected, 3, 'the three 429s were sent');
    // The lines ran as runBatchLine activities of the batch (issue 26): the first line's activity waited out the three 429s.
    const lines = await lineActivities(env.client.workflow.getHandle(batchId));
    assert.deepEqual(
      lines.map((line) => line.key),
      ['f-1', 'f-2', 'f-3'],
    );
    const first = lines[0]!;
    assert.equal(first.attempt, 4, 'three retries of the line');
    assert.equal(first.lastFailureType, 'rate_limit', 'classified as rate_limit, retried');
    assert.ok(first.result.retries >= 3, `the line waited three times (${first.result.retries} retries)`);
    for (const line of lines) {
      assert.equal(line.result.success, true, line.key);
      assert.equal(line.input['service_tier'], 'flex', line.key);
      assert.equal(line.input['prompt_cache_key'], sharedCacheKey('batch', batchId), `${line.key}: the batch's lines share one cache key`);
    }
  });
});

describe('the model option flags refuse bad values before anything starts (exit 2, naming the flag)', () => {
  for (const [args, message] of [
    [['batch', 'run', 'x.jsonl', '--service-tier', 'cheap'], /--service-tier.*cheap/],
    [['query', 'q', '--reasoning-effort', 'huge'], /--reasoning-effort.*huge/],
    [['session', 'start', 's', '--max-output-tokens', '8'], /max_output_tokens: the API takes at least 16/],
    [['query', 'q', '--reasoning-summary', 'long'], /--reasoning-summary.*long/],
  ] as const) {
    it(args.join(' '), async () => {
      const run = await runCli([...args], { timeoutMs: 30_000, env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    });
  }
});
