/**
 * mcpflow/testing: the offline model side and tool side mcpflow tests itself with, for testing
 * your own pipelines without a network or an API key. Everything binds 127.0.0.1 on ephemeral
 * ports and stops with `close()`.
 *
 * ```ts
 * const stack = await startOfflineStack();
 * // worker: openaiBaseURL = stack.openaiBaseURL; queries: servers = [stack.server('calendar', { require_approval: 'always' })]
 * // steer the "model": metadata = scriptedTurn({ calls: [{ server: 'calendar', tool: 'create_event', arguments: {...} }] })
 * await stack.close();
 * ```
 */
import type { ServerConfigInput } from '../core/servers';
import {
  startDemoServer,
  startDemoServers,
  type DemoServerHandle,
  type DemoServersHandle,
  type StartDemoServerOptions,
  type StartDemoServersOptions,
} from '../demo-servers';
import type { DemoServerKind } from '../demo-servers/schemas';
import { SCRIPT_METADATA_KEY, startEmulator, TODAY_METADATA_KEY, type EmulatorHandle, type EmulatorOptions, type ModelScript } from '../emulator';

/** One demo server on its own (e.g. `startDemoServer('calendar', { protocol: '2026-07-28' })` for elicitation and tasks). */
export { startEmulator, startDemoServer, startDemoServers, SCRIPT_METADATA_KEY, TODAY_METADATA_KEY };
export type {
  DemoServerHandle,
  DemoServerKind,
  DemoServersHandle,
  StartDemoServerOptions,
  EmulatorHandle,
  EmulatorOptions,
  ModelScript,
  StartDemoServersOptions,
};
/** Faults: `emulator.setFaults({ failNext: { count, status, retryAfterMs } })`; demo servers: `faults` at start or their admin API. */
export type { FaultsInput } from '../emulator';
export type { FaultSettings } from '../demo-servers';

export interface OfflineStackOptions {
  /** Options of the Responses API emulator (port 0 = a free one, the default). */
  emulator?: EmulatorOptions;
  /** Options of the demo MCP servers (weather, calendar, database); free ports by default. */
  demoServers?: StartDemoServersOptions;
}

export interface OfflineStack {
  emulator: EmulatorHandle;
  demo: DemoServersHandle;
  /** For the worker: OPENAI_BASE_URL / McpflowPlugin's `openaiBaseURL`. */
  openaiBaseURL: string;
  /** A server entry for a query's `servers`, pointing at one demo server. */
  server(kind: DemoServerKind, options?: Omit<ServerConfigInput, 'url' | 'label'> & { label?: string }): ServerConfigInput;
  close(): Promise<void>;
}

/** The emulator and the three demo MCP servers, started together (all or nothing). */
export async function startOfflineStack(options: OfflineStackOptions = {}): Promise<OfflineStack> {
  const [emulator, demo] = await Promise.allSettled([startEmulator(options.emulator), startDemoServers(options.demoServers)]);
  if (emulator.status === 'rejected' || demo.status === 'rejected') {
    await Promise.all([emulator.status === 'fulfilled' && emulator.value.close(), demo.status === 'fulfilled' && demo.value.close()]);
    throw (emulator.status === 'rejected' ? emulator.reason : (demo as PromiseRejectedResult).reason) as Error;
  }
  return {
    emulator: emulator.value,
    demo: demo.value,
    openaiBaseURL: emulator.value.url,
    server: (kind, { label, ...rest } = {}) => ({ ...rest, label: label ?? kind, url: demo.value.servers[kind].url }) as ServerConfigInput,
    close: async () => {
      await Promise.all([emulator.value.close(), demo.value.close()]);
    },
  };
}

/**
 * A query's `metadata` that scripts the emulator's "model" for every turn of that query: the tool
 * calls to make (`calls: []` answers without tools) and the answer text. Values are capped at 512
 * characters, as the real API caps metadata.
 */
export function scriptedTurn(script: ModelScript, today?: string): Record<string, string> {
  return { [SCRIPT_METADATA_KEY]: JSON.stringify(script), ...(today ? { [TODAY_METADATA_KEY]: today } : {}) };
}
