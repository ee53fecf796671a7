/**
 * The model side and the tool side of the benchmark, in one child process of their own (so that
 * their CPU is neither the worker's nor the client's): the Responses API emulator, the demo
 * weather / calendar / database MCP servers, and MCPFLOW_BENCH_EXTRA_SERVERS more weather servers
 * (each on its own port) for the discovery scale figures. Everything listens on 127.0.0.1.
 *
 * Prints one line `services ready <json>` (ServicesInfo) once everything listens; SIGTERM closes
 * everything and exits.
 */
import { startDemoServer, startDemoServers, type DemoServerHandle } from '../../src/demo-servers';
import { startEmulator } from '../../src/emulator';

export interface ServicesInfo {
  emulator: { url: string; adminUrl: string };
  weather: { url: string; adminUrl: string };
  calendar: { url: string; adminUrl: string };
  /** Extra weather servers, one port each. */
  extra: string[];
}

async function main(): Promise<void> {
  const extraCount = Number(process.env.MCPFLOW_BENCH_EXTRA_SERVERS ?? 0);
  // Runs waiting for approval continue from their stored response (previous_response_id): keep them all.
  const maxConversations = Number(process.env.MCPFLOW_BENCH_MAX_CONVERSATIONS ?? 1000);
  const [emulator, demo] = await Promise.all([startEmulator({ host: '127.0.0.1', maxConversations }), startDemoServers({ host: '127.0.0.1' })]);
  const extra: DemoServerHandle[] = await Promise.all(Array.from({ length: extraCount }, () => startDemoServer('weather', { host: '127.0.0.1' })));
  const info: ServicesInfo = {
    emulator: { url: emulator.url, adminUrl: emulator.adminUrl },
    weather: { url: demo.servers.weather.url, adminUrl: demo.servers.weather.adminUrl },
    calendar: { url: demo.servers.calendar.url, adminUrl: demo.servers.calendar.adminUrl },
    extra: extra.map((server) => server.url),
  };
  process.once('SIGTERM', () => {
    void Promise.allSettled([emulator.close(), demo.close(), ...extra.map((server) => server.close())]).then(() => process.exit(0));
  });
  process.stdout.write(`services ready ${JSON.stringify(info)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
