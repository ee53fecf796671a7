/**
 * `mcpflow server` as a real process: state in the SQLite file survives a restart,
 * Ctrl-C stops it cleanly, a busy port is one clear line and exit code 1.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { findFreePort } from '../../src/devserver/server';
import { getWorkflowBundle, uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const SERVER_CLI = path.join(__dirname, 'fixtures', 'server-cli.ts');
const TRIVIAL_WORKFLOWS = path.join(__dirname, 'fixtures', 'trivial-workflow.ts');
const READY_TIMEOUT_MS = 60_000;
// The command runs in a temp dir (its .mcpflow/ goes there), where a bare `--import tsx` would not resolve.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

interface RunningCommand {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function runServerCommand(args: string[], cwd: string): RunningCommand {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SERVER_CLI, 'server', ...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a failed test can stop the Temporal server it started too.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitForOutput(command: RunningCommand, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void command.exit.then(() => {
    exited = true;
  });
  while (!pattern.test(command.output())) {
    if (exited) assert.fail(`mcpflow server exited before printing ${pattern}:\n${command.output()}`);
    if (Date.now() > deadline) assert.fail(`mcpflow server did not print ${pattern} in time:\n${command.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function interrupt(command: RunningCommand): Promise<number | null> {
  command.child.kill('SIGINT');
  return command.exit;
}

async function runTrivialWorkflow(address: string, workflowId: string): Promise<string> {
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const taskQueue = uniqueTaskQueue('server-command');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await getWorkflowBundle(TRIVIAL_WORKFLOWS),
    });
    const client = new Client({ connection });
    return await worker.runUntil(() => client.workflow.execute('trivial', { taskQueue, workflowId, args: ['durable'] }));
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

void describe('mcpflow server', () => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'mcpflow-server-'));
  const running: RunningCommand[] = [];
  after(() => {
    for (const { child } of running) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone: the command stopped its server itself.
      }
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  void it('keeps completed workflows across a restart (SQLite under .mcpflow/)', async () => {
    const port = await findFreePort();
    const uiPort = await findFreePort();
    const args = ['--port', String(port), '--ui-port', String(uiPort)];
    const address = `127.0.0.1:${port}`;
    const workflowId = uniqueWorkflowId('survives-restart');

    const first = runServerCommand(args, workDir);
    running.push(first);
    // The banner's last line: its lines may arrive in separate chunks.
    await waitForOutput(first, /state: +\S/);
    assert.match(first.output(), new RegExp(`address: +${address.replace(/\./g, '\\.')}`));
    assert.match(first.output(), new RegExp(`Web UI: +http://127\\.0\\.0\\.1:${uiPort}`));
    assert.match(first.output(), new RegExp(`state: +${path.join(workDir, '.mcpflow', 'temporal.db').replace(/[.\\/]/g, '\\$&')}`));
    assert.equal(await runTrivialWorkflow(address, workflowId), 'hello durable');
    assert.equal(await interrupt(first), 0, `Ctrl-C stops it cleanly:\n${first.output()}`);
    assert.match(first.output(), /Stopped\./);

    const second = runServerCommand(args, workDir);
    running.push(second);
    await waitForOutput(second, /state: +\S/);
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection });
      const handle = client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      assert.equal(description.status.name, 'COMPLETED');
      assert.equal(await handle.result(), 'hello durable');
      const listed: string[] = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(execution.status.name);
      assert.deepEqual(listed, ['COMPLETED'], 'the visibility store survived too');
    } finally {
      await connection.close();
    }
    assert.equal(await interrupt(second), 0);
  });

  void it('exits with code 1 and one clear line when the port is busy', async () => {
    const port = await findFreePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port }, resolve));
    try {
      const command = runServerCommand(['--port', String(port), '--ui-port', String(await findFreePort())], workDir);
      running.push(command);
      assert.equal(await command.exit, 1);
      assert.equal(command.output().trim(), `mcpflow: port ${port} is already in use: another Temporal server is running? stop it or pass --port`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  void it('rejects a port that is not a number', async () => {
    const command = runServerCommand(['--port', 'seven'], workDir);
    running.push(command);
    assert.notEqual(await command.exit, 0);
    assert.match(command.output(), /"seven" is not a TCP port/);
  });
});
