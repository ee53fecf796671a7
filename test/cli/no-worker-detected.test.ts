/**
 * A run nobody can answer says why, every time, with exit 5 (src/cli/README.md):
 * - a task queue nobody polls: `progress` and `answer` exit 5 with the hint, 10 times out of 10,
 *   at once (the pollers are checked before the query is sent);
 * - a worker that had the run and was SIGKILLed: the server answers FAILED_PRECONDITION ("no
 *   poller seen recently"), which used to come out as exit 1 "Failed to query Workflow";
 * - a worker without the encryption key of a keyed client: it fails every workflow task, and the
 *   client names the key id and the variable instead of "no worker is polling".
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, type TestEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { ensureBuilt, runCli, startCli, type CliOptions } from './harness';

let env: TestEnv;
const started: string[] = [];
const workers: ChildProcessWithoutNullStreams[] = [];
const NO_WORKER_HINT = /no worker is polling task queue \S+; start one with `mcpflow worker`/;

function cli(taskQueue: string, args: string[], options: CliOptions = {}) {
  return runCli(args, { ...options, env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env } });
}

/** A run on `taskQueue` whose model is unreachable: it stays running, retrying its first model call. */
async function startRun(taskQueue: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const start = await cli(taskQueue, ['query', 'hi', '--no-wait', '--server', 'weather=http://127.0.0.1:9/mcp,approval=never'], { env: extraEnv });
  assert.equal(start.code, 0, start.stderr);
  const workflowId = start.stdout.trim();
  started.push(workflowId);
  return workflowId;
}

/** `mcpflow worker` on `taskQueue` (no encryption key: the harness clears MCPFLOW_* variables), once it polls. */
async function startWorker(taskQueue: string): Promise<ChildProcessWithoutNullStreams> {
  const child = startCli(['worker'], {
    env: {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace,
      MCPFLOW_TASK_QUEUE: taskQueue,
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    },
  });
  workers.push(child);
  child.stdin.end();
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  return child;
}

/** Polls describe until `check` holds (bounded): the run's state, not a sleep. */
async function until(
  workflowId: string,
  what: string,
  check: (raw: Awaited<ReturnType<ReturnType<TestEnv['client']['workflow']['getHandle']>['describe']>>) => boolean,
): Promise<void> {
  await waitFor(
    () => env.client.workflow.getHandle(workflowId).describe(),
    check,
    () => `${workflowId}: ${what}`,
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

before(async () => {
  ensureBuilt();
  env = await getTestEnv();
});

after(async () => {
  for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const id of started)
    await env.client.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  await teardownTestEnv();
});

describe('a run nobody can answer', () => {
  it('progress and answer exit 5 with the hint every time (10 tries each) on a task queue nobody polls', async () => {
    const taskQueue = uniqueTaskQueue('cli-nobody');
    const workflowId = await startRun(taskQueue);
    for (let round = 0; round < 10; round++) {
      const [progress, answer] = await Promise.all([cli(taskQueue, ['progress', workflowId]), cli(taskQueue, ['answer', workflowId, '--accept'])]);
      for (const [name, run] of [
        ['progress', progress],
        ['answer', answer],
      ] as const) {
        assert.equal(run.code, 5, `try ${round + 1}: ${name} exited ${run.code}: ${run.stderr}`);
        assert.match(run.stderr, NO_WORKER_HINT, `try ${round + 1}: ${name}`);
        assert.match(run.stderr, new RegExp(`task queue ${taskQueue};`));
      }
    }
  });

  it('after the worker that ran it was SIGKILLed, progress and answer exit 5 (not 1 "Failed to query Workflow")', async () => {
    const taskQueue = uniqueTaskQueue('cli-killed');
    const worker = await startWorker(taskQueue);
    const workflowId = await startRun(taskQueue);
    // The worker has run its first workflow task (it now waits on the model call's retries).
    await until(workflowId, 'the first workflow task', (description) => (description.historyLength ?? 0) >= 4 && !description.raw.pendingWorkflowTask);
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    // The first query after the kill times out; the next ones get the server's FAILED_PRECONDITION.
    for (let round = 0; round < 3; round++) {
      const [progress, answer] = await Promise.all([cli(taskQueue, ['progress', workflowId]), cli(taskQueue, ['answer', workflowId, '--accept'])]);
      for (const [name, run] of [
        ['progress', progress],
        ['answer', answer],
      ] as const) {
        assert.equal(run.code, 5, `try ${round + 1}: ${name} exited ${run.code}: ${run.stderr}`);
        assert.match(run.stderr, NO_WORKER_HINT, `try ${round + 1}: ${name}`);
      }
    }
  });

  it('a keyed client against a worker without the key is told the key id and the variable, not "no worker"', async () => {
    const taskQueue = uniqueTaskQueue('cli-keyless');
    await startWorker(taskQueue);
    const keys = { MCPFLOW_ENCRYPTION_KEYS: `teamkey7:${randomBytes(32).toString('base64')}` };
    const workflowId = await startRun(taskQueue, keys);
    // The worker cannot decrypt the input: its workflow task fails and is retried.
    await until(workflowId, 'a retried workflow task', (description) => (description.raw.pendingWorkflowTask?.attempt ?? 1) >= 2);
    for (const args of [
      ['progress', workflowId],
      ['approve', workflowId],
    ]) {
      const run = await cli(taskQueue, args, { env: keys });
      assert.equal(run.code, 5, `${args[0]} exited ${run.code}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /no worker is polling/);
      assert.match(run.stderr, new RegExp(`a worker polls task queue ${taskQueue} but fails its workflow task`));
      assert.match(run.stderr, /input is encrypted with key "teamkey7", which that worker lacks/);
      assert.match(run.stderr, /MCPFLOW_ENCRYPTION_KEYS=teamkey7:<key>/);
      assert.doesNotMatch(
        run.stderr,
        new RegExp(keys.MCPFLOW_ENCRYPTION_KEYS.split(':')[1]!.slice(0, 12).replace(/[+/]/g, '.')),
        'the key itself is never printed',
      );
    }
  });
});
