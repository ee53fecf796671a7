/**
 * Starting an mcpflow worker from the CLI: a quiet SDK runtime (warnings only; Ctrl-C is ours
 * to handle so that everything stops in order) and a native connection with the same settings
 * and the same "unreachable" error as the client.
 */
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { isGrpcServiceError } from '@temporalio/client';
import type { ConnectionSettings } from '../config/connection';
import type { AllowPrivateNetworks } from '../core/destinations';
import { TemporalUnreachableError } from '../client/errors';
import { closeMcpConnections } from '../../activities';
import type { Notifications } from '../config/notifications';
import type { ServerRegistry } from '../../activities/server-registry';
import { createWorker } from './worker';
import { McpflowWorkerLogger } from './logger';
import { metricBucketOverrides } from './metric-buckets';
import { tracingFromEnv } from './tracing';

let runtimeInstalled = false;

export interface RuntimeOptions {
  /** Serve the SDK's and mcpflow's metrics for Prometheus at http://host:port/metrics. */
  metrics?: { host: string; port: number };
}

/** Installs the process's SDK runtime; only the first call counts (the SDK allows one). */
export function installQuietRuntime(options: RuntimeOptions = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = process.env.MCPFLOW_LOG_LEVEL === 'debug' ? 'DEBUG' : process.env.MCPFLOW_LOG_LEVEL === 'info' ? 'INFO' : 'WARN';
  Runtime.install({
    // One line per failed activity attempt instead of the SDK's error dump (src/worker/logger.ts).
    logger: new McpflowWorkerLogger(level),
    shutdownSignals: [],
    telemetryOptions: {
      // The SDK core's own lines through that logger too: one line each, colours only on a terminal (its console writer always colours).
      logging: { forward: {} },
      ...(options.metrics
        ? {
            metrics: {
              prometheus: {
                bindAddress: `${options.metrics.host.includes(':') ? `[${options.metrics.host}]` : options.metrics.host}:${options.metrics.port}`,
                histogramBucketOverrides: metricBucketOverrides(),
              },
            },
          }
        : {}),
    },
  });
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

export interface StartWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  openaiBaseURL?: string;
  /** A bundle built by scripts/bundle-workflows.mjs (the Docker image has one). */
  workflowBundlePath?: string;
  /** Milliseconds a stop waits for in-flight activities (SIGTERM drains); default 30 s. */
  shutdownGraceMs?: number;
  allowPrivateNetworks?: AllowPrivateNetworks;
  /** Runs kept in memory between their workflow tasks (createWorker's default otherwise). */
  maxCachedWorkflows?: number;
  /** The servers this worker defines and whether inputs may define their own (activities/server-registry.ts); default none, no. */
  serverRegistry?: ServerRegistry;
  /** Webhooks told when a run waits for a person (the config's `notifications`, activities/notify.ts). */
  notifications?: Notifications;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  // OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/worker/tracing.ts).
  const tracing = tracingFromEnv();
  const worker = await createWorker({
    ...(options.allowPrivateNetworks !== undefined ? { allowPrivateNetworks: options.allowPrivateNetworks } : {}),
    ...(tracing ? { tracing } : {}),
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.openaiBaseURL ? { openaiBaseURL: options.openaiBaseURL } : {}),
    ...(options.workflowBundlePath ? { workflowBundlePath: options.workflowBundlePath } : {}),
    shutdownGraceTime: options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.serverRegistry ? { serverRegistry: options.serverRegistry } : {}),
    ...(options.notifications ? { notifications: options.notifications } : {}),
  });
  // Pooled MCP connections end their sessions when the worker stops, however it stops.
  const finished = worker.run().finally(async () => {
    await closeMcpConnections();
    await tracing?.shutdown().catch(() => undefined);
  });
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
