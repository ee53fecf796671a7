/** startDevServer on the real Temporal CLI: readiness, search attributes, busy ports, stop. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/core/search-attributes';
import { DevServerStartError, findFreePort, isPortFree, PortInUseError, startDevServer, type DevServer } from '../../src/devserver/server';
import { getTestEnv, teardownTestEnv } from '../helpers/temporal';

/** IndexedValueType enum names as the operator API returns them, per mcpflow's attribute types. */
const EXPECTED_INDEXED_TYPES: Record<string, number> = { KEYWORD: 2, INT: 3, KEYWORD_LIST: 7 };

async function withConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

function occupyPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
}

const closeServer = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

void describe('startDevServer', () => {
  const started: DevServer[] = [];
  const tempDirs: string[] = [];
  after(async () => {
    await Promise.all(started.map((server) => server.stop()));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    await teardownTestEnv();
  });

  void it('starts on the given port, answers, and frees the port on stop', async () => {
    const port = await findFreePort();
    const server = await startDevServer({ port, headless: true });
    started.push(server);
    assert.equal(server.address, `127.0.0.1:${port}`);
    assert.equal(server.uiUrl, undefined, 'headless has no Web UI');
    const info = await withConnection(server.address, (connection) => connection.workflowService.describeNamespace({ namespace: 'default' }));
    assert.equal(info.namespaceInfo?.name, 'default');

    await server.stop();
    const exit = await server.exited;
    assert.equal(exit.code, 0, `the server exits cleanly on SIGTERM (got ${JSON.stringify(exit)})`);
    assert.ok(await isPortFree(port), 'the port is free again after stop()');
    await server.stop(); // a second stop is a no-op
  });

  void it('serves a non-default namespace and reports the Web UI URL', async () => {
    const port = await findFreePort();
    const uiPort = await findFreePort();
    const server = await startDevServer({ port, uiPort, namespace: 'mcpflow-devserver-test' });
    started.push(server);
    assert.equal(server.uiUrl, `http://127.0.0.1:${uiPort}`);
    const response = await fetch(server.uiUrl);
    assert.equal(response.status, 200, 'the Web UI answers');
    const attributes = await withConnection(server.address, (connection) =>
      connection.operatorService.listSearchAttributes({ namespace: 'mcpflow-devserver-test' }),
    );
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.ok(name in attributes.customAttributes, `${name} registered`);
    await server.stop();
  });

  void it("registers mcpflow's search attributes with their types", async () => {
    const env = await getTestEnv();
    const attributes = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      assert.equal(attributes.customAttributes[name], EXPECTED_INDEXED_TYPES[type], `${name} is ${type}`);
    }
  });

  void it('adds search attributes that an older database file lacks', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-sa-'));
    tempDirs.push(dir);
    const dbFilename = path.join(dir, 'old.db');
    const port = await findFreePort();
    const old = await startDevServer({ port, headless: true, dbFilename, searchAttributes: { McpState: 'Keyword' } });
    started.push(old);
    await old.stop();

    // The CLI itself ignores --search-attribute for an existing database: startDevServer must add them.
    const current = await startDevServer({ port, headless: true, dbFilename });
    started.push(current);
    const attributes = await withConnection(current.address, (connection) => connection.operatorService.listSearchAttributes({ namespace: 'default' }));
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) assert.ok(name in attributes.customAttributes, `${name} registered`);
    await current.stop();
  });

  void it('refuses a busy gRPC port with a message that says what to do', async () => {
    const port = await findFreePort();
    const blocker = await occupyPort(port);
    try {
      await assert.rejects(startDevServer({ port, headless: true }), (error: unknown) => {
        assert.ok(error instanceof PortInUseError);
        assert.equal(error.message, `port ${port} is already in use: another Temporal server is running? stop it or pass --port`);
        return true;
      });
    } finally {
      await closeServer(blocker);
    }
  });

  void it('refuses a busy Web UI port', async () => {
    const port = await findFreePort();
    const uiPort = await findFreePort();
    const blocker = await occupyPort(uiPort);
    try {
      await assert.rejects(startDevServer({ port, uiPort }), /Web UI port \d+ is already in use: .*pass --ui-port/);
    } finally {
      await closeServer(blocker);
    }
  });

  void it('reports a CLI that cannot run, with the command', async () => {
    await assert.rejects(
      startDevServer({ port: await findFreePort(), headless: true, cliPath: '/nonexistent/temporal', stopGraceMs: 100 }),
      (error: unknown) => {
        assert.ok(error instanceof DevServerStartError);
        assert.match(error.message, /could not run the Temporal CLI: .*ENOENT[\s\S]*Command: \/nonexistent\/temporal server start-dev/);
        return true;
      },
    );
  });

  void it('puts the server output in the error when it dies during startup', async () => {
    // A directory where the SQLite file should be: the CLI exits at once.
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-baddb-'));
    tempDirs.push(dir);
    await assert.rejects(startDevServer({ port: await findFreePort(), headless: true, dbFilename: dir }), (error: unknown) => {
      assert.ok(error instanceof DevServerStartError, String(error));
      assert.match(error.message, /exited during startup[\s\S]*Last output:/);
      return true;
    });
  });

  void it('rejects an unknown search attribute type before spawning anything', async () => {
    await assert.rejects(
      startDevServer({ port: await findFreePort(), headless: true, searchAttributes: { Broken: 'Banana' } }),
      /search attribute Broken has unknown type Banana/,
    );
  });
});
