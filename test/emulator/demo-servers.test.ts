/** The emulator in front of the project's demo MCP servers (src/demo-servers), as `mcpflow dev` runs them. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseSchema } from '../../src/core/schemas';
import { startDemoServer, type DemoServerHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { clientFor } from './helpers';

void describe('emulator with the demo MCP servers', () => {
  let emulator: EmulatorHandle;
  let servers: DemoServerHandle[] = [];
  const labels = ['weather', 'calendar', 'database'] as const;

  before(async () => {
    emulator = await startEmulator();
    servers = await Promise.all(labels.map((kind) => startDemoServer(kind, { port: 0 })));
  });
  after(async () => {
    await emulator.close();
    await Promise.all(servers.map((server) => server.close()));
  });

  void it('answers the seed question with a weather call and a calendar call', async () => {
    const response = await clientFor(emulator).responses.create({
      model: 'gpt-4o-mini',
      input: "What's the weather in London and do I have any meetings today?",
      tools: labels.map((label, index) => ({
        type: 'mcp' as const,
        server_label: label,
        server_url: servers[index]?.url ?? '',
        require_approval: 'never' as const,
      })),
    });
    ResponseSchema.parse(response);
    const calls = response.output.filter((item) => item.type === 'mcp_call');
    assert.deepEqual(
      calls.map((call) => [call.server_label, call.name, JSON.parse(call.arguments) as unknown, call.error]),
      [
        ['weather', 'get_current_weather', { location: 'London' }, null],
        ['calendar', 'list_events', { date: '2026-11-26' }, null],
      ],
    );
    assert.match(response.output_text, /London/);
  });

  void it("asks the calendar for the day its `today` option names (the starter's, not the demo servers' module)", async () => {
    const pinned = await startEmulator({ today: () => '2027-03-04' });
    try {
      const response = await clientFor(pinned).responses.create({
        model: 'gpt-4o-mini',
        input: 'Do I have any meetings today?',
        tools: [{ type: 'mcp' as const, server_label: 'calendar', server_url: servers[1]?.url ?? '', require_approval: 'never' as const }],
      });
      const calls = response.output.filter((item) => item.type === 'mcp_call');
      assert.deepEqual(
        calls.map((call) => [call.name, JSON.parse(call.arguments) as unknown]),
        [['list_events', { date: '2027-03-04' }]],
      );
    } finally {
      await pinned.close();
    }
  });
});
