/**
 * The Temporal Web UI in a real browser: headless Chromium (Debian's package, driven with
 * puppeteer-core) opens a query's workflow page on a dev server whose UI is configured with
 * mcpflow's codec server. The payloads are encrypted in history; the page shows them decoded:
 * the state, the activity summaries (server and tool) and a tool argument. A screenshot is kept
 * in test/.tmp/browser/.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import puppeteer, { type Browser } from 'puppeteer-core';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { parseKeyList } from '../../src/codec/keys';
import { generateCodecToken, startCodecServer, uiCodecEndpoint, type CodecServerHandle } from '../../src/codec/server';
import { DEV_SERVER_SEARCH_ATTRIBUTE_TYPES } from '../../src/core/search-attributes';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { ensureTemporalCli } from '../../src/devserver/cli-path';
import { findFreePort } from '../../src/devserver/ports';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { runQuery } from '../../workflows/query';
import { startCliWorker, type CliWorker } from '../cluster/cli-worker';
import { ensureChromium } from './chromium';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(REPO_ROOT, 'test', '.tmp', 'browser');
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const TASK_QUEUE = 'mcpflow-browser';
const CODEC_TOKEN = generateCodecToken();

let devServer: ChildProcess | undefined;
let dbDir: string | undefined;
let codecServer: CodecServerHandle | undefined;
let emulator: EmulatorHandle | undefined;
let demo: DemoServersHandle | undefined;
let worker: CliWorker | undefined;
let connection: Connection | undefined;
let browser: Browser | undefined;
let address: string;
let uiUrl: string;
let chromium: { path: string } | { missing: string };

async function waitForServer(): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const opened = await Connection.connect({ address, connectTimeout: 1_000 });
      await opened.workflowService.getSystemInfo({});
      return opened;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the dev server on ${address} did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('Temporal Web UI with the codec server (headless Chromium)', () => {
  before(async () => {
    chromium = ensureChromium((line) => console.log(`browser: ${line}`));
    if ('missing' in chromium) return;
    const [grpcPort, uiPort, codecPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    address = `127.0.0.1:${grpcPort}`;
    uiUrl = `http://127.0.0.1:${uiPort}`;
    // The UI sends no header of its own without a login: the token rides as the endpoint's first path segment.
    codecServer = await startCodecServer({
      codec: new AesGcmPayloadCodec(parseKeyList(KEYS, 'test')),
      port: codecPort,
      corsOrigins: [uiUrl],
      token: CODEC_TOKEN,
    });
    dbDir = mkdtempSync(path.join(tmpdir(), 'mcpflow-browser-'));
    const cli = await ensureTemporalCli();
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(grpcPort),
      '--ui-port',
      String(uiPort),
      '--ui-codec-endpoint',
      uiCodecEndpoint(codecServer.url, CODEC_TOKEN),
      '--db-filename',
      path.join(dbDir, 'temporal.db'),
      '--log-level',
      'warn',
    ];
    for (const [name, type] of Object.entries(DEV_SERVER_SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);
    devServer = spawn(cli, args, { stdio: 'ignore' });
    connection = await waitForServer();
    [emulator, demo] = await Promise.all([startEmulator(), startDemoServers()]);
    worker = await startCliWorker({ name: 'browser', address, taskQueue: TASK_QUEUE, openaiBaseURL: emulator.url, env: { MCPFLOW_ENCRYPTION_KEYS: KEYS } });
  });

  after(async () => {
    await browser?.close();
    await worker?.stop();
    await connection?.close();
    await Promise.all([emulator?.close(), demo?.close(), codecServer?.close()]);
    if (devServer && devServer.exitCode === null) {
      const exited = new Promise((resolve) => devServer!.once('exit', resolve));
      devServer.kill('SIGTERM');
      await exited;
    }
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it("shows a query's state, activity summaries and a tool argument, decoded", async (t) => {
    if ('missing' in chromium) {
      t.skip(chromium.missing);
      return;
    }
    const client = new Client({ connection: connection!, dataConverter: mcpflowDataConverter({ MCPFLOW_ENCRYPTION_KEYS: KEYS }) });
    const workflowId = `browser-demo-${Date.now()}`;
    const result = await client.workflow.execute(runQuery, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [
        { query: "What's the weather in Paris?", mode: 'direct', servers: [{ label: 'weather', url: demo!.servers.weather.url, require_approval: 'never' }] },
      ],
    });
    assert.equal(result.success, true);
    const [argumentName, argumentValue] = Object.entries(result.tool_calls[0]!.arguments)[0]!;

    browser = await puppeteer.launch({ executablePath: chromium.path, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 2400 });
    await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`, { waitUntil: 'networkidle0', timeout: 60_000 });
    const expected = ['Completed', 'weather', 'get_current_weather', `Call weather · get_current_weather`, argumentName, String(argumentValue)];
    let text = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      text = await page.$eval('body', (body) => (body as unknown as { innerText: string }).innerText);
      if (expected.every((fragment) => text.includes(fragment))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'workflow-page.png'), fullPage: true });
    for (const fragment of expected) assert.ok(text.includes(fragment), `the page shows "${fragment}" (screenshot in test/.tmp/browser/workflow-page.png)`);
    assert.doesNotMatch(text, /binary\/encrypted/, 'no payload left encrypted on the page');
  });
});
