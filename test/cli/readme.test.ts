/**
 * Every shell block of README.md runs as written, as a new user would type it, with the built
 * CLI (bin/mcpflow.cjs) in place of `npx mcpflow`, against the offline stack: the test runner's
 * Temporal dev server, a worker in this process on the emulator, and the demo MCP servers.
 *
 * What the test changes, and only that:
 * - ports: the README's fixed ports (8801-8803 for `mcpflow dev`'s demo servers, 8811-8813 for the
 *   2026 ones) become free ports, so that the test runs beside anything else on the machine;
 * - placeholder workflow ids (`mcpflow-query-1a2b3c4d`) become the id of the block's last query;
 * - `npx mcpflow dev` is not started: this file's stack is what it starts (Temporal, worker,
 *   emulator, demo servers), on the ports above;
 * - a `query` without `--no-wait` runs on as in its own terminal: the next command is typed once
 *   the run waits for a person (an approval, a question) or has ended, as a reader would see on
 *   screen; at the end of the block it must have exited 0. `demo-servers` runs until the block ends.
 * Every other command runs to its end and must exit 0. A shell block this file neither runs nor
 * names in NOT_RUN (with the reason) fails the test, so a new README example cannot go untested.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { findFreePort } from '../../src/devserver/server';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { progressQuery } from '../../workflows/messages';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, startFileWorker, type TestEnv } from '../helpers/temporal';
import { BIN, childEnv, collect, ensureBuilt, scratchDir, type CliRun } from './harness';
import { readmeShellBlocks, type ReadmeBlock } from './readme-blocks';

/** Headings whose blocks are not run here, and why. */
const NOT_RUN: Record<string, string> = {
  'Two commands': '`npm install` and `npm test` are the install and this whole suite; `npm run demo` starts a Temporal server of its own',
  'Pipelines: a file of queries as one batch':
    'needs a questions.jsonl the README does not give, and two lines are synopses (`batch pause|resume|…`, `--server ...`); test/batch runs these commands',
  'OAuth-protected MCP servers': 'needs an authorization server and a person signing in with a browser; test/mcp/oauth.test.ts runs `mcpflow auth`',
  'Docker Compose': 'needs Docker and its images; test/compose checks the compose file',
  'Use it from your code':
    'creates the Nexus endpoint on a cluster (`temporal operator nexus endpoint create`); test/nexus/endpoint.test.ts creates it through `mcpflow server`',
  'Encrypted payloads': 'the key on the second line is a placeholder (`k20261201:...`); test/codec covers the codec and its keys',
};

/** Commands the test's own stack stands for. */
const STACK_COMMANDS = ['npx mcpflow dev'];

const PLACEHOLDER_QUERY_ID = 'mcpflow-query-1a2b3c4d';
/** A query's id as `query` prints it: on its own, or a session's child (`team/query-…`). */
const QUERY_ID = /mcpflow-query-[0-9a-f]{8}|[\w.-]+\/query-[0-9a-f]{8}/;

let emulator: EmulatorHandle;
let demo: DemoServersHandle;
let env: TestEnv;
const taskQueue = uniqueTaskQueue('readme');
let worker: { stop(): Promise<void> } | undefined;
/** README port → the port used here. */
const ports = new Map<string, number>();

function portOf(url: string): number {
  return Number(new URL(url).port);
}

before(async () => {
  ensureBuilt();
  [emulator, demo, env] = await Promise.all([startEmulator(), startDemoServers(), getTestEnv()]);
  ports.set('8801', portOf(demo.servers.weather.url));
  ports.set('8802', portOf(demo.servers.calendar.url));
  ports.set('8803', portOf(demo.servers.database.url));
  for (const readmePort of ['8811', '8812', '8813']) ports.set(readmePort, await findFreePort());
  // One worker for the whole file, until after() stops it.
  worker = await startFileWorker({ taskQueue, activities: createActivities({ openaiBaseURL: emulator.url, env: {} }) });
});

after(async () => {
  await worker?.stop();
  await Promise.all([emulator?.close(), demo?.close()]);
  await teardownTestEnv();
});

interface Ran {
  command: string;
  run: CliRun;
}

/** One block in one scratch directory, as one person in a few terminals. */
class BlockRunner {
  readonly cwd = scratchDir();
  readonly ran: Ran[] = [];
  private lastQueryId: string | undefined;
  private readonly queries: { command: string; child: ChildProcessWithoutNullStreams; done: Promise<CliRun> }[] = [];
  private readonly services: ChildProcessWithoutNullStreams[] = [];

