/** Opens a Temporal connection from resolved settings; an unreachable server is one clear error. */
import os from 'node:os';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import type { ConnectionSettings } from '../config/connection';
import { mcpflowDataConverter } from '../codec/data-converter';
import { TemporalUnreachableError } from './errors';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export async function openConnection(settings: ConnectionSettings, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<Connection> {
  try {
    return await Connection.connect({
      address: settings.address,
      tls: settings.tls,
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      ...(settings.metadata ? { metadata: settings.metadata } : {}),
      connectTimeout: connectTimeoutMs,
    });
  } catch (error) {
    // A gRPC status (other than UNAVAILABLE) means the server answered: e.g. a bad API key.
    if (isGrpcServiceError(error) && error.code !== 14) throw error;
    throw new TemporalUnreachableError(settings.address);
  }
}

export function createClient(connection: Connection, namespace: string): Client {
  // Payload encryption when MCPFLOW_ENCRYPTION_KEYS / _KEY_FILE is set (src/codec).
  const identity = clientIdentity();
  return new Client({ connection, namespace, dataConverter: mcpflowDataConverter(), ...(identity ? { identity } : {}) });
}

/**
 * Who this client is to Temporal, and who its approvals and answers are recorded as when the
 * caller names nobody: MCPFLOW_IDENTITY, else user@host (the SDK's default, pid@host, names no
 * person). A claim, not a proof: README "Who approved".
 */
export function clientIdentity(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MCPFLOW_IDENTITY?.trim()) return env.MCPFLOW_IDENTITY.trim().slice(0, 200);
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return undefined; // no user entry (a container's random uid): the SDK's default
  }
}
