/**
 * A stdio server that crashes in the middle of calls, run by a real `mcpflow worker` process
 * (Temporal dev server, emulator): the crash is a connection failure, retried only for a
 * read-only tool, the pool starts the program again, and when the worker stops nothing it
 * started is left running, not even what the crashed programs had started themselves.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { collect, startCli, waitForOutput } from '../cli/harness';
import { useOfflineStack } from '../helpers/stack';
import { REPO_ROOT, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { until } from '../helpers/wait';

const FLAKY_BIN = path.join(__dirname, 'fixtures', 'flaky-stdio-server.ts');
const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };

/** Every process on the machine whose command line mentions `marker` (the worker's children and theirs). */
function processesMentioning(marker: string): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.flatMap((line) => {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    return match && match[2]!.includes(marker) && Number(match[1]) !== process.pid ? [Number(match[1])] : [];
  });
}

describe('a stdio server that crashes mid-call', () => {
  const stack = useOfflineStack();
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-flaky-'));
  });
  after(async () => {
    // Whatever a failed run left behind, this test's processes only (they carry its directory).
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  const currentTaskQueue = uniqueTaskQueue('stdio-crash');

  it('crash → connection failure; retried only for a read-only tool; restarted by the pool; nothing left once the worker stops', async () => {
    const taskQueue = currentTaskQueue;
    // The server is defined in the workflow input: this test's worker is one person's.
    const worker = startCli(['worker', '--allow-inline-servers'], {
      via: 'source',
      env: {
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_NAMESPACE: stack.env.namespace,
        MCPFLOW_TASK_QUEUE: taskQueue,
        OPENAI_BASE_URL: stack.emulator.url,
        FLAKY_DIR: dir,
      },
    });
    const stopped = collect(worker, 180_000);
    try {
      await exercise(worker, stopped);
    } finally {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await stopped.catch(() => undefined);
    }
  });

  async function exercise(worker: ReturnType<typeof startCli>, stopped: ReturnType<typeof collect>) {
    const taskQueue = currentTaskQueue;
    await waitForOutput(worker, /Press Ctrl-C to stop/, 120_000);

    const flaky = {
      label: 'flaky',
      command: process.execPath,
      args: ['--import', 'tsx', FLAKY_BIN, dir],
      env: { FLAKY_DIR: { env: 'FLAKY_DIR' } },
      cwd: REPO_ROOT,
      require_approval: 'never' as const,
      inline: true as const,
    };
    const run = async (tool: string) => {
      const input: QueryInput = {
        query: `Use ${tool}`,
        mode: 'direct',
        servers: [flaky],
        retry,
        metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ tool: `flaky__${tool}` }], answer: 'done' }) },
      };
      const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('stdio-crash'), args: [input] });
      const result = await handle.result();
      const events = (await handle.fetchHistory()).events ?? [];
      // A retried attempt leaves no event of its own: the started event of the last one carries its number and the failure before it.
      const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callToolDirect');
      const callStarted = events.find(
        (event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
      )?.activityTaskStartedEventAttributes;
      const finalFailures = events.filter((event) => event.activityTaskFailedEventAttributes).length;
      // The message travels in the failure's encoded attributes (src/codec/failure-converter.ts).
      const lastFailure = (await decodeOptionalFailureToOptionalError(loadDataConverter(mcpflowDataConverter({})), callStarted?.lastFailure))?.message ?? '';
      return { call: result.tool_calls[0], attempts: callStarted?.attempt ?? 0, lastFailure, finalFailures };
    };
    const pidOf = (output: string | null | undefined) => Number(/pid (\d+)/.exec(output ?? '')?.[1]);

    const first = await run('whoami');
    assert.equal(first.call?.status, 'completed');
    const pid1 = pidOf(first.call?.output);

    // Read-only: the crash fails the first attempt (a connection failure), the retry gets a new process.
    const read = await run('read_report');
    assert.equal(read.call?.status, 'completed', read.call?.error_message ?? '');
    assert.equal(read.attempts, 2, `one failed attempt, then the retry: ${JSON.stringify(read)}`);
    assert.match(read.lastFailure, /\(connection\)/, 'classified as a connection failure');
    const pid2 = pidOf(read.call?.output);
    assert.ok(pid2 > 0 && pid2 !== pid1, `a new process answered (${pid1} → ${pid2})`);
    assert.equal(Number(await readFile(path.join(dir, 'read-crashed'), 'utf8')), pid1, 'the first process crashed on it');

    // Not read-only: the crash is recorded, the call is not run again.
    const write = await run('write_note');
    assert.equal(write.call?.status, 'failed');
    assert.equal(write.call?.error_type, 'connection');
    assert.equal(write.attempts, 1, 'no retry');
    assert.equal(write.finalFailures, 1);
    assert.equal((await readFile(path.join(dir, 'notes.txt'), 'utf8')).trim().split('\n').length, 1, 'the note was written once');

    const again = await run('whoami');
    const pid3 = pidOf(again.call?.output);
    assert.ok(pid3 > 0 && pid3 !== pid2, 'restarted after the second crash');
    // The running server and its helper; the crashed servers' helpers went with them.
    await until(
      () => processesMentioning(dir).length === 2,
      `2 processes (server ${pid3} and its helper), found ${processesMentioning(dir).join(', ')}`,
      15_000,
    );

    worker.kill('SIGTERM');
    const exit = await stopped;
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(processesMentioning(dir), [], 'nothing the worker started is left running');
  }
});
