/**
 * A hostile stdio server against the worker's pool, on real processes: daemonizing helpers
 * (setsid) are ended with their server, at the pool's idle close and after a crash; a stderr
 * flood without a newline neither fills the worker's memory nor floods its log; an endless
 * stdout message closes the connection. Each failure is a `connection` failure.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { McpConnectionPool } from '../../activities';
import { classifyError } from '../../activities/errors';
import type { StdioServerConfig } from '../../src/core/servers';
import { killMentioning, processesMentioning } from '../helpers/processes';
import { until } from '../helpers/wait';
import { REPO_ROOT } from '../helpers/temporal';

const HOSTILE_BIN = path.join(__dirname, 'fixtures', 'hostile-stdio-server.ts');

describe('a hostile stdio server in the pool', () => {
  let dir: string;
  const logged: string[] = [];
  let pool: McpConnectionPool;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpflow-hostile-'));
    pool = new McpConnectionPool(300, { log: (_level, message) => logged.push(message) });
  });
  after(async () => {
    await pool.close();
    killMentioning(dir);
    await rm(dir, { recursive: true, force: true });
  });

  const server = (daemons: number): StdioServerConfig => ({
    label: 'hostile',
    command: process.execPath,
    args: ['--import', 'tsx', HOSTILE_BIN, dir, String(daemons)],
    cwd: REPO_ROOT,
    require_approval: 'never',
  });
  const call = (config: StdioServerConfig, name: string) => pool.use(config, {}, (client: Client) => client.callTool({ name, arguments: {} }));

  it('idle close: the server and the 5 helpers it moved out of its process group are all gone', async () => {
    const answer = await call(server(5), 'whoami');
    assert.match(JSON.stringify(answer), /pid \d+/);
    await until(
      () => processesMentioning(dir).length === 6,
      () => `the server and 5 helpers running: ${processesMentioning(dir).join(', ')}`,
      20_000,
    );
    // The pool closes the idle server after 300 ms.
    await until(
      () => processesMentioning(dir).length === 0,
      () => `left running after the idle close: ${processesMentioning(dir).join(', ')}`,
      20_000,
    );
  });

  it('a crash after 300 MB of stderr without a newline: a connection failure, bounded log, no helper left', async () => {
    const config = server(3);
    await call(config, 'whoami');
    await until(
      () => processesMentioning(dir).length === 4,
      () => `the server and 3 helpers running: ${processesMentioning(dir).join(', ')}`,
      20_000,
    );
    logged.length = 0;
    const heapBefore = process.memoryUsage().rss;
    const failure = await call(config, 'flood_stderr').then(
      () => assert.fail('the call succeeded'),
      (error: unknown) => error,
    );
    assert.equal(classifyError(failure).type, 'connection', String(failure));
    assert.ok(
      process.memoryUsage().rss - heapBefore < 150 * 1024 * 1024,
      `the flood stayed out of memory (${Math.round((process.memoryUsage().rss - heapBefore) / 1e6)} MB more)`,
    );
    const stderrLines = logged.filter((line) => line.startsWith('MCP server hostile (stdio): '));
    assert.equal(stderrLines.length, 1, `one log line for one stderr line: ${stderrLines.map((line) => line.slice(0, 120)).join(' | ')}`);
    assert.match(stderrLines[0]!, /^MCP server hostile \(stdio\): x{2000}… \(line cut: \d+ more bytes\)$/);
    assert.ok(Number(/(\d+) more bytes/.exec(stderrLines[0]!)![1]) > 300 * 1024 * 1024 - 10_000, 'the rest of the 300 MB was counted');
    await until(
      () => processesMentioning(dir).length === 0,
      () => `left running after the crash: ${processesMentioning(dir).join(', ')}`,
      20_000,
    );
  });

  it('a 30 MB stdout message without a newline closes the connection: a connection failure', async () => {
    const config = server(0);
    const failure = await call(config, 'flood_stdout').then(
      () => assert.fail('the call succeeded'),
      (error: unknown) => error,
    );
    assert.equal(classifyError(failure).type, 'connection', String(failure));
    assert.ok(logged.some((line) => /stopped or broke/.test(line)));
    await until(
      () => processesMentioning(dir).length === 0,
      () => `left running: ${processesMentioning(dir).join(', ')}`,
      20_000,
    );
    // The next use starts it again.
    assert.match(JSON.stringify(await call(config, 'whoami')), /pid \d+/);
  });
});
