/**
 * The real `mcpflow` command (built bin and sources) against the test Temporal server, with a
 * worker in this process talking to the emulator and the demo MCP servers.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import type { CallRecord, QueryResult } from '../../src/core/records';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, startFileWorker, type TestEnv } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, childEnv, collect, ensureBuilt, runCli, scratchDir, startCli, waitForOutput, type CliOptions } from './harness';

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const SEED_QUERY = "What's the weather in London and do I have any meetings today?";

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('cli');
let worker: { stop(): Promise<void> } | undefined;

function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, { ...options, env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env } });
}

const weather = () => `weather=${demo.servers.weather.url},approval=never`;
const calendar = () => `calendar=${demo.servers.calendar.url},approval=always`;

before(async () => {
  ensureBuilt();
  [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
  env = await getTestEnv();
  // One worker for the whole file, until after() stops it.
  worker = await startFileWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {} }) });
});

after(async () => {
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

/** The seed query in a pseudo-terminal (`script`), so that it asks for approvals as it would a person. */
function startSeedQueryOnTerminal() {
  const command = [process.execPath, BIN, 'query', SEED_QUERY, '--server', weather(), '--server', calendar()].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: scratchDir(),
    env: childEnv({ TEMPORAL_ADDRESS: env.address, MCPFLOW_TASK_QUEUE: taskQueue }),
  });
  const terminal = { child, output: '', exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout.on('data', (chunk: Buffer) => (terminal.output += chunk.toString()));
  return terminal;
}

