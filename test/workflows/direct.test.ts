/**
 * runQuery in direct mode on real components: the worker lists tools and calls them with the
 * MCP SDK (each call its own activity), the model sees them as function tools, and the
 * workflow asks for approval before it runs a call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { SCRIPT_METADATA_KEY } from '../../src/emulator';
import { approveUpdate, catalogQuery, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { saveHistoryFixture } from '../helpers/histories';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';

const stack = useOfflineStack();

const retry = { max_retries: 2, base_delay_ms: 100, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

function directQuery(overrides: Partial<QueryInput> = {}): QueryInput {
  return {
    query: "What's the weather in London and do I have any meetings today?",
    mode: 'direct',
    servers: [
      { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
      { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
    ],
    retry,
    ...overrides,
  };
}

function run<T>(body: (start: (input: QueryInput) => Promise<WorkflowHandle<typeof runQuery>>) => Promise<T>) {
  const taskQueue = uniqueTaskQueue('direct');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, (env) =>
    body((input) => env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('direct'), args: [input] })),
  );
}

describe('runQuery in direct mode', () => {
  it('the seed scenario: the worker calls the tools, the workflow asks before the calendar call', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.calendar.reset();
    const hostedCallsBefore = stack.emulator.stats().mcpToolCallsTotal;
    await run(async (start) => {
      const handle = await start(directQuery());
      let progress = await handle.query(progressQuery);
      for (let tries = 0; !progress.pending_approvals.length && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        progress = await handle.query(progressQuery);
      }
      assert.deepEqual(
        progress.pending_approvals.map((approval) => `${approval.server}.${approval.tool}`),
        ['calendar.list_events'],
      );
      assert.equal(stack.demo.servers.calendar.counters().executed.list_events ?? 0, 0, 'nothing runs before the approval');
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.success, true);
      assert.match(result.text_response, /London/);
      assert.deepEqual(result.tool_calls.map((call) => `${call.server}.${call.tool}:${call.status}`).sort(), [
        'calendar.list_events:completed',
        'weather.get_current_weather:completed',
      ]);
      for (const call of result.tool_calls) assert.equal(typeof call.duration_ms, 'number');
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
      assert.equal(stack.demo.servers.calendar.counters().executed.list_events, 1);
      assert.equal(stack.emulator.stats().mcpToolCallsTotal, hostedCallsBefore, 'the model side made no MCP call');
      await saveHistoryFixture(handle, 'query-direct-seed-scenario');
    });
  });

  it('an error result of a read-only tool is retried by Temporal and then succeeds', async () => {
    stack.demo.servers.weather.reset();
    stack.demo.servers.weather.setFaults({ failNext: { count: 1, kind: 'tool_error', tool: 'get_current_weather' } });
    await run(async (start) => {
      const result = await (await start(directQuery({ query: "What's the weather in Paris?", servers: [directQuery().servers[0]!] }))).result();
      assert.equal(result.success, true);
      assert.deepEqual(
        result.tool_calls.map((call) => call.status),
        ['completed'],
      );
      assert.equal(result.retries, 1);
      assert.equal(stack.demo.servers.weather.counters().executed.get_current_weather, 1);
    });
  });

  it('an error result of a tool with side effects is recorded, not retried', async () => {
    stack.demo.servers.calendar.reset();
    stack.demo.servers.calendar.setFaults({ failNext: { count: 1, kind: 'tool_error', tool: 'create_event' } });
    const script = JSON.stringify({
      calls: [{ tool: 'calendar__create_event', arguments: { title: 'Review', date: '2026-11-27', start_time: '10:00' } }],
      answer: 'Tried to create it.',
    });
    await run(async (start) => {
      const result = await (
        await start(
          directQuery({
            query: 'Create a review meeting tomorrow',
            servers: [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'never' }],
            metadata: { [SCRIPT_METADATA_KEY]: script },
          }),
        )
      ).result();
      assert.equal(result.success, true);
      const [call] = result.tool_calls;
      assert.equal(call?.status, 'failed');
      assert.equal(call?.error_type, 'execution_error');
      assert.equal(result.retries, 0);
      assert.equal(stack.demo.servers.calendar.counters().faulted.tool_error, 1, 'called once');
    });
  });

  it('arguments that break the tool schema are refused before any call', async () => {
    stack.demo.servers.weather.reset();
    const script = JSON.stringify({ calls: [{ tool: 'weather__get_current_weather', arguments: { location: 'Oslo', units: 'kelvin' } }], answer: 'Done.' });
    await run(async (start) => {
      const result = await (
        await start(directQuery({ query: 'Weather in Oslo in kelvin', servers: [directQuery().servers[0]!], metadata: { [SCRIPT_METADATA_KEY]: script } }))
      ).result();
      const [call] = result.tool_calls;
      assert.equal(call?.status, 'failed');
      assert.equal(call?.error_type, 'invalid_arguments');
      assert.match(call?.error_message ?? '', /units/);
      assert.equal(stack.demo.servers.weather.counters().totalExecuted, 0);
    });
  });

  it('a tool the server no longer has (JSON-RPC -32601): the server is listed once more and the model is told the tool is gone', async () => {
    stack.demo.servers.calendar.reset();
    await run(async (start) => {
      const calendarOnly = [{ label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' as const }];
      const handle = await start(directQuery({ query: 'Do I have any meetings today?', servers: calendarOnly }));
      let progress = await handle.query(progressQuery);
      for (let tries = 0; !progress.pending_approvals.length && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        progress = await handle.query(progressQuery);
      }
      // Between the listing and the call, the tool goes away.
      stack.demo.servers.calendar.removeTool('list_events');
      stack.demo.servers.calendar.setFaults({ failNext: { count: 1, kind: 'jsonrpc_error', jsonrpcCode: -32601, tool: 'list_events' } });
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      const result = await handle.result();
      assert.equal(result.success, true);
      const [call] = result.tool_calls;
      assert.equal(call?.status, 'failed');
      assert.equal(call?.error_type, 'tool_not_found');
      assert.match(result.text_response, /no longer offers list_events/);
      const events = (await handle.fetchHistory()).events ?? [];
      const listings = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'listToolsDirect');
      assert.equal(listings.length, 2, 'listed at the start and once more after -32601');
      const catalog = await handle.query(catalogQuery);
      assert.ok(!catalog.servers.calendar?.tools.some((tool) => tool.name === 'list_events'), 'the catalog no longer has it');
      await saveHistoryFixture(handle, 'query-direct-tool-gone');
    });
    stack.demo.servers.calendar.reset();
  });
});
