/**
 * Where and how to reach Temporal, following Temporal's own conventions so that a user's
 * existing setup works unchanged: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS*, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE (through @temporalio/envconfig).
 *
 * Precedence, highest first: flags, environment, the mcpflow config file's `temporal` section,
 * the Temporal config profile, then defaults (127.0.0.1:7233, namespace "default").
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { ConnectionOptions } from '@temporalio/client';
import { ConfigError } from './errors';
import type { TemporalSection } from './schema';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  profile?: string;
}

export interface ConnectionSettings {
  address: string;
  namespace: string;
  /** TLS settings from the profile or TEMPORAL_TLS*; true when only an API key asks for TLS. */
  tls: ConnectionOptions['tls'];
  /** Never printed: see describeConnection. */
  apiKey: string | undefined;
  metadata: Record<string, string> | undefined;
  /** Which profile was used, for messages. */
  profile: string | undefined;
}

export function resolveConnectionSettings(flags: ConnectionFlags = {}, file: TemporalSection = {}, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const profile = flags.profile ?? env.TEMPORAL_PROFILE ?? file.profile;
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ profile, overrideEnvVars: definedOnly(env) });
  } catch (error) {
    throw new ConfigError(`cannot load the Temporal client configuration${profile ? ` (profile "${profile}")` : ''}: ${(error as Error).message}`);
  }
  const address = flags.address ?? env.TEMPORAL_ADDRESS ?? file.address ?? loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!/^[^\s:]+:\d+$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(address)) {
    throw new ConfigError(`Temporal address "${address}" is not host:port: use for example --address 127.0.0.1:7233 or TEMPORAL_ADDRESS=127.0.0.1:7233`);
  }
  return {
    address,
    namespace: flags.namespace ?? env.TEMPORAL_NAMESPACE ?? file.namespace ?? loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    tls: loaded.connectionOptions.tls,
    apiKey: loaded.connectionOptions.apiKey,
    metadata: loaded.connectionOptions.metadata as Record<string, string> | undefined,
    profile,
  };
}

/** For people: where it connects, with secrets reduced to whether they are set. */
export function describeConnection(settings: ConnectionSettings): string {
  const parts = [`${settings.address}`, `namespace ${settings.namespace}`];
  if (settings.tls) parts.push('TLS');
  if (settings.apiKey) parts.push('API key set');
  if (settings.profile) parts.push(`profile ${settings.profile}`);
  return parts.join(', ');
}

/** Whether the address is this machine (the dev server's Web UI is then at port + 1000). */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/**
 * The Web UI base URL: MCPFLOW_UI_URL when set, else the dev server's default (gRPC port + 1000)
 * for a loopback address, else unknown.
 */
export function webUiBaseUrl(settings: Pick<ConnectionSettings, 'address'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MCPFLOW_UI_URL) return env.MCPFLOW_UI_URL.replace(/\/+$/, '');
  if (!isLoopbackAddress(settings.address)) return undefined;
  const port = Number(/:(\d+)$/.exec(settings.address)?.[1]);
  const host = settings.address.replace(/:\d+$/, '');
  return `http://${host === 'localhost' ? '127.0.0.1' : host}:${port + 1000}`;
}

export function workflowUiUrl(base: string | undefined, namespace: string, workflowId: string): string | undefined {
  if (!base) return undefined;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
