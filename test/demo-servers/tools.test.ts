import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TODAY, startDemoServer, startDemoServers, type DemoServersHandle } from '../../src/demo-servers/index';
import { call, ClientPool, json, rawPost, text } from './helpers';

let demo: DemoServersHandle;
const pool = new ClientPool();

before(async () => {
  demo = await startDemoServers();
});

after(async () => {
  await pool.closeAll();
  await demo.close();
});

void describe('demo servers: catalogs', () => {
  void it('listen on loopback at /mcp', () => {
    for (const server of Object.values(demo.servers)) {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      assert.equal(server.adminUrl, server.url.replace(/\/mcp$/, '/admin'));
    }
    assert.equal(DEMO_TODAY, '2026-11-26');
  });

  const expected = {
    weather: { get_current_weather: true, get_forecast: true },
    calendar: { list_events: true, create_event: false },
    database: { query: true, get_schema: true },
  } as const;

  for (const [kind, tools] of Object.entries(expected)) {
    void it(`${kind}: tools/list gives names, input schemas, descriptions and readOnlyHint`, async () => {
      const client = await pool.connect(demo.servers[kind as keyof typeof expected].url);
      const listed = await client.listTools();
      assert.deepEqual(listed.tools.map((t) => t.name).sort(), Object.keys(tools).sort());
      for (const tool of listed.tools) {
        assert.equal(tool.inputSchema.type, 'object');
        assert.ok(tool.description && tool.description.length > 10, `${tool.name} has a description`);
        assert.equal(tool.annotations?.readOnlyHint, tools[tool.name as keyof typeof tools], `${tool.name} readOnlyHint`);
      }
    });
  }

  void it('input schemas carry the documented fields', async () => {
    const weather = await (await pool.connect(demo.servers.weather.url)).listTools();
    const forecast = weather.tools.find((t) => t.name === 'get_forecast');
    assert.deepEqual(forecast?.inputSchema.required, ['location', 'days']);
    const days = forecast?.inputSchema.properties?.days as { type?: string; minimum?: number; maximum?: number };
    assert.deepEqual([days.type, days.minimum, days.maximum], ['integer', 1, 7]);
    assert.deepEqual((forecast?.inputSchema.properties?.units as { enum?: string[] }).enum, ['celsius', 'fahrenheit']);

    const calendar = await (await pool.connect(demo.servers.calendar.url)).listTools();
    const create = calendar.tools.find((t) => t.name === 'create_event');
    assert.deepEqual(create?.inputSchema.required, ['title', 'date', 'start_time']);
  });
});

void describe('weather', () => {
  void it('gives hand-picked values for known cities and converts units', async () => {
    const client = await pool.connect(demo.servers.weather.url);
    const london = json(await call(client, 'get_current_weather', { location: 'london' }));
    assert.deepEqual(london, {
      location: 'London',
      date: DEMO_TODAY,
      temperature: 8,
      units: 'celsius',
      condition: 'light rain',
      humidity_percent: 87,
      wind_kph: 19,
    });
    const paris = json(await call(client, 'get_current_weather', { location: 'Paris', units: 'fahrenheit' }));
    assert.equal(paris.temperature, 50);
    assert.equal(paris.units, 'fahrenheit');
  });

  void it('is deterministic for any location, and structuredContent matches the text', async () => {
    const client = await pool.connect(demo.servers.weather.url);
    const first = await call(client, 'get_current_weather', { location: 'Reykjavik' });
    const second = await call(client, 'get_current_weather', { location: 'Reykjavik' });
    assert.deepEqual(first, second);
    assert.deepEqual(first.structuredContent, json(first));
  });

  void it('forecasts 1..7 days from the demo today and rejects 8', async () => {
    const client = await pool.connect(demo.servers.weather.url);
    const forecast = json(await call(client, 'get_forecast', { location: 'Tokyo', days: 3 }));
    const days = forecast.days as { date: string; high: number; low: number }[];
    assert.deepEqual(
      days.map((d) => d.date),
      ['2026-11-26', '2026-11-27', '2026-11-28'],
    );
    for (const day of days) assert.ok(day.high > day.low);
    const tooMany = await call(client, 'get_forecast', { location: 'Tokyo', days: 8 });
    assert.equal(tooMany.isError, true);
  });
});

