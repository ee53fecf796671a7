/**
 * The MCP 2026-07-28 client in the direct-mode activities, against the demo servers on loopback
 * (one on 2026-07-28, one on 2025-11-25): negotiation with fallback, remembered per worker;
 * listing with the server's caching hints; a call; an input-required result and its retry; a
 * task followed with tasks/get and cancelled with tasks/cancel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Mcp2026Client } from '../../activities/mcp/2026/client';
import { ProtocolMemory } from '../../activities/mcp/2026/negotiate';
import { createMcpActivities } from '../../activities/mcp';
import { McpConnectionPool } from '../../activities/mcp/2025/connections';
import { answerProblems, pendingInputOf } from '../../src/core/mcp-input';
import { DEFAULT_RETRY_SETTINGS } from '../../src/core/retry';
import type { ServerConfig } from '../../src/core/servers';
import { discoveredToolFromListed } from '../../src/core/tools';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';

const retry = DEFAULT_RETRY_SETTINGS;
const activityEnv = (info: Partial<Info> = {}) => new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
function run<I, O>(activity: (input: I) => Promise<O>, input: I): Promise<O> {
  return activityEnv().run<[I], O, typeof activity>(activity, input);
}

describe('MCP 2026-07-28 in the direct-mode activities', () => {
  let modern: DemoServerHandle;
  let legacy: DemoServerHandle;
  const pool = new McpConnectionPool(undefined, { log: () => undefined });
  const protocols = new ProtocolMemory();
  const activities = createMcpActivities({ env: {}, connections: pool, protocols });
  const calendar = (): ServerConfig => ({ label: 'calendar', url: modern.url, require_approval: 'never' });
  const weather = (): ServerConfig => ({ label: 'weather', url: legacy.url, require_approval: 'never' });

  before(async () => {
    [modern, legacy] = await Promise.all([startDemoServer('calendar', { protocol: '2026-07-28', listTtlMs: 45_000 }), startDemoServer('weather')]);
  });
  after(async () => {
    await pool.close();
    await Promise.all([modern.close(), legacy.close()]);
  });

  it('server/discover answers on 2026-07-28 and names the tasks extension; the 2025 server is not modern', async () => {
    const memory = new ProtocolMemory();
    const client = new Mcp2026Client(modern.url);
    const negotiated = await memory.negotiate(modern.url, client, {});
    assert.equal(negotiated.era, 'modern');
    assert.deepEqual(negotiated.discover?.supportedVersions, ['2026-07-28']);
    assert.deepEqual(negotiated.discover?.capabilities.extensions, { 'io.modelcontextprotocol/tasks': {} });
    assert.equal(client.sdk.getProtocolEra(), 'modern');
    assert.match(client.sdk.getServerVersion()?.name ?? '', /^mcpflow-demo/, 'the server names itself in the result _meta');
    assert.equal((await memory.negotiate(legacy.url, new Mcp2026Client(legacy.url), {})).era, 'legacy');
    assert.equal(memory.get(legacy.url)?.era, 'legacy', 'remembered');
    // A second client adopts the remembered discovery result: nothing on the wire.
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const again = new Mcp2026Client(modern.url, { fetch: counting });
    assert.equal((await memory.negotiate(modern.url, again, {})).era, 'modern');
    assert.equal(again.sdk.getProtocolEra(), 'modern');
    assert.equal(requests, 0);
  });

  it('the 2026 server checks the headers against the body', async () => {
    const response = await fetch(modern.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'list_events', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
      }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: number } }).error.code, -32020);
    const old = await fetch(modern.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } }),
    });
    assert.equal(old.status, 400);
    assert.deepEqual(((await old.json()) as { error: { data: unknown } }).error.data, { supported: ['2026-07-28'], requested: '2025-11-25' });
  });

  it('lists both servers in deterministic order, with ttlMs/cacheScope only from the 2026 one, and remembers who speaks what', async () => {
    const first = await run(activities.listToolsDirect, { server: calendar(), retry });
    const again = await run(activities.listToolsDirect, { server: calendar(), retry });
    assert.deepEqual(
      first.tools.map((tool) => tool.name),
      ['list_events', 'create_event', 'book_meeting', 'link_calendar', 'export_calendar'],
    );
    assert.deepEqual(again.tools, first.tools);
    assert.equal(first.ttl_ms, 45_000);
    assert.equal(first.cache_scope, 'public');
    const old = await run(activities.listToolsDirect, { server: weather(), retry });
    assert.ok(old.tools.some((tool) => tool.name === 'get_current_weather'));
    assert.equal('ttl_ms' in old, false, 'a 2025 listing keeps its old shape');
    assert.equal(protocols.get(modern.url)?.era, 'modern');
    assert.equal(protocols.get(legacy.url)?.era, 'legacy');
  });

  it('a failed request makes the worker forget the revision; the next activity asks again and goes on', async () => {
    await run(activities.listToolsDirect, { server: calendar(), retry });
    assert.equal(protocols.get(modern.url)?.era, 'modern');
    modern.setFaults({ unavailableForMs: 60_000 });
    try {
      await assert.rejects(run(activities.listToolsDirect, { server: calendar(), retry }));
      assert.equal(protocols.get(modern.url), undefined, 'forgotten');
    } finally {
      modern.setFaults({ unavailableForMs: 0 });
    }
    const again = await run(activities.listToolsDirect, { server: calendar(), retry });
    assert.ok(again.tools.length > 0);
    assert.equal(protocols.get(modern.url)?.era, 'modern', 'asked again');
  });

  it('calls a plain tool on each revision', async () => {
    const listed = await run(activities.listToolsDirect, { server: calendar(), retry });
    const tool = discoveredToolFromListed(
      listed.tools.find((each) => each.name === 'list_events')!,
      'calendar',
    );
    const result = await run(activities.callToolDirect, { server: calendar(), tool, arguments: { date: 'today' }, retry, timeout_ms: 10_000 });
    assert.equal(result.interaction, undefined);
    assert.match(result.output, /Team standup/);
    assert.equal((result.structured_content as { count: number }).count, 2);
    const weatherTools = await run(activities.listToolsDirect, { server: weather(), retry });
    const weatherTool = discoveredToolFromListed(
      weatherTools.tools.find((each) => each.name === 'get_current_weather')!,
      'weather',
    );
    const old = await run(activities.callToolDirect, { server: weather(), tool: weatherTool, arguments: { location: 'London' }, retry, timeout_ms: 10_000 });
    assert.match(old.output, /London/);
  });

  it('book_meeting asks first; the retry with inputResponses and requestState books once; an expired state is refused', async () => {
    modern.reset();
    const listed = await run(activities.listToolsDirect, { server: calendar(), retry });
    const tool = discoveredToolFromListed(
      listed.tools.find((each) => each.name === 'book_meeting')!,
      'calendar',
    );
    const args = { title: 'Planning', date: 'tomorrow', start_time: '10:00' };
    const asked = await run(activities.callToolDirect, { server: calendar(), tool, arguments: args, retry, timeout_ms: 10_000 });
    assert.equal(asked.interaction?.kind, 'input_required');
    if (asked.interaction?.kind !== 'input_required') return;
    const question = pendingInputOf(asked.interaction.input_requests.confirm!, {
      id: 'input-1',
      server: 'calendar',
      tool: 'book_meeting',
      call_id: 'c1',
      key: 'confirm',
      requested_at: '',
    });
    assert.equal(question.mode, 'form');
    assert.match(question.message, /Book "Planning"/);
    assert.deepEqual(answerProblems(question, { action: 'accept', content: { confirm: true } }), ['attendee: required']);
    assert.deepEqual(answerProblems(question, { action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } }), []);
    assert.equal(modern.counters().executed.book_meeting ?? 0, 0, 'nothing booked before the answer');
    const booked = await run(activities.callToolDirect, {
      server: calendar(),
      tool,
      arguments: args,
      retry,
      timeout_ms: 10_000,
      input_responses: { confirm: { action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } } },
      request_state: asked.interaction.request_state,
    });
    assert.equal(booked.interaction, undefined);
    assert.match(booked.output, /Booked Planning \(with dana@example.com\)/);
    assert.equal(modern.counters().executed.book_meeting, 1);

    modern.setInteractive({ requestStateTtlMs: 0 });
    try {
      const again = await run(activities.callToolDirect, { server: calendar(), tool, arguments: args, retry, timeout_ms: 10_000 });
      assert.equal(again.interaction?.kind, 'input_required');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const expired = await run(activities.callToolDirect, {
        server: calendar(),
        tool,
        arguments: args,
        retry,
        timeout_ms: 10_000,
        input_responses: { confirm: { action: 'accept', content: { confirm: true, attendee: 'dana@example.com' } } },
        request_state: again.interaction?.kind === 'input_required' ? again.interaction.request_state : undefined,
      });
      assert.equal(expired.interaction?.kind, 'request_state_rejected');
      assert.equal(modern.counters().executed.book_meeting, 1);
    } finally {
      modern.setInteractive({ requestStateTtlMs: 600_000 });
    }
  });

  it('export_calendar returns a task: tasks/get follows it to its result, tasks/cancel stops another', async () => {
    modern.reset();
    const listed = await run(activities.listToolsDirect, { server: calendar(), retry });
    const tool = discoveredToolFromListed(
      listed.tools.find((each) => each.name === 'export_calendar')!,
      'calendar',
    );
    const started = await run(activities.callToolDirect, { server: calendar(), tool, arguments: { date: 'today', work_ms: 300 }, retry, timeout_ms: 10_000 });
    assert.equal(started.interaction?.kind, 'task');
    if (started.interaction?.kind !== 'task') return;
    assert.equal(started.interaction.status, 'working');
    assert.equal(started.interaction.poll_interval_ms, 500);
    const taskInput = { server: calendar(), tool, task_id: started.interaction.task_id, retry, timeout_ms: 10_000 };
    let state = await run(activities.getTaskDirect, taskInput);
    for (let tries = 0; state.interaction && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await run(activities.getTaskDirect, taskInput);
    }
    assert.equal(state.interaction, undefined);
    assert.equal(state.output, 'Exported 2 meeting(s) on ' + (state.structured_content as { date: string }).date + '.');
    assert.equal(modern.counters().executed.export_calendar, 1);

    const other = await run(activities.callToolDirect, { server: calendar(), tool, arguments: { work_ms: 60_000 }, retry, timeout_ms: 10_000 });
    assert.equal(other.interaction?.kind, 'task');
    if (other.interaction?.kind !== 'task') return;
    await run(activities.cancelTaskDirect, { ...taskInput, task_id: other.interaction.task_id });
    const cancelled = await run(activities.getTaskDirect, { ...taskInput, task_id: other.interaction.task_id });
    assert.equal(cancelled.is_error, true);
    assert.match(cancelled.output, /cancelled/);
    assert.deepEqual(
      modern.tasks().map((task) => task.status),
      ['completed', 'cancelled'],
    );
  });
});
