/**
 * The demo servers on either revision, seen by the SDK 2.x client and on the raw wire: a
 * `--protocol 2025-11-25` server is a 2025 server, a `--protocol 2026-07-28` one a modern server
 * (discovery, cache hints, faults, multi-round elicitation, the tasks extension, listen streams).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers/index';
import { call, ClientPool, json, rawPost, text } from './helpers';

let legacy: DemoServerHandle;
let modern: DemoServerHandle;
const pool = new ClientPool();

before(async () => {
  [legacy, modern] = await Promise.all([startDemoServer('calendar'), startDemoServer('calendar', { protocol: '2026-07-28', listTtlMs: 60_000 })]);
});
beforeEach(() => {
  legacy.reset();
  modern.reset();
});
after(async () => {
  await pool.closeAll();
  await Promise.all([legacy.close(), modern.close()]);
});

const ENVELOPE = 'io.modelcontextprotocol/clientCapabilities';
const TASKS = 'io.modelcontextprotocol/tasks';

/** A hand-made 2026-07-28 request: the `_meta` envelope and the standard headers. */
function modernPost(method: string, params: Record<string, unknown>, options: { name?: string; extensions?: Record<string, unknown> } = {}): Promise<Response> {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    [ENVELOPE]: { elicitation: { form: {}, url: {} }, extensions: options.extensions ?? {} },
  };
  return rawPost(
    modern.url,
    { jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: meta } },
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(options.name === undefined ? {} : { 'mcp-name': options.name }) },
  );
}

async function rpc(
  response: Response,
): Promise<{ status: number; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } }> {
  return { status: response.status, ...((await response.json()) as object) };
}

