/**
 * Starting an mcpflow worker from the CLI: a quiet SDK runtime (warnings only; Ctrl-C is ours
 * to handle so that everything stops in order) and a native connection with the same settings
 * and the same "unreachable" error as the client.
 */
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { isGrpcServiceError } from '@temporalio/client';
import type { ConnectionSettings } from '../config/connection';
import type { AllowPrivateNetworks } from '../core/destinations';
import { TemporalUnreachableError } from '../client/errors';
import { closeMcpConnections } from '../../activities';
import { createWorker } from '../worker/worker';

let runtimeInstalled = false;

export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = process.env.MCPFLOW_LOG_LEVEL === 'debug' ? 'DEBUG' : process.env.MCPFLOW_LOG_LEVEL === 'info' ? 'INFO' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
}

export async function connectNative(settings: ConnectionSettings): Promise<NativeConnection> {
  installQuietRuntime();
  try {
    return await NativeConnection.connect({
      address: settings.address,
      tls: settings.tls,
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      ...(settings.metadata ? { metadata: settings.metadata } : {}),
    });
  } catch (error) {
    if (isGrpcServiceError(error) && error.code !== 14) throw error;
    throw new TemporalUnreachableError(settings.address);
  }
}

export interface RunningWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Settles when the worker stopped (after stop(), or on a fatal error). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(options: { connection: NativeConnection; namespace: string; taskQueue: string; openaiBaseURL?: string; allowPrivateNetworks?: AllowPrivateNetworks }): Promise<RunningWorker> {
  const worker = await createWorker({
    ...(options.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: options.allowPrivateNetworks } : {}),
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.openaiBaseURL ? { openaiBaseURL: options.openaiBaseURL } : {}),
  });
  // Pooled MCP connections end their sessions when the worker stops, however it stops.
  const finished = worker.run().finally(() => closeMcpConnections());
  finished.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    worker,
    connection: options.connection,
    finished,
    stop: () => {
      stopping ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await finished.catch(() => undefined);
        await options.connection.close().catch(() => undefined);
      })();
      return stopping;
    },
  };
}

