/**
 * A hostile stdio server against a worker in its own process (Temporal dev server, emulator, real
 * programs): a 300 MB stderr flood without a newline leaves the worker up, its memory flat, and
 * fails the call as `connection`; helpers that left the server's process group (setsid) are
 * ended when a new worker starts after the old one was SIGKILLed. Counted with `ps`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { killMentioning, processesMentioning } from '../helpers/processes';
import { until } from '../helpers/wait';
import { reliabilityRows } from '../helpers/reliability-report';
import { useOfflineStack } from '../helpers/stack';
import { REPO_ROOT, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const HOSTILE_BIN = path.join(REPO_ROOT, 'test', 'mcp', 'fixtures', 'hostile-stdio-server.ts');
const retry = { max_retries: 1, base_delay_ms: 100, max_delay_ms: 200, rate_limit_base_delay_ms: 200 };
const rows = reliabilityRows(90, 'stdio-hostile');

/** Peak resident memory of a process (kB), from /proc. */
function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

describe('a hostile stdio server and a worker process', () => {
  const stack = useOfflineStack();
  let dir: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-hostile-worker-'));
  });
  after(async () => {
    for (const worker of workers) await worker.kill().catch(() => undefined);
    killMentioning(dir);
    await rm(dir, { recursive: true, force: true });
    rows.flush();
  });

  const startWorker = async (taskQueue: string) => {
    // The server is defined in the workflow input: this test's worker is one person's.
    const worker = await startWorkerProcess({ address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url, allowInlineServers: true });
    workers.push(worker);
    return worker;
  };
  const run = async (taskQueue: string, tool: string, daemons = 0) => {
    // Each test's processes carry a directory of their own: `ps` counts them apart.
    const server = {
      label: 'hostile',
      command: process.execPath,
      args: ['--import', 'tsx', HOSTILE_BIN, path.join(dir, taskQueue), String(daemons)],
      cwd: REPO_ROOT,
      require_approval: 'never' as const,
      inline: true as const,
    };
    const input: QueryInput = {
      query: `Use ${tool}`,
      mode: 'direct',
      servers: [server],
      retry,
      metadata: { [SCRIPT_METADATA_KEY]: JSON.stringify({ calls: [{ tool: `hostile__${tool}` }], answer: 'done' }) },
    };
    const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('stdio-hostile'), args: [input] });
    return (await handle.result()).tool_calls[0];
  };

  it('300 MB of stderr without a newline: the worker stays up with flat memory, the call fails as connection', async () => {
    const taskQueue = uniqueTaskQueue('stdio-flood');
    const worker = await startWorker(taskQueue);
    const pid = worker.child.pid!;
    assert.equal((await run(taskQueue, 'whoami'))?.status, 'completed');
    const peakBefore = peakRssKb(pid);

    const flooded = await run(taskQueue, 'flood_stderr');
    assert.equal(flooded?.status, 'failed');
    assert.equal(flooded?.error_type, 'connection', flooded?.error_message ?? '');
    const grewMb = (peakRssKb(pid) - peakBefore) / 1024;
    assert.equal(worker.child.exitCode, null, 'the worker is still running');
    assert.ok(grewMb < 150, `the worker's peak memory grew by ${Math.round(grewMb)} MB`);

    const after = await run(taskQueue, 'whoami');
    assert.equal(after?.status, 'completed', 'the same worker serves the next call');
    rows.push({
      scenario: 'security: a stdio server writes 300 MB of stderr without a newline, then exits mid-call',
      runs: 1,
      completed: 1,
      lost: 0,
      duplicated: 'none',
      expected: `yes: the call fails as connection, the worker stays up (peak memory +${Math.max(0, Math.round(grewMb))} MB); the log gets one line cut at 2,000 characters (stdio-hygiene.test.ts)`,
    });
    // (test/helpers/worker-main.ts does not close its MCP pool: a stop would wait for the idle close.)
    await worker.kill();
  });

  it('worker SIGKILL: the helpers its stdio server moved out of its process group are ended by the next worker', async () => {
    const taskQueue = uniqueTaskQueue('stdio-orphans');
    const first = await startWorker(taskQueue);
    assert.equal((await run(taskQueue, 'whoami', 5))?.status, 'completed');
    const mark = path.join(dir, taskQueue);
    await until(
      () => processesMentioning(mark).length === 6,
      () => `the server and 5 helpers: ${processesMentioning(mark).join(', ')}`,
      20_000,
    );
    await first.kill();
    // Nothing closed them: the server sees its stdin end, the helpers (in sessions of their own) do not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Any worker that starts meanwhile sweeps them (the suite runs files side by side), so the
    // count is reported, not asserted; the assertion is that none is left once a worker started.
    const orphaned = processesMentioning(mark).length;

    const second = await startWorker(taskQueue);
    await until(
      () => processesMentioning(mark).length === 0,
      () => `left running after a new worker started: ${processesMentioning(mark).join(', ')}`,
      20_000,
    );
    rows.push({
      scenario: 'security: worker SIGKILL while its stdio server runs 5 helpers that called setsid',
      runs: 1,
      completed: 1,
      lost: 0,
      duplicated: 'none',
      expected: `yes: ${orphaned} processes outlived the worker; 0 (counted with ps) once the next worker started`,
    });
    await second.stop();
  });
});