describe('demo servers: one revision each', () => {
  it('an auto-negotiating client lands on the era the server was started with; a 2026 pin refuses the 2025 server', async () => {
    assert.equal((await pool.connect(legacy.url, 'auto')).getProtocolEra(), 'legacy');
    assert.equal((await pool.connect(modern.url, 'auto')).getProtocolEra(), 'modern');
    await assert.rejects(pool.connect(legacy.url, 'modern'), (error: unknown) => error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed);
    await assert.rejects(pool.connect(modern.url, 'legacy'), /2026-07-28|Unsupported protocol version/);
  });

  it('the same tools answer the same way on both revisions; only the 2026 calendar adds the ones that talk back', async () => {
    const [old, now] = [await pool.connect(legacy.url), await pool.connect(modern.url, 'modern')];
    assert.deepEqual(
      (await old.listTools()).tools.map((tool) => tool.name),
      ['list_events', 'create_event'],
    );
    assert.deepEqual(
      (await now.listTools()).tools.map((tool) => tool.name),
      ['list_events', 'create_event', 'book_meeting', 'link_calendar', 'export_calendar'],
    );
    assert.deepEqual(json(await call(old, 'list_events', { date: 'today' })), json(await call(now, 'list_events', { date: 'today' })));
    assert.equal(now.getInstructions(), old.getInstructions());
  });

  it('2026-07-28 listings and discovery carry the configured ttlMs / cacheScope; 2025 ones none', async () => {
    const discovered = await rpc(await modernPost('server/discover', {}));
    assert.equal(discovered.result?.ttlMs, 60_000);
    assert.equal(discovered.result?.cacheScope, 'public');
    assert.deepEqual(discovered.result?.supportedVersions, ['2026-07-28']);
    modern.setInteractive({ listTtlMs: 5_000 });
    const listed = await rpc(await modernPost('tools/list', {}));
    assert.equal(listed.result?.ttlMs, 5_000);
    const old = await rawPost(legacy.url, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    assert.doesNotMatch(await old.text(), /ttlMs/);
  });

  it('faults look on a 2026-07-28 wire as they should: a tool_error is a complete isError result, an outage a 503', async () => {
    const client = await pool.connect(modern.url, 'modern');
    modern.setFaults({ failNext: { count: 1, kind: 'tool_error' } });
    const failed = await call(client, 'list_events', { date: 'today' });
    assert.equal(failed.isError, true);
    assert.match(text(failed), /tool_error/);
    modern.setFaults({ failNext: { count: 1, kind: 'jsonrpc_error', jsonrpcCode: -32001 } });
    await assert.rejects(call(client, 'list_events', {}), (error: unknown) => error instanceof ProtocolError && error.code === -32001);
    modern.setFaults({ unavailableForMs: 60_000 });
    assert.equal((await modernPost('tools/list', {})).status, 503);
    assert.deepEqual(modern.counters().faulted, { tool_error: 1, jsonrpc_error: 1, unavailable: 1 });
  });

  it('book_meeting asks through input_required; the SDK client answers and retries; a decline books nothing', async () => {
    let answer: 'accept' | 'decline' = 'accept';
    const questions: string[] = [];
    const client = await pool.connect(modern.url, 'modern', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', (request) => {
      questions.push(request.params.message);
      return answer === 'accept' ? { action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } } : { action: 'decline' };
    });
    const booked = await call(client, 'book_meeting', { title: 'Planning', date: 'tomorrow', start_time: '10:00' });
    assert.match(text(booked), /Booked Planning \(with dana@example.com\)/);
    assert.match(questions[0] ?? '', /Book "Planning" on tomorrow at 10:00\?/);
    answer = 'decline';
    assert.match(text(await call(client, 'book_meeting', { title: 'Retro', date: 'today', start_time: '16:00' })), /the user chose "decline"/);
    assert.deepEqual(modern.counters().executed, { book_meeting: 1 });
  });

  it('a requestState is refused (-32602) once expired or when forged; one minted for other arguments asks again', async () => {
    const args = { title: 'Sync', date: 'today', start_time: '11:00' };
    const confirm = { action: 'accept', content: { confirm: true, attendee: 'kim@example.com' } };
    const first = await rpc(await modernPost('tools/call', { name: 'book_meeting', arguments: args }, { name: 'book_meeting' }));
    assert.equal(first.result?.resultType, 'input_required');
    const state = first.result?.requestState as string;
    const forged = await rpc(
      await modernPost(
        'tools/call',
        { name: 'book_meeting', arguments: args, inputResponses: { confirm }, requestState: `${state}x` },
        { name: 'book_meeting' },
      ),
    );
    assert.equal(forged.error?.code, -32602);
    const other = await rpc(
      await modernPost(
        'tools/call',
        { name: 'book_meeting', arguments: { ...args, title: 'Other' }, inputResponses: { confirm }, requestState: state },
        { name: 'book_meeting' },
      ),
    );
    assert.equal(other.result?.resultType, 'input_required', 'a state for another request proves nothing');
    modern.setInteractive({ requestStateTtlMs: 0 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const expired = await rpc(
        await modernPost('tools/call', { name: 'book_meeting', arguments: args, inputResponses: { confirm }, requestState: state }, { name: 'book_meeting' }),
      );
      assert.equal(expired.error?.code, -32602);
      assert.match(expired.error?.message ?? '', /Invalid or expired requestState/);
    } finally {
      modern.setInteractive({ requestStateTtlMs: 600_000 });
    }
    const booked = await rpc(
      await modernPost('tools/call', { name: 'book_meeting', arguments: args, inputResponses: { confirm }, requestState: state }, { name: 'book_meeting' }),
    );
    assert.equal(booked.result?.resultType, 'complete');
    assert.deepEqual(modern.counters().executed, { book_meeting: 1 });
  });

  it('the tasks extension: a task only for a client that declared it (-32021 otherwise), tasks/get needs Mcp-Name, tasks/cancel stops it', async () => {
    const refused = await rpc(await modernPost('tools/call', { name: 'export_calendar', arguments: {} }, { name: 'export_calendar' }));
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.code, -32021);
    assert.deepEqual(refused.error?.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
    assert.equal(modern.counters().totalExecuted, 0);

    const extensions = { [TASKS]: {} };
    const started = await rpc(
      await modernPost('tools/call', { name: 'export_calendar', arguments: { work_ms: 60_000 } }, { name: 'export_calendar', extensions }),
    );
    assert.equal(started.result?.resultType, 'task');
    assert.equal(started.result?.status, 'working');
    const taskId = started.result?.taskId as string;
    const unnamed = await rpc(await modernPost('tasks/get', { taskId }, { extensions }));
    assert.equal(unnamed.error?.code, -32020);
    assert.equal((await rpc(await modernPost('tasks/get', { taskId }, { name: taskId }))).error?.code, -32021);
    const polled = await rpc(await modernPost('tasks/get', { taskId }, { name: taskId, extensions }));
    assert.equal(polled.result?.status, 'working');
    assert.equal(polled.result?.pollIntervalMs, 500);
    assert.equal((await rpc(await modernPost('tasks/cancel', { taskId }, { name: taskId, extensions }))).result?.resultType, 'complete');
    assert.deepEqual(
      modern.tasks().map((task) => task.status),
      ['cancelled'],
    );
    assert.equal((await rpc(await modernPost('tasks/get', { taskId: 'nope' }, { name: 'nope', extensions }))).error?.code, -32602);
    assert.deepEqual(modern.counters().executed, { export_calendar: 1 });
  });

  it('a 2026-07-28 client listening for tool changes hears when the admin endpoint changes the catalog', async () => {
    const client = await pool.connect(modern.url, 'modern');
    const heard = new Promise<void>((resolve) => client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
    const subscription = await client.listen({ toolsListChanged: true });
    try {
      modern.addTool({ name: 'ping', description: 'Echoes its message back.' });
      await heard;
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'ping'));
    } finally {
      await subscription.close();
    }
  });

  it('on a loopback bind, a foreign Host or Origin is refused (DNS rebinding); loopback ones pass', async () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    assert.equal((await rawPost(legacy.url, body, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await rawPost(modern.url, body, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await rawPost(legacy.url, body, { origin: 'http://localhost:3000' })).status, 200);
    const port = new URL(legacy.url).port;
    const foreign = await new Promise<number>((resolve, reject) => {
      // fetch() will not send a made-up Host header; node:http will.
      const req = request(
        { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
    assert.equal(foreign, 403);
  });

  it('both revisions refuse a body over 4 MiB with 413', async () => {
    const big = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(4 * 1024 * 1024) } };
    assert.equal((await rawPost(legacy.url, big)).status, 413);
    assert.equal((await rawPost(modern.url, big)).status, 413);
  });
});
