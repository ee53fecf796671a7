/** Opens a Temporal connection from resolved settings; an unreachable server is one clear error. */
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
  return new Client({ connection, namespace, dataConverter: mcpflowDataConverter() });
}
