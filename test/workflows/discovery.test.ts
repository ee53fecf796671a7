/** discoverTools on real components, in both modes: one activity per server, a failing server isolated. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { discoverTools } from '../../workflows/discovery';
import type { DiscoveryInput } from '../../workflows/messages';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';
import { useOfflineStack } from '../helpers/stack';

const stack = useOfflineStack();


function discover(input: DiscoveryInput) {
  const taskQueue = uniqueTaskQueue('discovery');
  return withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, (env) =>
    env.client.workflow.execute(discoverTools, { taskQueue, workflowId: uniqueWorkflowId('discovery'), args: [input] }),
  );
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
        const result = await discover({ servers, mode, retry });
        const byLabel = Object.fromEntries(result.servers.map((server) => [server.label, server]));
        assert.equal(byLabel.weather?.status, 'ok');
        assert.equal(byLabel.database?.status, 'ok');
        assert.equal(byLabel.calendar?.status, 'error');
        assert.equal(byLabel.calendar?.error?.type, 'connection');
        assert.equal(byLabel.calendar?.attempts, 2, 'retried once, then gave up');
        assert.deepEqual(result.catalog.servers.weather?.tools.map((tool) => tool.name).sort(), ['get_current_weather', 'get_forecast']);
        assert.ok(result.diff.added.length >= 2);
        assert.deepEqual(result.catalog.servers.forecast?.tools.map((tool) => tool.name), ['get_forecast'], 'allowed_tools applies');
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
