import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import {
  describeDemoServers,
  launchDemoServers,
  parseDemoProtocol,
  registerDemoServersCommand,
  resolveDemoServerPorts,
} from '../../src/cli/commands/demo-servers';
import { startDemoServer } from '../../src/demo-servers/index';

void describe('mcpflow demo-servers', () => {
  void it('resolves ports: flag, then environment, then default', () => {
    assert.deepEqual(resolveDemoServerPorts({}, {}), { weather: 8801, calendar: 8802, database: 8803 });
    assert.deepEqual(resolveDemoServerPorts({ weather: 9001 }, { MCPFLOW_WEATHER_PORT: '9100', MCPFLOW_DATABASE_PORT: '9103' }), {
      weather: 9001,
      calendar: 8802,
      database: 9103,
    });
    assert.throws(() => resolveDemoServerPorts({}, { MCPFLOW_CALENDAR_PORT: 'abc' }), /MCPFLOW_CALENDAR_PORT/);
  });

  void it('registers the command with its options', () => {
    const program = new Command();
    registerDemoServersCommand(program);
    const command = program.commands.find((c) => c.name() === 'demo-servers');
    assert.ok(command);
    assert.deepEqual(
      command.options.map((o) => o.long),
      ['--host', '--weather-port', '--calendar-port', '--database-port', '--protocol'],
    );
  });

  void it('--protocol and MCPFLOW_DEMO_PROTOCOL choose the MCP revision; anything else is refused', async () => {
    assert.equal(parseDemoProtocol('2026-07-28'), '2026-07-28');
    assert.throws(() => parseDemoProtocol('2024-11-05'), /expected one of 2026-07-28, 2025-11-25/);
    const handle = await launchDemoServers({ ports: { weather: 0, calendar: 0, database: 0 }, env: { MCPFLOW_DEMO_PROTOCOL: '2026-07-28' } });
    try {
      assert.deepEqual(
        Object.values(handle.servers).map((server) => server.protocol),
        ['2026-07-28', '2026-07-28', '2026-07-28'],
      );
    } finally {
      await handle.close();
    }
  });

  void it('launches all three on loopback and prints their URLs', async () => {
    const handle = await launchDemoServers({ ports: { weather: 0, calendar: 0, database: 0 }, env: {} });
    try {
      const lines = describeDemoServers(handle);
      assert.equal(lines.length, 4);
      assert.match(lines[0] ?? '', /^weather\s+http:\/\/127\.0\.0\.1:\d+\/mcp/);
      assert.match(lines[3] ?? '', /2026-11-26/);
    } finally {
      await handle.close();
    }
  });

  void it('a busy port becomes one line naming the flag and variable', async () => {
    const blocker = await startDemoServer('weather');
    try {
      await assert.rejects(launchDemoServers({ ports: { weather: 0, calendar: blocker.port, database: 0 }, env: {}, portFlags: true }), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.message.split('\n').length, 1);
        assert.match(e.message, new RegExp(`port ${blocker.port} on 127\\.0\\.0\\.1 is already in use \\(calendar demo server\\)`));
        assert.match(e.message, /--calendar-port or MCPFLOW_CALENDAR_PORT/);
        return true;
      });
      // Commands without the flag (mcpflow dev) name only the variable.
      await assert.rejects(launchDemoServers({ ports: { weather: 0, calendar: blocker.port, database: 0 }, env: {} }), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /choose another with MCPFLOW_CALENDAR_PORT$/);
        return true;
      });
    } finally {
      await blocker.close();
    }
  });
});