void describe('calendar', () => {
  void it('lists the two fixed meetings today and nothing tomorrow', async () => {
    const client = await pool.connect(demo.servers.calendar.url);
    const today = json(await call(client, 'list_events', { date: DEMO_TODAY }));
    assert.equal(today.count, 2);
    assert.deepEqual(
      (today.events as { title: string }[]).map((e) => e.title),
      ['Team standup', 'Project review with Dana'],
    );
    assert.deepEqual(json(await call(client, 'list_events', { date: 'today' })), today);
    assert.equal(json(await call(client, 'list_events', { date: '2026-11-27' })).count, 0);
  });

  void it('create_event is stored and then listed', async () => {
    const client = await pool.connect(demo.servers.calendar.url);
    const created = json(await call(client, 'create_event', { title: 'Lunch with Sam', date: '2026-11-27', start_time: '12:30', duration_minutes: 45 }));
    assert.deepEqual(created.created, {
      id: 'evt-1',
      title: 'Lunch with Sam',
      date: '2026-11-27',
      start_time: '12:30',
      end_time: '13:15',
      duration_minutes: 45,
    });
    const tomorrow = json(await call(client, 'list_events', { date: 'tomorrow' }));
    assert.deepEqual(
      (tomorrow.events as { id: string }[]).map((e) => e.id),
      ['evt-1'],
    );
    const overlapping = json(await call(client, 'create_event', { title: 'Overlap', date: DEMO_TODAY, start_time: '09:40' }));
    assert.deepEqual(overlapping.overlaps_with, ['evt-standup']);
  });

  void it('rejects impossible dates and malformed times as tool errors', async () => {
    const client = await pool.connect(demo.servers.calendar.url);
    const badDate = await call(client, 'list_events', { date: '2026-02-30' });
    assert.equal(badDate.isError, true);
    assert.match(text(badDate), /2026-02-30/);
    const badTime = await call(client, 'create_event', { title: 'x', date: DEMO_TODAY, start_time: '9am' });
    assert.equal(badTime.isError, true);
  });
});

void describe('database', () => {
  async function query(sql: string) {
    const client = await pool.connect(demo.servers.database.url);
    return call(client, 'query', { sql });
  }

  void it('supports SELECT * with WHERE and LIMIT', async () => {
    const all = json(await query('SELECT * FROM customers'));
    assert.equal(all.row_count, 5);
    assert.deepEqual(all.columns, ['id', 'name', 'email', 'city', 'tier']);
    const london = json(await query("select * from customers where city = 'London'"));
    assert.deepEqual(
      (london.rows as { id: number }[]).map((r) => r.id),
      [1, 5],
    );
    const limited = json(await query('SELECT * FROM orders LIMIT 2;'));
    assert.equal(limited.row_count, 2);
    const byNumber = json(await query('SELECT * FROM orders WHERE customer_id = 1'));
    assert.deepEqual(
      (byNumber.rows as { id: number }[]).map((r) => r.id),
      [101, 103],
    );
  });

  void it('supports COUNT(*) and column lists', async () => {
    assert.deepEqual(json(await query('SELECT COUNT(*) FROM orders')).rows, [{ count: 7 }]);
    assert.deepEqual(json(await query("SELECT COUNT(*) FROM orders WHERE status = 'pending'")).rows, [{ count: 3 }]);
    const names = json(await query('SELECT name, tier FROM customers LIMIT 1'));
    assert.deepEqual(names.rows, [{ name: 'Ada Lovelace', tier: 'gold' }]);
  });

  void it('answers anything else with an isError result and a clear message', async () => {
    const cases: [string, RegExp][] = [
      ['DROP TABLE customers', /read-only/],
      ["UPDATE customers SET tier = 'gold'", /read-only/],
      ['SELECT * FROM invoices', /unknown table "invoices"/],
      ['SELECT * FROM customers WHERE country = 1', /unknown column "country"/],
      ['SELECT * FROM customers ORDER BY name', /supported: SELECT/],
      ["SELECT * FROM customers WHERE name = 'unterminated", /unterminated/],
    ];
    for (const [sql, message] of cases) {
      const result = await query(sql);
      assert.equal(result.isError, true, sql);
      assert.match(text(result), message, sql);
    }
  });

  void it('get_schema describes all tables or one', async () => {
    const client = await pool.connect(demo.servers.database.url);
    const all = json(await call(client, 'get_schema', {}));
    assert.deepEqual(
      (all.tables as { name: string }[]).map((t) => t.name),
      ['customers', 'orders'],
    );
    const orders = json(await call(client, 'get_schema', { table: 'orders' }));
    const [table] = orders.tables as { name: string; columns: { name: string }[] }[];
    assert.equal(table?.name, 'orders');
    assert.ok(table?.columns.some((c) => c.name === 'customer_id'));
    const unknown = await call(client, 'get_schema', { table: 'nope' });
    assert.equal(unknown.isError, true);
  });
});

void describe('response format', () => {
  void it('enableJsonResponse answers with application/json instead of an SSE stream', async () => {
    const server = await startDemoServer('database', { enableJsonResponse: true });
    try {
      const client = await pool.connect(server.url);
      assert.equal(json(await call(client, 'query', { sql: 'SELECT COUNT(*) FROM customers' })).row_count, 1);
      const response = await rawPost(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as { result: { tools: { name: string }[] } };
      assert.deepEqual(
        body.result.tools.map((t) => t.name),
        ['query', 'get_schema'],
      );
    } finally {
      await server.close();
    }
  });
});
