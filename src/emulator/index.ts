import type { AddressInfo } from 'node:net';
import { type EmulatorStats, type FaultsInput } from './admin';
import type { AllowPrivateNetworks } from '../core/destinations';
import { createEmulatorServer } from './server';

export { EmulatorAdminClient, FaultsSchema, FailNextSchema, EmulatorStatsSchema } from './admin';
export type { EmulatorStats, Faults, FaultsInput, FailNext } from './admin';
export { DEFAULT_TODAY } from './planner';
export { SCRIPT_METADATA_KEY, TODAY_METADATA_KEY, ModelScriptSchema, type ModelScript } from './script';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for local demos and tests. */
  host?: string;
  /** Accepted API keys; default from MCPFLOW_EMULATOR_API_KEYS (comma-separated); none = any key. */
  apiKeys?: string[];
  /** Responses kept for GET and previous_response_id (LRU), default 1000. */
  maxConversations?: number;
  latencyMs?: number;
  /** Which private ranges the MCP bridge may reach: default loopback only (`mcpflow emulator --allow-private-networks`). */
  allowPrivateNetworks?: AllowPrivateNetworks;
  /**
   * The date the planner calls "today" (YYYY-MM-DD), asked per request; whoever starts the demo
   * servers too passes theirs. Default: MCPFLOW_DEMO_TODAY if it holds a date, else the real UTC date.
   */
  today?: () => string;
  /** How long a background response stays `queued` before it starts (default 50 ms). */
  backgroundQueueMs?: number;
  /** Added to every `service_tier: "flex"` model call (default 200 ms). */
  flexLatencyMs?: number;
}

export interface EmulatorHandle {
  /** Base URL including /v1, for the openai client's `baseURL`. */
  url: string;
  /** Base URL of the admin endpoints (`.../admin`), for EmulatorAdminClient. */
  adminUrl: string;
  port: number;
  host: string;
  setFaults(faults: FaultsInput): void;
  /** Clears faults, counters and stored conversations. */
  reset(): void;
  /** Forgets every stored response, as the API does after its retention period (30 days); returns how many. */
  forgetResponses(): number;
  stats(): EmulatorStats;
  close(): Promise<void>;
}

export function apiKeysFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env['MCPFLOW_EMULATOR_API_KEYS'];
  if (!raw) return undefined;
  const keys = raw
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  return keys.length ? keys : undefined;
}

/** Starts an offline OpenAI Responses API server; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  const { server, admin, conversations, backgroundRuns } = createEmulatorServer({
    apiKeys: options.apiKeys ?? apiKeysFromEnv() ?? [],
    ...(options.maxConversations !== undefined ? { maxConversations: options.maxConversations } : {}),
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: options.allowPrivateNetworks } : {}),
    ...(options.today !== undefined ? { today: options.today } : {}),
    ...(options.backgroundQueueMs !== undefined ? { backgroundQueueMs: options.backgroundQueueMs } : {}),
    ...(options.flexLatencyMs !== undefined ? { flexLatencyMs: options.flexLatencyMs } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/v1`,
    adminUrl: `${origin}/admin`,
    port,
    host,
    setFaults: (faults) => admin.setFaults(faults),
    reset: () => {
      admin.reset();
      backgroundRuns.abortAll();
      conversations.clear();
    },
    forgetResponses: () => {
      const forgotten = conversations.size;
      conversations.clear();
      return forgotten;
    },
    stats: () => admin.stats(conversations.size),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // A scripted 60-second model call must not keep the process alive.
        backgroundRuns.abortAll();
        server.close((error) => (error ? reject(error) : resolve()));
        // Streams and keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}
