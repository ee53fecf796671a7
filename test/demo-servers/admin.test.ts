import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProtocolError } from '@modelcontextprotocol/client';
import {
  DemoServerAdminClient,
  DemoServerAdminError,
  DemoServerStartError,
  InvalidInputError,
  startDemoServer,
  ToolConflictError,
  type DemoServerHandle,
} from '../../src/demo-servers/index';
import { call, ClientPool, text } from './helpers';

let weather: DemoServerHandle;
let admin: DemoServerAdminClient;
const pool = new ClientPool();

before(async () => {
  weather = await startDemoServer('weather');
  admin = new DemoServerAdminClient(weather.adminUrl);
});

beforeEach(() => weather.reset());

after(async () => {
  await pool.closeAll();
  await weather.close();
});

async function post(path: string, body: string, method = 'POST'): Promise<{ status: number; error: string }> {
  const response = await fetch(`${weather.adminUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
  const parsed = (await response.json()) as { error?: string };
  return { status: response.status, error: parsed.error ?? '' };
}

void describe('admin endpoint: validation', () => {
  const bad: [string, string, RegExp][] = [
    ['/faults', '{"latencyMs": -5}', /latencyMs/],
    ['/faults', '{"latencyMs": "slow"}', /latencyMs/],
    ['/faults', '{"failNext": {"count": 1, "kind": "explode"}}', /failNext\.kind/],
    ['/faults', '{"failNext": {"kind": "http_500"}}', /failNext\.count/],
    ['/faults', '{"unavailableForMs": 1.5}', /unavailableForMs/],
    ['/faults', '{"latency": 10}', /latency/],
    ['/faults', '{not json', /not valid JSON/],
    ['/tools', '{"description": "x"}', /name/],
    ['/tools', '{"name": "has space", "description": "x"}', /name/],
    ['/tools', '{"name": "ok"}', /description/],
  ];
  for (const [path, body, field] of bad) {
    void it(`POST /admin${path} ${body} → 400 naming the field`, async () => {
      const { status, error } = await post(path, body);
      assert.equal(status, 400);
      assert.match(error, field);
    });
  }

  void it('in-process setFaults and addTool validate with the same schemas', () => {
    assert.throws(
      () => weather.setFaults({ latencyMs: -1 }),
      (e: unknown) => e instanceof InvalidInputError && /latencyMs/.test(e.message),
    );
    assert.throws(() => weather.addTool({ name: '', description: 'x' }), InvalidInputError);
  });

  void it('unknown paths give 404 and wrong methods 405', async () => {
    assert.equal((await fetch(`${weather.adminUrl}/nope`)).status, 404);
    assert.equal((await fetch(`${weather.adminUrl}/counters`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(weather.url.replace('/mcp', '/elsewhere'))).status, 404);
    const get = await fetch(weather.url);
    assert.equal(get.status, 405);
    assert.deepEqual(((await get.json()) as { error: { code: number } }).error.code, -32000);
    assert.equal((await fetch(weather.url, { method: 'DELETE' })).status, 405);
  });
});

void describe('admin endpoint: control', () => {
  void it('sets and reads faults over HTTP', async () => {
    const status = await admin.setFaults({ latencyMs: 5, failNext: { count: 2, kind: 'http_429', retryAfterSeconds: 3 } });
    assert.deepEqual(status, { latencyMs: 5, failNext: { count: 2, kind: 'http_429', retryAfterSeconds: 3 }, unavailableForMs: 0 });
    assert.deepEqual(await admin.faults(), weather.faults());
    await admin.setFaults({ failNext: null });
    assert.equal((await admin.faults()).failNext, null);
    assert.equal((await admin.faults()).latencyMs, 5, 'fields not sent keep their value');
  });

  void it('an added tool shows up in tools/list and echoes; deleting it removes it', async () => {
    const client = await pool.connect(weather.url);
    const names = await admin.addTool({ name: 'get_air_quality', description: 'Air quality index (demo echo tool)' });
    assert.deepEqual(names, ['get_current_weather', 'get_forecast', 'get_air_quality']);
    const listed = await client.listTools();
    const added = listed.tools.find((t) => t.name === 'get_air_quality');
    assert.equal(added?.description, 'Air quality index (demo echo tool)');
    assert.deepEqual(added?.inputSchema.required, ['message']);
    assert.equal(text(await call(client, 'get_air_quality', { message: 'hello' })), 'hello');
    assert.deepEqual((await admin.counters()).executed, { get_air_quality: 1 });

    await assert.rejects(
      admin.addTool({ name: 'get_air_quality', description: 'again' }),
      (e: unknown) => e instanceof DemoServerAdminError && e.status === 409,
    );
    assert.throws(() => weather.addTool({ name: 'get_forecast', description: 'dup' }), ToolConflictError);

    assert.deepEqual(await admin.removeTool('get_air_quality'), ['get_current_weather', 'get_forecast']);
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.name),
      ['get_current_weather', 'get_forecast'],
    );
    await assert.rejects(admin.removeTool('get_air_quality'), (e: unknown) => e instanceof DemoServerAdminError && e.status === 404);
  });

  void it('a built-in tool can be removed (the catalog shrinks) and reset brings it back', async () => {
    const client = await pool.connect(weather.url);
    await admin.removeTool('get_forecast');
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.name),
      ['get_current_weather'],
    );
    await assert.rejects(call(client, 'get_forecast', { location: 'Paris', days: 1 }), (error: unknown) => {
      assert.ok(error instanceof ProtocolError && error.code === -32602, `the SDK 2.x answers an unknown tool with -32602, got ${String(error)}`);
      return true;
    });
    await admin.removeTool('get_current_weather');
    assert.deepEqual((await client.listTools()).tools, [], 'an empty catalog still answers tools/list');
    await admin.reset();
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.name),
      ['get_current_weather', 'get_forecast'],
    );
    assert.deepEqual(await admin.counters(), { executed: {}, faulted: {}, totalExecuted: 0 });
  });

  void it('info describes the server', async () => {
    const info = await admin.info();
    assert.equal(info.label, 'weather');
    assert.equal(info.url, weather.url);
    assert.equal(info.today, '2026-11-26');
    assert.deepEqual(info.tools, ['get_current_weather', 'get_forecast']);
  });
});

void describe('start-up', () => {
  void it('a busy port gives a DemoServerStartError with code EADDRINUSE', async () => {
    await assert.rejects(
      startDemoServer('calendar', { port: weather.port }),
      (e: unknown) => e instanceof DemoServerStartError && e.code === 'EADDRINUSE' && e.message.includes(String(weather.port)),
    );
  });
});
