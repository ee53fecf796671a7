/**
 * `mcpflow server` creates the Nexus endpoint "mcpflow" on its dev server, targeting its namespace
 * and the worker's task queue (MCPFLOW_TASK_QUEUE / --task-queue); ensureNexusEndpoint points an
 * existing endpoint at a new queue instead of failing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { findFreePort } from '../../src/devserver/server';
import { ensureNexusEndpoint } from '../../src/nexus/endpoint';
import { uniqueTaskQueue } from '../helpers/temporal';

const SERVER_CLI = path.join(__dirname, '..', 'devserver', 'fixtures', 'server-cli.ts');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

describe('mcpflow server: the Nexus endpoint', () => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'mcpflow-nexus-endpoint-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('is created for the namespace and the worker queue, and updated when the queue changes', async () => {
    const port = await findFreePort();
    const taskQueue = uniqueTaskQueue('nexus-endpoint');
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, SERVER_CLI, 'server', '--port', String(port), '--ui-port', String(await findFreePort()), '--db', 'state.db'],
      {
        cwd: workDir,
        env: { ...process.env, NODE_OPTIONS: '', MCPFLOW_TASK_QUEUE: taskQueue },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Nexus endpoint/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.match(output, new RegExp(`Nexus endpoint "mcpflow" → default/${taskQueue} \\(created\\)`));

      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      try {
        const { endpoints } = await connection.operatorService.listNexusEndpoints({ name: 'mcpflow' });
        assert.equal(endpoints?.length, 1);
        assert.deepEqual({ ...endpoints![0]!.spec!.target!.worker }, { namespace: 'default', taskQueue });
        assert.equal(await ensureNexusEndpoint(connection, { namespace: 'default', taskQueue: `${taskQueue}-2` }), 'updated');
        const after = await connection.operatorService.listNexusEndpoints({ name: 'mcpflow' });
        assert.equal(after.endpoints![0]!.spec!.target!.worker!.taskQueue, `${taskQueue}-2`);
      } finally {
        await connection.close();
      }
      child.kill('SIGINT');
      assert.equal(await exit, 0, output);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }
  });
});