  /** The command as the shell runs it here: ports and ids substituted, the built CLI for npx mcpflow. */
  shellText(command: string): string {
    let text = command.replace(/\b88(?:0[1-3]|1[1-3])\b/g, (port) => String(ports.get(port) ?? port));
    if (text.includes(PLACEHOLDER_QUERY_ID)) {
      assert.ok(this.lastQueryId, `"${command}" names ${PLACEHOLDER_QUERY_ID} but no query ran before it in this block`);
      text = text.replaceAll(PLACEHOLDER_QUERY_ID, this.lastQueryId);
    }
    return text.replace(/(^|\s)npx mcpflow\b/g, '$1"$README_NODE" "$README_BIN"');
  }

  private start(command: string): ChildProcessWithoutNullStreams {
    // exec: the signal that ends a service or a waiting query reaches mcpflow itself, not only sh.
    return spawn('sh', ['-c', `exec ${this.shellText(command)}`], {
      cwd: this.cwd,
      env: childEnv({
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace,
        MCPFLOW_TASK_QUEUE: taskQueue,
        MCPFLOW_DEMO_TODAY: process.env.MCPFLOW_DEMO_TODAY,
        README_NODE: process.execPath,
        README_BIN: BIN,
      }),
    });
  }

  async run(command: string): Promise<void> {
    if (STACK_COMMANDS.includes(command)) return;
    if (/^npx mcpflow demo-servers\b/.test(command)) return this.startService(command);
    if (/^npx mcpflow query\b/.test(command) && !/--no-wait\b/.test(command)) return this.startQuery(command);
    const run = await collect(this.start(command), 60_000);
    this.ran.push({ command, run });
    assert.equal(run.code, 0, `README: ${command}\nexited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    this.lastQueryId = QUERY_ID.exec(run.stdout)?.[0] ?? this.lastQueryId;
  }

  private async startService(command: string): Promise<void> {
    const child = this.start(command);
    this.services.push(child);
    const exited = collect(child, 600_000);
    const listening = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => /Demo "today" is/.test(chunk.toString()) && resolve()));
    const early = await Promise.race([listening.then(() => undefined), exited]);
    assert.equal(early, undefined, `README: ${command}\nexited before it listened: ${JSON.stringify(early)}`);
  }

  private async startQuery(command: string): Promise<void> {
    const child = this.start(command);
    const done = collect(child, 120_000);
    this.queries.push({ command, child, done });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const id = await new Promise<string | undefined>((resolve) => {
      child.stdout.on('data', () => {
        const found = QUERY_ID.exec(output)?.[0];
        if (found) resolve(found);
      });
      void done.then(() => resolve(QUERY_ID.exec(output)?.[0]));
    });
    if (!id) assert.fail(`README: ${command}\nprinted no workflow id:\n${output}\n${(await done).stderr}`);
    this.lastQueryId = id;
    await this.untilWaitingOrDone(id, done);
  }

  /** What a reader waits for before typing the next command: the run asks something, or it is over. */
  private async untilWaitingOrDone(workflowId: string, done: Promise<CliRun>): Promise<void> {
    let over = false;
    done.then(
      () => (over = true),
      () => (over = true),
    );
    const handle = env.client.workflow.getHandle(workflowId);
    let lastProblem: unknown;
    for (let polls = 0; polls < 600 && !over; polls++) {
      try {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') return;
        const progress = await handle.query(progressQuery);
        if (progress.pending_approvals.length > 0 || (progress.pending_input?.length ?? 0) > 0) return;
      } catch (error) {
        lastProblem = error; // not there yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!over) throw new Error(`${workflowId} neither waited for a person nor ended; last problem: ${String(lastProblem)}`);
  }

  /** Queries still running must end now (what they waited for was answered) and exit 0. */
  async finish(): Promise<void> {
    try {
      for (const query of this.queries) {
        const run = await query.done;
        this.ran.push({ command: query.command, run });
        assert.equal(run.code, 0, `README: ${query.command}\nexited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      }
    } finally {
      this.stop();
    }
  }

  /** Ends whatever still runs (after a failure: the failure is what the test reports). */
  stop(): void {
    for (const query of this.queries) query.child.kill('SIGKILL');
    for (const service of this.services) service.kill('SIGTERM');
  }

  output(pattern: RegExp): CliRun {
    const found = this.ran.find((each) => pattern.test(each.command));
    assert.ok(found, `no command matching ${pattern} ran`);
    return found.run;
  }
}

async function runBlock(block: ReadmeBlock): Promise<BlockRunner> {
  const runner = new BlockRunner();
  try {
    for (const command of block.commands) {
      assert.match(command, /^npx mcpflow\b/, `README line ${block.line}: "${command}" is not an mcpflow command; run it here or name the block in NOT_RUN`);
      await runner.run(command);
    }
  } catch (error) {
    runner.stop();
    throw error;
  }
  await runner.finish();
  return runner;
}

