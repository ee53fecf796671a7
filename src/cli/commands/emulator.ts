import { Command, Option } from 'commander';
import { waitForStopSignal } from '../signals';
import { allowPrivateNetworksOption, parseListenPortFlag } from '../options';
import type { AllowPrivateNetworks } from '../../core/destinations';
import { startEmulator, type EmulatorHandle } from '../../emulator';

export const DEFAULT_EMULATOR_PORT = 8800;
export const DEFAULT_EMULATOR_HOST = '127.0.0.1';

export interface EmulatorStartOptions {
  host?: string;
  port?: number;
  apiKeys?: string[];
  allowPrivateNetworks?: AllowPrivateNetworks;
  /** The flag of the running command that sets the port, named in the busy-port message (e.g. "--port"). */
  portFlag?: string;
}

/**
 * Starts the emulator for a command (`mcpflow emulator`, `mcpflow dev`); a busy port becomes a
 * one-line error instead of a stack trace.
 */
export async function startEmulatorService(options: EmulatorStartOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? DEFAULT_EMULATOR_HOST;
  const port = options.port ?? portFromEnv() ?? DEFAULT_EMULATOR_PORT;
  try {
    return await startEmulator({
      host,
      port,
      ...(options.apiKeys?.length ? { apiKeys: options.apiKeys } : {}),
      ...(options.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: options.allowPrivateNetworks } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `emulator: port ${port} on ${host} is already in use; pick another with ${options.portFlag ? `${options.portFlag} or ` : ''}MCPFLOW_EMULATOR_PORT`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new Error(`emulator: cannot listen on ${host}:${port} (${code})`);
    throw error;
  }
}

/** How to point a client at the emulator, printed on start. */
export function usageLines(handle: EmulatorHandle): string[] {
  return [
    `OpenAI Responses API emulator listening on ${handle.url}`,
    '',
    'Use it with:',
    `  export OPENAI_BASE_URL=${handle.url}`,
    '  export OPENAI_API_KEY=any-key   # unless started with --api-key',
    `Admin (faults, stats): ${handle.adminUrl}/faults, ${handle.adminUrl}/stats, ${handle.adminUrl}/reset`,
    'Press Ctrl+C to stop.',
  ];
}

function portFromEnv(): number | undefined {
  const raw = process.env['MCPFLOW_EMULATOR_PORT'];
  return raw ? parseListenPortFlag(raw) : undefined;
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run the offline OpenAI Responses API emulator (MCP tools included) for demos and tests')
    .addOption(new Option('--host <host>', 'address to listen on').default(DEFAULT_EMULATOR_HOST))
    .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').argParser(parseListenPortFlag).env('MCPFLOW_EMULATOR_PORT'))
    .option('--api-key <key...>', 'accept only these API keys (default: any key; env MCPFLOW_EMULATOR_API_KEYS)')
    .addOption(allowPrivateNetworksOption('default: loopback'))
    .action(async (options: { host: string; port?: number; apiKey?: string[]; allowPrivateNetworks?: AllowPrivateNetworks }) => {
      const handle = await startEmulatorService({
        host: options.host,
        port: options.port ?? DEFAULT_EMULATOR_PORT,
        portFlag: '--port',
        ...(options.apiKey ? { apiKeys: options.apiKey } : {}),
        ...(options.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: options.allowPrivateNetworks } : {}),
      });
      for (const line of usageLines(handle)) console.log(line);
      const signal = await waitForStopSignal();
      console.log(`\nReceived ${signal}, stopping the emulator.`);
      await handle.close();
    });
}
