import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError, SdkHttpError } from '@modelcontextprotocol/client';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers/index';
import { call, ClientPool, json, rawPost, text } from './helpers';

let weather: DemoServerHandle;
let calendar: DemoServerHandle;
const pool = new ClientPool();

before(async () => {
  weather = await startDemoServer('weather');
  calendar = await startDemoServer('calendar', { faults: { latencyMs: 0 } });
});

beforeEach(() => {
  weather.reset();
  calendar.reset();
});

after(async () => {
  await pool.closeAll();
  await Promise.all([weather.close(), calendar.close()]);
});

const paris = { location: 'Paris' };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

void describe('fault injection, seen from the MCP client', () => {
  void it('tool_error gives an isError result without running the tool', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 1, kind: 'tool_error' } });
    const failed = await call(client, 'get_current_weather', paris);
    assert.equal(failed.isError, true);
    assert.match(text(failed), /tool_error/);
    assert.equal(json(await call(client, 'get_current_weather', paris)).location, 'Paris');
    assert.deepEqual(weather.counters().executed, { get_current_weather: 1 });
    assert.deepEqual(weather.counters().faulted, { tool_error: 1 });
  });

  void it('jsonrpc_error makes callTool reject with a ProtocolError carrying the code', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 2, kind: 'jsonrpc_error' } });
    const first = await rejection(call(client, 'get_current_weather', paris));
    assert.ok(first instanceof ProtocolError, String(first));
    assert.equal(first.code, -32603);
    weather.setFaults({ failNext: { count: 1, kind: 'jsonrpc_error', jsonrpcCode: -32001 } });
    const second = await rejection(call(client, 'get_current_weather', paris));
    assert.ok(second instanceof ProtocolError);
    assert.equal(second.code, -32001);
    assert.equal(weather.counters().totalExecuted, 0);
  });

  void it('http_500 rejects with an SdkHttpError carrying the status', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 1, kind: 'http_500' } });
    const error = await rejection(call(client, 'get_forecast', { location: 'Paris', days: 2 }));
    assert.ok(error instanceof SdkHttpError, String(error));
    assert.equal(error.status, 500);
    assert.equal(weather.counters().totalExecuted, 0);
  });

  void it('http_429 rejects with status 429 and sends a retry-after header', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 1, kind: 'http_429' } });
    const error = await rejection(call(client, 'get_current_weather', paris));
    assert.ok(error instanceof SdkHttpError);
    assert.equal(error.status, 429);

    // The SDK error does not expose headers, so look at the wire directly.
    weather.setFaults({ failNext: { count: 1, kind: 'http_429', retryAfterSeconds: 7 } });
    const response = await rawPost(weather.url, {
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: { name: 'get_current_weather', arguments: paris },
    });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.deepEqual(((await response.json()) as { id: unknown }).id, 42);
  });

  void it('connection_drop makes the request fail at the transport level, then the client works again', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 1, kind: 'connection_drop' } });
    const error = await rejection(call(client, 'get_current_weather', paris));
    assert.ok(error instanceof TypeError, `expected a fetch TypeError, got ${String(error)}`);
    assert.ok(!(error instanceof ProtocolError) && !(error instanceof SdkHttpError));
    assert.ok((error as TypeError & { cause?: unknown }).cause, 'the fetch error carries its socket cause');
    assert.equal(json(await call(client, 'get_current_weather', paris)).location, 'Paris');
    assert.deepEqual(weather.counters(), { executed: { get_current_weather: 1 }, faulted: { connection_drop: 1 }, totalExecuted: 1 });
  });

  void it('failNext with a tool filter only fails calls to that tool, and faults never touch tools/list', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ failNext: { count: 1, kind: 'http_500', tool: 'get_forecast' } });
    await client.listTools();
    assert.equal(json(await call(client, 'get_current_weather', paris)).location, 'Paris');
    assert.equal(weather.faults().failNext?.count, 1);
    const error = await rejection(call(client, 'get_forecast', { location: 'Paris', days: 1 }));
    assert.ok(error instanceof SdkHttpError);
    assert.equal(weather.faults().failNext, null);
  });

  void it('unavailableForMs refuses every /mcp request with 503 and recovers after the period', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ unavailableForMs: 400 });
    const during = await rejection(call(client, 'get_current_weather', paris));
    assert.ok(during instanceof SdkHttpError);
    assert.equal(during.status, 503);
    const connectError = await rejection(pool.connect(weather.url));
    assert.ok(connectError instanceof SdkHttpError, String(connectError));
    assert.equal(connectError.status, 503);
    const listError = await rejection(client.listTools());
    assert.ok(listError instanceof SdkHttpError);

    while (weather.faults().unavailableForMs > 0) await sleep(50);
    assert.equal(json(await call(client, 'get_current_weather', paris)).location, 'Paris');
    const fresh = await pool.connect(weather.url);
    assert.equal((await fresh.listTools()).tools.length, 2);
    assert.equal(weather.counters().faulted.unavailable, 3);
  });

  void it('latencyMs delays each tool call by at least that long', async () => {
    const client = await pool.connect(weather.url);
    weather.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await call(client, 'get_current_weather', paris);
    // 1 ms of slack for timer rounding; no upper bound, machines under load are slow.
    assert.ok(performance.now() - started >= 149, 'the call took at least the latency');
  });

  void it('counters count only executed calls, so duplicates of a side effect are visible', async () => {
    const client = await pool.connect(calendar.url);
    const event = { title: 'Planning', date: '2026-11-30', start_time: '10:00' };
    calendar.setFaults({ failNext: { count: 2, kind: 'http_500', tool: 'create_event' } });
    await rejection(call(client, 'create_event', event));
    await rejection(call(client, 'create_event', event));
    await call(client, 'create_event', event);
    await call(client, 'list_events', { date: '2026-11-30' });
    // An argument error never reaches the handler either.
    assert.equal((await call(client, 'create_event', { ...event, start_time: 'ten' })).isError, true);
    assert.deepEqual(calendar.counters(), {
      executed: { create_event: 1, list_events: 1 },
      faulted: { http_500: 2 },
      totalExecuted: 2,
    });
    assert.equal(json(await call(client, 'list_events', { date: '2026-11-30' })).count, 1);
  });

  void it('reset clears faults, counters and created events', async () => {
    const client = await pool.connect(calendar.url);
    await call(client, 'create_event', { title: 'Temp', date: '2026-12-01', start_time: '08:00' });
    calendar.setFaults({ latencyMs: 10, failNext: { count: 3, kind: 'tool_error' }, unavailableForMs: 0 });
    calendar.reset();
    assert.deepEqual(calendar.faults(), { latencyMs: 0, failNext: null, unavailableForMs: 0 });
    assert.deepEqual(calendar.counters(), { executed: {}, faulted: {}, totalExecuted: 0 });
    assert.equal(json(await call(client, 'list_events', { date: '2026-12-01' })).count, 0);
  });

  void it('faults given at start are in force from the first call', async () => {
    const server = await startDemoServer('database', { faults: { failNext: { count: 1, kind: 'tool_error' } } });
    try {
      const client = await pool.connect(server.url);
      assert.equal((await call(client, 'get_schema', {})).isError, true);
      assert.equal((await call(client, 'get_schema', {})).isError, undefined);
    } finally {
      await server.close();
    }
  });
});