const blocks = readmeShellBlocks();
const usingIt = blocks.filter((block) => block.heading === 'Using it');

describe('README.md examples, as written, against the offline stack', () => {
  it('every shell block is either run here or named with the reason it is not', () => {
    const run = new Set(['Using it']);
    for (const block of blocks)
      assert.ok(
        run.has(block.heading) || block.heading in NOT_RUN,
        `README line ${block.line} (${block.heading}): a shell block this test neither runs nor names in NOT_RUN`,
      );
    assert.equal(usingIt.length, 3, 'Using it: the first query, sessions, MCP 2026-07-28');
  });

  it('the first query: weather runs, the calendar waits for approval, approve, stats, history', async () => {
    const runner = await runBlock(usingIt[0]!);
    const query = runner.output(/^npx mcpflow query/);
    // "waits for approval" when the watcher saw it pending; "needs approval" when the approve command was quicker than its poll.
    assert.match(
      query.stdout,
      /calendar · list_events (\S+ )?(waits for|needs) approval/,
      'the read-only calendar tool waited: the API default "always" is kept',
    );
    assert.match(query.stdout, /Answer:/);
    const history = JSON.parse(runner.output(/^npx mcpflow history/).stdout) as { server: string; tool: string; status: string }[];
    assert.deepEqual(
      history.map((call) => `${call.server}.${call.tool}:${call.status}`),
      ['calendar.list_events:completed'],
    );
  });

  it('sessions: start, a query in it, a refresh schedule, the export', async () => {
    const runner = await runBlock(usingIt[1]!);
    assert.match(runner.output(/--session team$/).stdout, /Answer:/);
    const exported = JSON.parse(readFileSync(path.join(runner.cwd, 'history.json'), 'utf8')) as Record<string, unknown>;
    assert.ok(Object.keys(exported).length > 0, 'history.json holds the session export');
  });

  it('MCP 2026-07-28: book_meeting asks who attends, progress shows the question, answer books it', async () => {
    const runner = await runBlock(usingIt[2]!);
    assert.match(runner.output(/^npx mcpflow progress/).stdout, /input-1/);
    const query = runner.output(/^npx mcpflow query/).stdout;
    assert.match(query, /Booked Roadmap \(with dana@example\.com\) on \d{4}-\d{2}-\d{2} at 15:00/, 'the planner filled title, date and time from the sentence');
  });
});

describe('query --script / --metadata (the scripting of batch lines, for one query)', () => {
  const cli = (args: string[]) =>
    collect(
      spawn(process.execPath, [BIN, ...args], {
        cwd: scratchDir(),
        env: childEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue }),
      }),
      60_000,
    );

  it('--script makes the offline model call exactly that tool; the same script in direct mode', async () => {
    const script = '{"calls":[{"server":"calendar","tool":"create_event","arguments":{"title":"Demo","date":"tomorrow","start_time":"15:00"}}]}';
    for (const mode of ['hosted', 'direct']) {
      const run = await cli([
        'query',
        'anything at all',
        '--mode',
        mode,
        '--server',
        `calendar=${demo.servers.calendar.url},approval=never`,
        '--script',
        script,
        '--metadata',
        '{"team":"ops"}',
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const calls = (JSON.parse(run.stdout) as { result: { tool_calls: { tool: string; status: string; arguments: unknown }[] } }).result.tool_calls;
      assert.deepEqual(
        calls.map((call) => `${call.tool}:${call.status}`),
        ['create_event:completed'],
        mode,
      );
      assert.deepEqual(calls[0]!.arguments, { title: 'Demo', date: 'tomorrow', start_time: '15:00' });
    }
  });

  it('a bad script or metadata is exit 2 naming the flag; neither goes with --session', async () => {
    const badScript = await cli(['query', 'x', '--server', `calendar=${demo.servers.calendar.url}`, '--script', '{"calls":[{"server":"calendar"}]}']);
    assert.equal(badScript.code, 2, badScript.stderr);
    assert.match(badScript.stderr, /--script.*calls\.0\.tool/);
    const badMetadata = await cli(['query', 'x', '--server', `calendar=${demo.servers.calendar.url}`, '--metadata', '{"n": 1}']);
    assert.equal(badMetadata.code, 2, badMetadata.stderr);
    assert.match(badMetadata.stderr, /--metadata.*n: /);
    const withSession = await cli(['query', 'x', '--session', 'team', '--script', '{"calls":[]}']);
    assert.equal(withSession.code, 2, withSession.stderr);
    assert.match(withSession.stderr, /--metadata and --script apply to a query run on its own/);
  });
});
