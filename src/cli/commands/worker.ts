/** `mcpflow worker`: runs the workflows and activities against TEMPORAL_ADDRESS until Ctrl-C. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { describeConnection } from '../../config/connection';
import { commandContext } from '../context';
import { UsageError } from '../errors';
import { heapGrowingPercent } from '../../worker/heap';
import type { AllowPrivateNetworks } from '../../core/destinations';
import { allowPrivateNetworksOption, parseDuration, parsePortFlag, parsePositiveInt } from '../options';
import { toStdout } from '../output';
import { waitForStopSignal } from '../signals';
import type { ServerRegistry } from '../../../activities/server-registry';
import { connectNative, DEFAULT_SHUTDOWN_GRACE_MS, installQuietRuntime, startWorker } from '../../worker/runtime';

interface WorkerFlags {
  shutdownGraceTime: number;
  workflowBundle?: string;
  metricsPort?: number;
  metricsHost: string;
  allowPrivateNetworks?: AllowPrivateNetworks;
  maxCachedWorkflows?: number;
  allowInlineServers?: boolean;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run an mcpflow worker (workflows + activities). The model endpoint comes from OPENAI_BASE_URL / OPENAI_API_KEY')
    .addOption(
      new Option(
        '--shutdown-grace-time <duration>',
        'on SIGTERM/Ctrl-C, how long running activities may finish before they are handed back to the server (e.g. 30s)',
      )
        .env('MCPFLOW_SHUTDOWN_GRACE_TIME')
        .argParser(parseDuration)
        .default(DEFAULT_SHUTDOWN_GRACE_MS, '30s'),
    )
    .addOption(
      new Option('--workflow-bundle <file>', 'prebuilt workflow bundle (scripts/bundle-workflows.mjs; the Docker image sets it)').env(
        'MCPFLOW_WORKFLOW_BUNDLE',
      ),
    )
    .addOption(
      new Option('--metrics-port <port>', "serve Prometheus metrics (the SDK's and mcpflow_*) on http://<metrics-host>:<port>/metrics")
        .env('MCPFLOW_METRICS_PORT')
        .argParser(parsePortFlag),
    )
    .addOption(
      new Option('--metrics-host <host>', 'address the metrics endpoint listens on (0.0.0.0 in a container)').env('MCPFLOW_METRICS_HOST').default('127.0.0.1'),
    )
    .addOption(allowPrivateNetworksOption("default: the config's allow_private_networks, else false"))
    .addOption(
      new Option(
        '--max-cached-workflows <n>',
        'runs kept in memory between workflow tasks; others (e.g. waiting for approval) are replayed from history on their next task (default: see docs/benchmarks.md)',
      )
        .env('MCPFLOW_MAX_CACHED_WORKFLOWS')
        .argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        '--allow-inline-servers',
        "also run servers that a workflow input defines itself (stdio commands, secret references): anyone who can start a workflow could then run commands here and read the secrets they name; for one person's worker only (default: the config's allow_inline_servers, else off)",
      ),
    )
    .action(async (flags: WorkerFlags, command: Command) => {
      const context = commandContext(command);
      installQuietRuntime(flags.metricsPort !== undefined ? { metrics: { host: flags.metricsHost, port: flags.metricsPort } } : {});
      heapGrowingPercent(); // a bad MCPFLOW_HEAP_GROWING_PERCENT is refused before anything connects
      if (flags.workflowBundle && !existsSync(flags.workflowBundle)) {
        throw new UsageError(
          `--workflow-bundle ${flags.workflowBundle}: no such file; build it with \`node scripts/bundle-workflows.mjs <file>\` or leave the flag out`,
        );
      }
      const connection = await connectNative(context.connection);
      // A production worker reaches no private or loopback address unless the config says so (dev/demo allow loopback).
      const allowPrivateNetworks = flags.allowPrivateNetworks ?? context.loaded.config.defaults.allow_private_networks ?? false;
      // Only the config's servers run commands or receive secrets, unless this worker is one person's (docs: README "What Temporal access lets a person do").
      const serverRegistry = {
        servers: context.loaded.config.servers,
        allowInline: flags.allowInlineServers ?? context.loaded.config.defaults.allow_inline_servers ?? false,
      };
      const notifications = context.loaded.config.notifications;
      const running = await startWorker({
        serverRegistry,
        ...(notifications ? { notifications } : {}),
        connection,
        namespace: context.connection.namespace,
        taskQueue: context.taskQueue,
        allowPrivateNetworks,
        shutdownGraceMs: flags.shutdownGraceTime,
        ...(flags.workflowBundle ? { workflowBundlePath: flags.workflowBundle } : {}),
        ...(flags.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: flags.maxCachedWorkflows } : {}),
      });
      toStdout(`mcpflow worker polling task queue "${context.taskQueue}" on ${describeConnection(context.connection)}`);
      toStdout(`Model API: ${describeModelApi()}`);
      toStdout(describeServerRegistry(serverRegistry));
      if (notifications?.webhooks.length) toStdout(`Notifications: ${notifications.webhooks.length} webhook(s) told when a run waits for a person`);
      if (flags.metricsPort !== undefined) toStdout(`Metrics: http://${flags.metricsHost}:${flags.metricsPort}/metrics`);
      toStdout('Press Ctrl-C to stop.');
      const outcome = await Promise.race([waitForStopSignal().then((signal) => ({ signal })), running.finished.then(() => ({ signal: undefined }))]);
      toStdout(
        outcome.signal
          ? `Stopping the worker (${outcome.signal}): no new tasks; running activities have ${flags.shutdownGraceTime / 1000} s to finish, then go back to the server...`
          : 'The worker stopped.',
      );
      await running.stop();
      if (outcome.signal) toStdout('The worker stopped.');
    });
}

/** Which servers this worker defines, and whether workflow inputs may define their own. */
export function describeServerRegistry(registry: ServerRegistry): string {
  const labels = registry.servers.map((server) => server.label);
  const registered = labels.length ? `registered servers: ${labels.join(', ')}` : 'no registered servers (add them under "servers" in the config)';
  return `MCP servers: ${registered}; ${registry.allowInline ? 'servers defined in workflow input ALSO run (--allow-inline-servers)' : 'servers defined in workflow input are refused'}`;
}

/** Where activities send Responses calls; the key itself is never printed. */
export function describeModelApi(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.OPENAI_BASE_URL;
  const key = env.OPENAI_API_KEY ? 'OPENAI_API_KEY set' : 'no OPENAI_API_KEY';
  if (base) return `${base} (${key})`;
  if (env.OPENAI_API_KEY) return `https://api.openai.com/v1 (${key})`;
  return 'not configured: set OPENAI_API_KEY, or OPENAI_BASE_URL to the emulator (mcpflow emulator)';
}
