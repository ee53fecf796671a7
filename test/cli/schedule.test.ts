/**
 * `mcpflow schedule`: a schedule refreshes a session's tools every 2 s; a tool added to the
 * demo server between runs shows up as "added" in a later run's result.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ScheduleDetails } from '../../src/client/schedules';
import { createActivities } from '../../activities';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, withWorker, type TestEnv } from '../helpers/temporal';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait';
import { runCli, scratchDir, type CliOptions } from './harness';

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('cli-schedule');

function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, {
    via: 'source',
    ...options,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env },
  });
}

async function describeSchedule(scheduleId: string): Promise<ScheduleDetails> {
  const run = await cli(['schedule', 'describe', scheduleId, '--json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as ScheduleDetails;
}

function waitForRuns(scheduleId: string, ok: (details: ScheduleDetails) => boolean, what: string, timeoutMs = 30_000): Promise<ScheduleDetails> {
  const runs = (details: ScheduleDetails) => JSON.stringify(details.recent_runs.map((run) => [run.status, run.result?.diff, run.error]));
  return waitFor(
    () => describeSchedule(scheduleId),
    ok,
    (details) => `${what}; runs: ${runs(details)}`,
    { timeoutMs, intervalMs: 500 },
  );
}

const added = (details: ScheduleDetails) =>
  details.recent_runs.map((run) =>
    run.status === 'COMPLETED' && run.result ? run.result.diff.added.map((tool) => `${tool.server_label}.${tool.name}`) : null,
  );

before(async () => {
  [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
  env = await getTestEnv();
});

after(async () => {
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

describe('mcpflow schedule', () => {
  it('refreshes a session every 2 s and reports a tool added between runs', async () => {
    const activities = createActivities({ openaiBaseURL: emulator.url, env: {}, temporalClient: env.client });
    await withWorker({ taskQueue, activities }, async () => {
      const sessionId = `cli-session-${randomUUID().slice(0, 8)}`;
      const scheduleId = `cli-refresh-${randomUUID().slice(0, 8)}`;
      try {
        const started = await cli(['session', 'start', sessionId, '--server', `weather=${demo.servers.weather.url},approval=never`, '--json']);
        assert.equal(started.code, 0, started.stderr);
        assert.deepEqual(JSON.parse(started.stdout), { session_id: sessionId, servers: ['weather'] });

        const created = await cli(['schedule', 'create', '--session', sessionId, '--every', '2s', '--id', scheduleId, '--json']);
        assert.equal(created.code, 0, created.stderr);

        // First run: the empty catalog gains the weather tools.
        await waitForRuns(scheduleId, (details) => added(details).some((tools) => tools?.includes('weather.get_current_weather')), 'a first completed run');
        demo.servers.weather.addTool({ name: 'get_alerts', description: 'Weather alerts for a region' });
        const details = await waitForRuns(
          scheduleId,
          (current) => added(current).some((tools) => tools?.includes('weather.get_alerts')),
          'a run that sees get_alerts',
        );
        const runs = added(details);
        const firstWithAlerts = runs.findIndex((tools) => tools?.includes('weather.get_alerts'));
        assert.deepEqual(runs[firstWithAlerts], ['weather.get_alerts'], 'only the new tool is reported as added');
        assert.ok(firstWithAlerts > 0, 'an earlier run came before the change');
        assert.equal(details.session_id, sessionId);
        assert.equal(details.spec, 'every 2s');

        const listed = await cli(['schedule', 'list', '--json']);
        assert.ok((JSON.parse(listed.stdout) as Array<{ schedule_id: string }>).some((row) => row.schedule_id === scheduleId));

        const paused = await cli(['schedule', 'pause', scheduleId, '--note', 'test']);
        assert.equal(paused.code, 0, paused.stderr);
        assert.equal((await describeSchedule(scheduleId)).paused, true);
        const triggered = await cli(['schedule', 'trigger', scheduleId]);
        assert.equal(triggered.code, 0, triggered.stderr);
      } finally {
        await cli(['schedule', 'delete', scheduleId]);
        await env.client.workflow
          .getHandle(sessionId)
          .terminate('test finished')
          .catch(() => undefined);
      }
      const gone = await cli(['schedule', 'describe', scheduleId]);
      assert.equal(gone.code, 4);
      assert.match(gone.stderr, new RegExp(`no schedule with id "${scheduleId}"`));
    });
  });

  it('runs a batch file on a schedule: the file is kept in the schedule, each run is a batch of it', async () => {
    const activities = createActivities({ openaiBaseURL: emulator.url, env: {}, temporalClient: env.client });
    await withWorker({ taskQueue, activities }, async () => {
      const scheduleId = `cli-batch-${randomUUID().slice(0, 8)}`;
      const file = path.join(scratchDir(), 'nightly.jsonl');
      const rows = Array.from({ length: 5 }, (_, i) =>
        JSON.stringify({ query: `q${i}`, metadata: { mcpflow_script: JSON.stringify({ calls: [], answer: `nightly ${i}` }) } }),
      );
      writeFileSync(file, `${rows.join('\n')}\n`);
      try {
        const created = await cli([
          'schedule',
          'create',
          '--batch',
          file,
          '--every',
          '1d',
          '--id',
          scheduleId,
          '--server',
          `weather=${demo.servers.weather.url},approval=never`,
          '--json',
        ]);
        assert.equal(created.code, 0, created.stderr);
        assert.deepEqual(JSON.parse(created.stdout), { schedule_id: scheduleId, batch: file, lines: 5 });
        const triggered = await cli(['schedule', 'trigger', scheduleId]);
        assert.equal(triggered.code, 0, triggered.stderr);
        const details = await waitForRuns(scheduleId, (current) => current.recent_runs.some((run) => run.status === 'COMPLETED'), 'a completed batch run');
        assert.equal(details.workflow_type, 'runBatch');
        const run = details.recent_runs.find((candidate) => candidate.status === 'COMPLETED')!;
        const progress = (run.result as unknown as { progress: { succeeded: number; total: number } }).progress;
        assert.deepEqual([progress.succeeded, progress.total], [5, 5]);
        const results = await cli(['batch', 'results', run.workflow_id]);
        assert.equal(results.code, 0, results.stderr);
        assert.equal(results.stdout.trim().split('\n').length, 5);
      } finally {
        await cli(['schedule', 'delete', scheduleId]);
      }
    });
  });

  it('schedule create --batch checks the file first', async () => {
    const file = path.join(scratchDir(), 'bad.jsonl');
    writeFileSync(file, '{"query": "fine"}\n{"nope": 1}\n');
    const bad = await cli(['schedule', 'create', '--batch', file, '--every', '1d', '--server', 'weather=http://127.0.0.1:1/mcp']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /line 2: /);
    assert.match(bad.stderr, /No schedule was created/);
    // Temporal parses a cron expression only when the Schedule is created: its refusal names the flag and a fix.
    const good = path.join(scratchDir(), 'good.jsonl');
    writeFileSync(good, '{"query": "fine"}\n');
    for (const [cron, says] of [
      ['not cron', /does not have 5-7 fields/],
      ['61 * * * *', /Minute is not in range/],
    ] as const) {
      const refused = await cli(['schedule', 'create', '--batch', good, '--cron', cron, '--server', 'weather=http://127.0.0.1:1/mcp']);
      assert.equal(refused.code, 2, refused.stderr);
      assert.ok(refused.stderr.includes(`--cron "${cron}": Temporal refused it`), refused.stderr);
      assert.match(refused.stderr, says);
      assert.match(refused.stderr, /e\.g\. "0 \*\/6 \* \* \*"/);
    }
    const neither = await cli(['schedule', 'create', '--every', '1d']);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /exactly one of --session <id> and --batch <file>/);
  });

  it('schedule create checks its flags and the session', async () => {
    const both = await cli(['schedule', 'create', '--session', 'x', '--every', '1m', '--cron', '* * * * *']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --every <duration> and --cron <expression>/);
    const missing = await cli(['schedule', 'create', '--session', 'no-such-session-9', '--every', '1m']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /no workflow with id "no-such-session-9"/);
  });

  it('schedule create and session start refuse a workflow that is not a running session', async () => {
    // No worker needed: both check the workflow (describe) before anything else.
    const notSession = `cli-not-a-session-${randomUUID().slice(0, 8)}`;
    const ended = `cli-ended-session-${randomUUID().slice(0, 8)}`;
    await env.client.workflow.start('runQuery', { taskQueue, workflowId: notSession, args: [{ query: 'hi', servers: [] }] });
    await env.client.workflow.start('mcpSession', { taskQueue, workflowId: ended, args: [{}] });
    await env.client.workflow.getHandle(ended).terminate('test: the session ended');
    try {
      for (const command of [
        ['schedule', 'create', '--session', notSession, '--every', '1m'],
        ['session', 'start', notSession],
      ]) {
        const run = await cli(command);
        assert.equal(run.code, 1, `${command.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`${notSession} is a runQuery workflow, not a session`));
      }
      for (const command of [
        ['schedule', 'create', '--session', ended, '--every', '1m'],
        ['session', 'start', ended],
      ]) {
        const run = await cli(command);
        assert.equal(run.code, 1, `${command.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`session ${ended} has ended \\(terminated\\)`));
      }
      // Nothing new was started under the ended session's id.
      assert.equal((await env.client.workflow.getHandle(ended).describe()).status.name, 'TERMINATED');
    } finally {
      await env.client.workflow
        .getHandle(notSession)
        .terminate('test finished')
        .catch(() => undefined);
    }
  });
});
