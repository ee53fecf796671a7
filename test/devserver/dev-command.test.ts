/**
 * `mcpflow dev` (the whole local setup in one process) takes `--ui-codec-endpoint` for its Web UI
 * (issue 21, item 10) and creates the Nexus endpoint `mcpflow` on its dev server (issue 23, item 6),
 * as `mcpflow server` does (test/codec/server-ui-codec.test.ts, test/nexus/endpoint.test.ts): read
 * back from the UI server's settings API and the server's Nexus endpoints.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { findFreePort } from '../../src/devserver/ports';
import { startCli, waitForOutput } from '../cli/harness';
import { uniqueTaskQueue } from '../helpers/temporal';

describe('mcpflow dev', { timeout: 150_000 }, () => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'mcpflow-dev-command-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('gives its Web UI the --ui-codec-endpoint and creates the Nexus endpoint for its worker queue', async () => {
    const [port, uiPort] = [await findFreePort(), await findFreePort()];
    const taskQueue = uniqueTaskQueue('dev-command');
    const endpoint = 'http://127.0.0.1:8081/some-token';
    // Every service on a free port: the defaults (8800-8803) may be taken by another test.
    const freePorts = { MCPFLOW_EMULATOR_PORT: '0', MCPFLOW_WEATHER_PORT: '0', MCPFLOW_CALENDAR_PORT: '0', MCPFLOW_DATABASE_PORT: '0' };
    const child = startCli(
      ['dev', '--port', String(port), '--ui-port', String(uiPort), '--ui-codec-endpoint', endpoint, '--db', path.join(workDir, 'state.db')],
      { via: 'source', cwd: workDir, env: { ...freePorts, MCPFLOW_TASK_QUEUE: taskQueue } },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const [output] = await waitForOutput(child, /[^]*Press Ctrl-C to stop everything/, 120_000);
      assert.match(output, new RegExp(`Nexus endpoint "mcpflow" → default/${taskQueue} \\(created\\)`));
      const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      assert.equal(settings.Codec?.Endpoint, endpoint);
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      try {
        const { endpoints } = await connection.operatorService.listNexusEndpoints({ name: 'mcpflow' });
        const target = endpoints?.[0]?.spec?.target?.worker;
        assert.deepEqual([target?.namespace, target?.taskQueue], ['default', taskQueue]);
      } finally {
        await connection.close();
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
