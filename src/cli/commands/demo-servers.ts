/**
 * `mcpflow demo-servers`: runs the weather, calendar and database demo MCP servers on loopback
 * until SIGINT/SIGTERM. `launchDemoServers` is the same start-up without the waiting, for
 * `mcpflow dev`.
 */
import { waitForStopSignal } from '../signals';
import { parseListenPortFlag } from '../options';
import { Command } from 'commander';
import {
  DEMO_TODAY,
  DemoProtocolSchema,
  DemoServerStartError,
  startDemoServers,
  type DemoProtocol,
  type DemoServerKind,
  type DemoServersHandle,
} from '../../demo-servers/index';
import { InvalidArgumentError } from 'commander';

export const DEFAULT_DEMO_PORTS: Readonly<Record<DemoServerKind, number>> = { weather: 8801, calendar: 8802, database: 8803 };
export const DEFAULT_DEMO_HOST = '127.0.0.1';

const PORT_ENV: Readonly<Record<DemoServerKind, string>> = {
  weather: 'MCPFLOW_WEATHER_PORT',
  calendar: 'MCPFLOW_CALENDAR_PORT',
  database: 'MCPFLOW_DATABASE_PORT',
};
const HOST_ENV = 'MCPFLOW_DEMO_HOST';

export interface DemoServersLaunchOptions {
  host?: string;
  /** Per-server ports; a missing one comes from its MCPFLOW_<KIND>_PORT variable, else the default (8801-8803). */
  ports?: Partial<Record<DemoServerKind, number>>;
  env?: NodeJS.ProcessEnv;
  /** Name the --<kind>-port flags in the busy-port message (only `mcpflow demo-servers` has them). */
  portFlags?: boolean;
  /** The MCP revision the servers speak; else MCPFLOW_DEMO_PROTOCOL, else 2025-11-25. */
  protocol?: DemoProtocol;
}

const PROTOCOL_ENV = 'MCPFLOW_DEMO_PROTOCOL';

/** `--protocol` / MCPFLOW_DEMO_PROTOCOL: one of the revisions the demo servers speak. */
export function parseDemoProtocol(value: string): DemoProtocol {
  const parsed = DemoProtocolSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`expected one of ${DemoProtocolSchema.options.join(', ')}, got "${value}"`);
  return parsed.data;
}

/** Flag > environment variable > default, for each server. */
export function resolveDemoServerPorts(
  ports: Partial<Record<DemoServerKind, number>> = {},
  env: NodeJS.ProcessEnv = process.env,
): Record<DemoServerKind, number> {
  const pick = (kind: DemoServerKind): number => {
    const fromFlag = ports[kind];
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[PORT_ENV[kind]];
    if (fromEnv === undefined || fromEnv === '') return DEFAULT_DEMO_PORTS[kind];
    try {
      return parseListenPortFlag(fromEnv);
    } catch (error) {
      throw new Error(`${PORT_ENV[kind]}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return { weather: pick('weather'), calendar: pick('calendar'), database: pick('database') };
}

/**
 * Starts the three demo servers (all or none). A busy port becomes one plain sentence that says
 * which flag or variable to change.
 */
export async function launchDemoServers(opts: DemoServersLaunchOptions = {}): Promise<DemoServersHandle> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? (env[HOST_ENV] || DEFAULT_DEMO_HOST);
  const ports = resolveDemoServerPorts(opts.ports, env);
  try {
    const fromEnv = env[PROTOCOL_ENV];
    const protocol = opts.protocol ?? (fromEnv ? parseDemoProtocol(fromEnv) : undefined);
    return await startDemoServers({ host, ports, protocol });
  } catch (error) {
    if (error instanceof DemoServerStartError && error.code === 'EADDRINUSE') {
      throw new Error(
        `port ${error.port} on ${error.host} is already in use (${error.kind} demo server); ` +
          `choose another with ${opts.portFlags ? `--${error.kind}-port or ` : ''}${PORT_ENV[error.kind]}`,
      );
    }
    throw error;
  }
}

/** The lines `mcpflow demo-servers` prints once the servers listen. */
export function describeDemoServers(handle: DemoServersHandle): string[] {
  return [
    ...Object.values(handle.servers).map((s) => `${s.label.padEnd(9)} ${s.url}  (admin ${s.adminUrl}${s.protocol === '2026-07-28' ? ', MCP 2026-07-28' : ''})`),
    `Demo "today" is ${DEMO_TODAY}.`,
  ];
}

interface DemoServersCommandOptions {
  host?: string;
  weatherPort?: number;
  calendarPort?: number;
  databasePort?: number;
  protocol?: DemoProtocol;
}

export function registerDemoServersCommand(program: Command): void {
  program
    .command('demo-servers')
    .description('Run the weather, calendar and database demo MCP servers (Streamable HTTP at /mcp, fault control at /admin)')
    .option('--host <host>', `address to bind (env ${HOST_ENV}, default ${DEFAULT_DEMO_HOST})`)
    .option('--weather-port <port>', `weather server port (env ${PORT_ENV.weather}, default ${DEFAULT_DEMO_PORTS.weather})`, parseListenPortFlag)
    .option('--calendar-port <port>', `calendar server port (env ${PORT_ENV.calendar}, default ${DEFAULT_DEMO_PORTS.calendar})`, parseListenPortFlag)
    .option('--database-port <port>', `database server port (env ${PORT_ENV.database}, default ${DEFAULT_DEMO_PORTS.database})`, parseListenPortFlag)
    .option(
      '--protocol <revision>',
      `MCP revision to serve: 2026-07-28 (no initialize, elicitation and tasks on the calendar) or 2025-11-25 (env ${PROTOCOL_ENV}, default 2025-11-25)`,
      parseDemoProtocol,
    )
    .action(async (options: DemoServersCommandOptions) => {
      const handle = await launchDemoServers({
        host: options.host,
        ports: { weather: options.weatherPort, calendar: options.calendarPort, database: options.databasePort },
        portFlags: true,
        protocol: options.protocol,
      });
      for (const line of describeDemoServers(handle)) console.log(line);
      console.log('Press Ctrl+C to stop.');
      const signal = await waitForStopSignal();
      console.log(`Received ${signal}, stopping the demo servers.`);
      await handle.close();
    });
}