describe('mcpflow query', () => {
  let weatherWorkflowId: string;

  it('--json prints one JSON document with the answer and the tool calls (built bin)', async () => {
    const run = await cli(['query', "What's the weather in London?", '--server', weather(), '--json'], { via: 'built' });
    assert.equal(run.code, 0, run.stderr);
    const output = JSON.parse(run.stdout) as { workflow_id: string; succeeded: boolean; result: QueryResult; web_ui: string | null };
    assert.equal(output.succeeded, true);
    assert.match(output.workflow_id, /^mcpflow-query-[0-9a-f]{8}$/);
    assert.match(output.result.text_response, /London/);
    assert.deepEqual(
      output.result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`),
      ['weather.get_current_weather:completed'],
    );
    // Progress went to stderr, so stdout held only the JSON.
    assert.match(run.stderr, /get_current_weather completed/);
    weatherWorkflowId = output.workflow_id;
  });

  it('shows an activity retry with its attempt, failure type and delay', async () => {
    emulator.setFaults({ failNext: { count: 1, status: 429, retryAfterMs: 2_500 } });
    const run = await cli(['query', "What's the weather in Paris?", '--server', weather(), '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /↻ retrying \(attempt 2\) after rate_limit in \d+\.\d s/);
    const output = JSON.parse(run.stdout) as { result: QueryResult };
    assert.ok(output.result.retries >= 1, `retries ${output.result.retries}`);
  });

  it('stats --json and history --tool --json read the finished query', async () => {
    const stats = await cli(['stats', weatherWorkflowId, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const parsed = JSON.parse(stats.stdout) as { tool_calls: number; total_queries: number; tool_usage: Record<string, number> };
    assert.equal(parsed.tool_calls, 1);
    assert.equal(parsed.total_queries, 1);
    assert.deepEqual(parsed.tool_usage, { get_current_weather: 1 });

    const history = await cli(['history', weatherWorkflowId, '--tool', 'get_current_weather', '--json']);
    assert.equal(history.code, 0, history.stderr);
    const calls = JSON.parse(history.stdout) as CallRecord[];
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.server, 'weather');
    const none = await cli(['history', weatherWorkflowId, '--tool', 'list_events', '--json']);
    assert.deepEqual(JSON.parse(none.stdout), []);

    const table = await cli(['stats', weatherWorkflowId]);
    assert.match(table.stdout, /success rate\s*│\s*100\.0 %/);
  });

  it('without a terminal, prints the approve command and keeps waiting; `mcpflow approve` in another process lets it finish', async () => {
    const query = startCli(['query', SEED_QUERY, '--server', weather(), '--server', calendar()], {
      env: { TEMPORAL_ADDRESS: env.address, MCPFLOW_TASK_QUEUE: taskQueue },
      via: 'source',
    });
    const finished = collect(query, 60_000);
    const [, workflowId, approvalId] = await waitForOutput(query, /mcpflow approve (mcpflow-query-[0-9a-f]{8}) (mcpr_\w+)/);
    const approve = await cli(['approve', workflowId!, approvalId!, '--reason', 'fine by me']);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, new RegExp(`Approved 1 request\\(s\\) of ${workflowId}: ${approvalId}`));

    const run = await finished;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /→ weather · get_current_weather completed/);
    assert.match(run.stdout, /✓ calendar · list_events approved: fine by me/);
    assert.match(run.stdout, /Answer:/);
    assert.match(run.stdout, /calendar\s*│\s*list_events\s*│\s*completed/);

    // Answering again is refused with a clear message.
    const again = await cli(['approve', workflowId!]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is completed: it takes no more answers/);
  });

  it('on a terminal, asks for the approval and sends the answer (pseudo-terminal through `script`)', async (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('no `script` command (util-linux)');
    const terminal = startSeedQueryOnTerminal();
    const { child, exited } = terminal;
    const waitFor = (pattern: RegExp) =>
      until(
        () => pattern.test(terminal.output),
        () => `${pattern} in:\n${terminal.output}`,
        30_000,
      );
    try {
      await waitFor(/Approve calendar · list_events \{"date":"2026-11-26"\}\? \[y\/n\]/);
      child.stdin.write('n\r');
      await waitFor(/Reason \(optional/);
      child.stdin.write('not today\r');
      assert.equal(await exited, 0, terminal.output);
      assert.match(terminal.output, /calendar · list_events denied: not today/);
      assert.match(terminal.output, /Answer:/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('Ctrl-C at the approval prompt stops watching like Ctrl-C while watching: exit 130, the query keeps waiting', async (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('no `script` command (util-linux)');
    const terminal = startSeedQueryOnTerminal();
    const { child, exited } = terminal;
    let workflowId: string | undefined;
    try {
      const deadline = Date.now() + 30_000;
      while (!/\[y\/n\]/.test(terminal.output)) {
        assert.ok(Date.now() < deadline, `no prompt in:\n${terminal.output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      workflowId = /Query (mcpflow-query-[0-9a-f]{8})/.exec(terminal.output)?.[1];
      child.stdin.write('\x03');
      assert.equal(await exited, 130, terminal.output);
      assert.match(terminal.output, /Stopped watching\. The query continues in Temporal: mcpflow progress mcpflow-query-/);
      assert.ok(workflowId, terminal.output);
      const progress = await cli(['progress', workflowId, '--json']);
      assert.equal(progress.code, 0, progress.stderr);
      assert.equal((JSON.parse(progress.stdout) as { pending_approvals: unknown[] }).pending_approvals.length, 1);
    } finally {
      child.kill('SIGKILL');
      if (workflowId)
        await env.client.workflow
          .getHandle(workflowId)
          .terminate('test finished')
          .catch(() => undefined);
    }
  });

  it('--no-wait prints the workflow id; deny with a reason reaches the answer', async () => {
    const started = await cli(['query', SEED_QUERY, '--server', weather(), '--server', calendar(), '--no-wait']);
    assert.equal(started.code, 0, started.stderr);
    const workflowId = started.stdout.trim();
    assert.match(workflowId, /^mcpflow-query-[0-9a-f]{8}$/);
    // Wait until the approval is pending, through the CLI itself.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const progress = await cli(['progress', workflowId, '--json']);
      assert.equal(progress.code, 0, progress.stderr);
      if ((JSON.parse(progress.stdout) as { pending_approvals: unknown[] }).pending_approvals.length) break;
      assert.ok(Date.now() < deadline, 'an approval request within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const deny = await cli(['deny', workflowId, '--reason', 'calendar is private', '--json']);
    assert.equal(deny.code, 0, deny.stderr);
    assert.equal((JSON.parse(deny.stdout) as { approve: boolean }).approve, false);
    const history = await cli(['history', workflowId, '--status', 'denied', '--json']);
    const denied = JSON.parse(history.stdout) as CallRecord[];
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.error_message, 'calendar is private');
  });
});

describe('mcpflow sessions', () => {
  it('query --session runs inside the session; stats and export agree', async () => {
    const session = `cli-session-${process.pid}-${Date.now()}`;
    try {
      const started = await cli(['session', 'start', session, '--server', weather()]);
      assert.equal(started.code, 0, started.stderr);
      for (const city of ['London', 'Paris']) {
        const run = await cli(['query', `What's the weather in ${city}?`, '--session', session, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const output = JSON.parse(run.stdout) as { workflow_id: string; result: QueryResult };
        assert.ok(output.workflow_id.startsWith(`${session}/`), output.workflow_id);
        assert.match(output.result.text_response, new RegExp(city));
      }
      const exported = await cli(['export', session]);
      assert.equal(exported.code, 0, exported.stderr);
      const history = JSON.parse(exported.stdout) as { results: unknown[]; call_history: CallRecord[]; statistics: { total_queries: number } };
      assert.equal(history.results.length, 2);
      assert.equal(history.call_history.length, 2);
      const trusted = await cli(['session', 'trust', session, 'weather', 'get_forecast', '--json']);
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.deepEqual(
        (JSON.parse(trusted.stdout) as { tool: string }[]).map((approval) => approval.tool),
        ['get_forecast'],
      );
      const unknown = await cli(['session', 'trust', session, 'weather', 'no_such_tool']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no tool no_such_tool/);
      const stats = await cli(['stats', session, '--json']);
      const { workflow_id: statsOf, ...statistics } = JSON.parse(stats.stdout) as { workflow_id: string };
      assert.equal(statsOf, session);
      assert.deepEqual(statistics, history.statistics);
    } finally {
      await env.client.workflow
        .getHandle(session)
        .terminate('test finished')
        .catch(() => undefined);
    }
  });
});

describe('mcpflow errors and exit codes', () => {
  it('an unknown workflow id exits 4 and names the id', async () => {
    for (const command of [
      ['stats', 'no-such-workflow-42'],
      ['approve', 'no-such-workflow-42'],
      ['history', 'no-such-workflow-42', '--json'],
    ]) {
      const run = await cli(command);
      assert.equal(run.code, 4, `${command.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /no workflow with id "no-such-workflow-42"/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout, '');
    }
  });

  it('a bad flag or a bad flag value exits 2', async () => {
    const unknown = await cli(['query', 'hi', '--bogus'], { via: 'built' });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    const badValue = await cli(['query', 'hi', '--server', weather(), '--approval-timeout', 'soon']);
    assert.equal(badValue.code, 2);
    assert.match(badValue.stderr, /--approval-timeout.*"soon" is not a duration/);
    const badServer = await cli(['query', 'hi', '--server', 'weather=not-a-url']);
    assert.equal(badServer.code, 2);
    assert.match(badServer.stderr, /--server "weather=not-a-url": url: must be the MCP endpoint URL/);
    const noServers = await cli(['query', 'hi']);
    assert.equal(noServers.code, 2);
    assert.match(noServers.stderr, /no MCP servers: pass --server/);
  });

  it('an unreachable Temporal exits 3 with a clear message', async () => {
    const run = await cli(['stats', 'anything'], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' }, via: 'built' });
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim(), 'mcpflow: cannot reach Temporal at 127.0.0.1:1: start it with `mcpflow server` or set TEMPORAL_ADDRESS');
    const flag = await cli(['--address', '127.0.0.1:1', 'query', 'hi', '--server', weather()]);
    assert.equal(flag.code, 3);
    assert.match(flag.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('an invalid config file exits 2 and names the field', async () => {
    const dir = scratchDir();
    writeFileSync(
      path.join(dir, 'mcpflow.config.json'),
      JSON.stringify({ servers: [{ label: 'weather', url: demo.servers.weather.url, authorization: 'sk-plain-secret' }], defaults: { mode: 'remote' } }),
    );
    const run = await cli(['query', 'hi'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /servers\[0\]\.authorization: secrets are not accepted as plain values/);
    assert.match(run.stderr, /defaults\.mode: /);
    assert.doesNotMatch(run.stderr + run.stdout, /sk-plain-secret/, 'the secret is never printed');

    const missing = await cli(['--config', 'nope.yaml', 'stats', 'x'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /config file .*nope\.yaml does not exist/);
  });

  it('a config file supplies the servers and the task queue', async () => {
    const dir = scratchDir();
    writeFileSync(
      path.join(dir, 'mcpflow.config.yaml'),
      `servers:\n  - label: weather\n    url: ${demo.servers.weather.url}\n    require_approval: never\ndefaults:\n  task_queue: ${taskQueue}\n`,
    );
    const run = await runCli(['query', 'Weather in Paris?', '--json'], { cwd: dir, env: { TEMPORAL_ADDRESS: env.address } });
    assert.equal(run.code, 0, run.stderr);
    const output = JSON.parse(run.stdout) as { result: QueryResult };
    assert.match(output.result.text_response, /Paris/);
  });

  it('--help lists the exit codes', async () => {
    const run = await cli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Exit codes:\n\s+0\s+success[\s\S]*3\s+Temporal is unreachable[\s\S]*4\s+no workflow or schedule/);
  });
});
