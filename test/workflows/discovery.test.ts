/** discoverTools on real components, in both modes: one activity per server, a failing server isolated. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { discoverTools } from '../../workflows/discovery';
import type { DiscoveryInput } from '../../workflows/messages';
import { saveHistoryFixture } from '../helpers/histories';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';

const stack = useOfflineStack();

/** The result, the activity types its history scheduled, and (when recording) the history as a fixture. */
function discover(input: DiscoveryInput, fixture?: string) {
  const taskQueue = uniqueTaskQueue('discovery');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
    const handle = await env.client.workflow.start(discoverTools, { taskQueue, workflowId: uniqueWorkflowId('discovery'), args: [input] });
    const result = await handle.result();
    const activities = ((await handle.fetchHistory()).events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    if (fixture) await saveHistoryFixture(handle, fixture);
    return Object.assign(result, { activities });
  });
}

const retry = { max_retries: 1, base_delay_ms: 50, max_delay_ms: 100, rate_limit_base_delay_ms: 100 };

describe('discoverTools', () => {
  for (const mode of ['hosted', 'direct'] as const) {
    it(`${mode} mode: lists every server in parallel; a failing one does not hide the others`, async () => {
      const servers = [
        { label: 'weather', url: stack.demo.servers.weather.url },
        { label: 'calendar', url: stack.demo.servers.calendar.url },
        { label: 'forecast', url: stack.demo.servers.weather.url, allowed_tools: ['get_forecast'] },
        { label: 'database', url: stack.demo.servers.database.url, allowed_tools: ['query', 'get_schema'] },
      ];
      const responsesBefore = stack.emulator.stats().responsesCreated;
      stack.demo.servers.calendar.setFaults({ unavailableForMs: 30_000 });
      try {
        const result = await discover({ servers, mode, retry }, `discovery-${mode}-all-at-once-one-failing`);
        // Direct: the server that failed is listed again on its own. Hosted: the API fails the whole
        // call when one server cannot be listed (HTTP 424), so each server is listed on its own.
        assert.deepEqual(
          result.activities,
          mode === 'direct' ? ['listAllTools', 'listToolsDirect'] : ['listAllTools', ...servers.map(() => 'listToolsHosted')],
        );
        const byLabel = Object.fromEntries(result.servers.map((server) => [server.label, server]));
        assert.equal(byLabel.weather?.status, 'ok');
        assert.equal(byLabel.database?.status, 'ok');
        assert.equal(byLabel.calendar?.status, 'error');
        assert.equal(byLabel.calendar?.error?.type, 'connection');
        assert.equal(byLabel.calendar?.attempts, 2, 'retried once, then gave up');
        assert.deepEqual(result.catalog.servers.weather?.tools.map((tool) => tool.name).sort(), ['get_current_weather', 'get_forecast']);
        assert.ok(result.diff.added.length >= 2);
        assert.deepEqual(
          result.catalog.servers.forecast?.tools.map((tool) => tool.name),
          ['get_forecast'],
          'allowed_tools applies',
        );
        const calls = stack.emulator.stats().responsesCreated - responsesBefore;
        if (mode === 'direct') assert.equal(calls, 0, 'direct discovery costs no model call');
        else assert.ok(calls >= 2, 'hosted discovery lists through the Responses API');
        const tool = result.catalog.servers.weather!.tools.find((each) => each.name === 'get_current_weather')!;
        assert.equal(tool.read_only, true);
        assert.ok(tool.parameters.some((parameter) => parameter.name === 'location' && parameter.required));
      } finally {
        stack.demo.servers.calendar.setFaults({ unavailableForMs: 0 });
      }
    });
  }

  for (const mode of ['hosted', 'direct'] as const) {
    it(`${mode} mode: lists all servers in one activity when all can be listed`, async () => {
      const servers = [
        { label: 'weather', url: stack.demo.servers.weather.url },
        { label: 'calendar', url: stack.demo.servers.calendar.url },
      ];
      const responsesBefore = stack.emulator.stats().responsesCreated;
      const result = await discover({ servers, mode, retry }, `discovery-${mode}-all-at-once`);
      assert.deepEqual(result.activities, ['listAllTools']);
      assert.equal(stack.emulator.stats().responsesCreated - responsesBefore, mode === 'hosted' ? 1 : 0, 'hosted: one Responses call lists both');
      assert.deepEqual(
        result.servers.map((server) => [server.label, server.status, server.attempts]),
        [
          ['weather', 'ok', 1],
          ['calendar', 'ok', 1],
        ],
      );
      assert.ok(result.catalog.servers.calendar?.tools.some((tool) => tool.name === 'list_events'));
    });
  }

  it('reports the diff against the previous catalog', async () => {
    const servers = [{ label: 'weather', url: stack.demo.servers.weather.url }];
    const first = await discover({ servers, mode: 'direct', retry });
    stack.demo.servers.weather.addTool({ name: 'get_alerts', description: 'Severe weather alerts' });
    try {
      const second = await discover({ servers, mode: 'direct', retry, previous_catalog: first.catalog });
      assert.deepEqual(second.diff, { added: [{ server_label: 'weather', name: 'get_alerts' }], removed: [], changed: [] });
    } finally {
      stack.demo.servers.weather.removeTool('get_alerts');
    }
  });
});
