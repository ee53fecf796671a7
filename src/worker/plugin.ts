/**
 * McpflowPlugin: mcpflow inside a user's own Temporal worker and client.
 *
 *   const plugin = new McpflowPlugin({ openaiApiKey, allowPrivateNetworks: 'loopback' });
 *   const worker = await Worker.create({ connection, taskQueue: 'pipelines', workflowsPath, activities, plugins: [plugin] });
 *
 * It adds mcpflow's activities, its workflows (bundled with the user's: ./workflows-entry.ts),
 * its data converter (payload codec and failure converter, src/codec) and its activity
 * interceptors and its Nexus service (src/nexus), and preloads mcpflow's pure workflow modules. Worker tunings mcpflow relies on
 * (heartbeat throttling, eager activities, sticky timeout) apply where the user set none.
 */
import { Client, type ClientOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { SimplePlugin } from '@temporalio/plugin';
import { Worker, type BundleOptions, type NativeConnection, type ReplayWorkerOptions, type WorkerOptions } from '@temporalio/worker';
import { closeMcpConnections, createActivities, type ActivityDeps } from '../../activities';
import { FAILURE_CONVERTER_PATH, mcpflowDataConverter, PAYLOAD_CONVERTER_PATH } from '../codec/data-converter';
import { mcpflowNexusServiceHandler } from '../nexus/handler';
import { activityLogInterceptor } from './activity-log';
import { resolvePluginOptions, McpflowPluginOptionsError, type McpflowPluginOptions, type McpflowPluginSettings } from './plugin-options';
import { sharedWorkflowModules } from './shared-modules';
import { stickyResetInterceptor } from './sticky-reset';
import { workflowsEntryFor } from './workflows-entry';
import { MCPFLOW_WORKER_TUNING } from './worker-tuning';

export const MCPFLOW_PLUGIN_NAME = 'mcpflow';

/** For `mcpflow worker` and the test workers (src/worker/worker.ts): what the CLI decides outside the options. */
export interface McpflowPluginInternals {
  /** Used as they are instead of the options' (e.g. a test's MCP connection pool). */
  activityDeps?: ActivityDeps;
  /** The CLI reads encryption keys from process.env, while activities may get another env. */
  dataConverter?: DataConverter;
}

export class McpflowPlugin extends SimplePlugin {
  readonly settings: McpflowPluginSettings;
  /** A worker with encryption keys refuses plaintext input; a client reads it. */
  private readonly workerDataConverter: DataConverter;
  private readonly clientDataConverter: DataConverter;
  /** Workers configured for the own-queue mode, by namespace and queue: their connection, for the second worker. */
  private readonly ownQueueWorkers = new Map<string, NativeConnection | undefined>();

  /** Throws McpflowPluginOptionsError or EncryptionConfigError for a bad option. */
  constructor(
    private readonly pluginOptions: McpflowPluginOptions = {},
    private readonly internals: McpflowPluginInternals = {},
  ) {
    const settings = resolvePluginOptions(pluginOptions);
    const workerDataConverter = internals.dataConverter ?? mcpflowDataConverter(settings.env, { worker: true });
    super({ name: MCPFLOW_PLUGIN_NAME, dataConverter: workerDataConverter, workerInterceptors: { activity: [activityLogInterceptor] } });
    this.settings = settings;
    this.workerDataConverter = workerDataConverter;
    this.clientDataConverter = mcpflowDataConverter(settings.env);
  }

  override configureClient(options: ClientOptions): ClientOptions {
    return { ...super.configureClient(options), dataConverter: { ...options.dataConverter, ...this.clientDataConverter } };
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    if (this.settings.taskQueue !== undefined && this.settings.taskQueue !== options.taskQueue) {
      // mcpflow runs beside this worker (runWorker); this one only reads and writes mcpflow's payloads.
      this.ownQueueWorkers.set(workerKey(options.namespace, options.taskQueue), options.connection);
      return { ...options, dataConverter: { ...options.dataConverter, ...this.workerDataConverter } };
    }
    const configured = super.configureWorker(options);
    // Session refreshes start other workflows; a retried heartbeating activity unsticks its run (sticky-reset.ts).
    const temporalClient = options.connection
      ? new Client({ connection: options.connection, namespace: options.namespace ?? 'default', dataConverter: this.workerDataConverter })
      : undefined;
    const deps: ActivityDeps = this.internals.activityDeps ?? {
      env: this.settings.env,
      allowPrivateNetworks: this.settings.allowPrivateNetworks,
      serverRegistry: this.settings.serverRegistry,
      ...(this.settings.openaiBaseURL ? { openaiBaseURL: this.settings.openaiBaseURL } : {}),
      ...(this.settings.notifications ? { notifications: this.settings.notifications } : {}),
    };
    const activities = createActivities({ ...(temporalClient ? { temporalClient } : {}), ...deps });
    const clash = Object.keys(options.activities ?? {}).filter((name) => name in activities);
    if (clash.length > 0) {
      throw new McpflowPluginOptionsError(`McpflowPlugin: the worker's activities ${clash.join(', ')} have the names of mcpflow's activities: rename yours`);
    }
    const bundled = options.workflowBundle === undefined;
    return {
      ...configured,
      ...tuningDefaults(options),
      activities: { ...configured.activities, ...activities },
      // The mcpflow Nexus service, for workflows of other namespaces (src/nexus).
      nexusServices: [...(configured.nexusServices ?? []), mcpflowNexusServiceHandler()],
      ...(bundled ? { workflowsPath: workflowsEntryFor(options.workflowsPath), bundlerOptions: this.withSharedModules(options.bundlerOptions) } : {}),
      interceptors: {
        ...configured.interceptors,
        activity: [...(configured.interceptors?.activity ?? []), ...(temporalClient ? [stickyResetInterceptor(temporalClient.workflowService)] : [])],
      },
    };
  }

  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    const configured = super.configureReplayWorker(options);
    if (options.workflowBundle !== undefined) return configured;
    return { ...configured, workflowsPath: workflowsEntryFor(options.workflowsPath), bundlerOptions: this.withSharedModules(options.bundlerOptions) };
  }

  /** For `bundleWorkflowCode({ workflowsPath, plugins: [plugin] })`: the bundle a worker then loads as `workflowBundle`. */
  override configureBundler(options: BundleOptions): BundleOptions {
    // With a queue of its own, mcpflow's worker bundles its workflows; the user's bundle stays theirs.
    if (this.settings.taskQueue !== undefined) return options;
    const configured = super.configureBundler(options);
    return {
      ...configured,
      workflowsPath: workflowsEntryFor(options.workflowsPath),
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      ...(this.settings.sharedModules ? { preloadModules: [...(options.preloadModules ?? []), ...sharedWorkflowModules()] } : {}),
    };
  }

  /** Pooled MCP connections end their sessions when the worker stops, however it stops. */
  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    const key = workerKey(worker.options.namespace, worker.options.taskQueue);
    if (this.ownQueueWorkers.has(key)) return this.runBesideOwnQueue(worker, next, this.ownQueueWorkers.get(key));
    try {
      await super.runWorker(worker, next);
    } finally {
      await closeMcpConnections();
    }
  }

  /** The own-queue mode: mcpflow's worker runs and stops with the user's; either failing stops both. */
  private async runBesideOwnQueue(worker: Worker, next: (w: Worker) => Promise<void>, connection: NativeConnection | undefined): Promise<void> {
    const { taskQueue, ...sameOptions } = this.pluginOptions;
    const mcpflow = await Worker.create({
      ...(connection ? { connection } : {}),
      namespace: worker.options.namespace,
      taskQueue: taskQueue ?? worker.options.taskQueue,
      plugins: [new McpflowPlugin(sameOptions, this.internals)],
    });
    const stop = (w: Worker) => {
      if (w.getState() === 'RUNNING') w.shutdown();
    };
    const mcpflowRun = mcpflow.run().finally(() => stop(worker));
    const userRun = super.runWorker(worker, next).finally(() => stop(mcpflow));
    const [user, own] = await Promise.allSettled([userRun, mcpflowRun]);
    if (user.status === 'rejected') throw user.reason;
    if (own.status === 'rejected') throw own.reason;
  }

  private withSharedModules(bundlerOptions: WorkerOptions['bundlerOptions']): WorkerOptions['bundlerOptions'] {
    if (!this.settings.sharedModules) return bundlerOptions;
    return { ...bundlerOptions, preloadModules: [...(bundlerOptions?.preloadModules ?? []), ...sharedWorkflowModules()] };
  }
}

function workerKey(namespace: string | undefined, taskQueue: string): string {
  return JSON.stringify([namespace ?? 'default', taskQueue]);
}

function tuningDefaults(options: WorkerOptions): Partial<WorkerOptions> {
  return Object.fromEntries(Object.entries(MCPFLOW_WORKER_TUNING).filter(([key]) => options[key as keyof WorkerOptions] === undefined));
}
