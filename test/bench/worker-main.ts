/**
 * The benchmark's worker, in a process of its own (its CPU and RSS are read from /proc, and the
 * recovery scenario SIGKILLs it). By default it is exactly the production bootstrap, createWorker
 * of src/worker/worker.ts. MCPFLOW_BENCH_WORKER_OPTIONS (JSON of WorkerOptions fields) builds the
 * same worker with Worker.create and those options on top, for `npm run bench -- experiments`.
 *
 * Env: TEMPORAL_ADDRESS, MCPFLOW_TASK_QUEUE, OPENAI_BASE_URL, MCPFLOW_WORKFLOW_BUNDLE (optional:
 * without it the worker bundles the workflows at start, as `mcpflow worker` does).
 * Prints `worker ready` once it polls; SIGTERM drains it and exits (so --cpu-prof can write).
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { closeMcpConnections, createActivities } from '../../activities';
import { createWorker, WORKFLOWS_PATH } from '../../src/worker/worker';

const NAMESPACE = 'default';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const taskQueue = process.env.MCPFLOW_TASK_QUEUE!;
  const openaiBaseURL = process.env.OPENAI_BASE_URL!;
  const bundlePath = process.env.MCPFLOW_WORKFLOW_BUNDLE || undefined;
  const overrides = JSON.parse(process.env.MCPFLOW_BENCH_WORKER_OPTIONS || '{}') as Partial<WorkerOptions>;
  // env: {} — never a real OPENAI_API_KEY from the shell: always the emulator.
  const worker = Object.keys(overrides).length === 0
    ? await createWorker({ connection, namespace: NAMESPACE, taskQueue, openaiBaseURL, env: {}, ...(bundlePath ? { workflowBundlePath: bundlePath } : {}) })
    : await Worker.create({
      // What createWorker builds, plus the overrides.
      connection,
      namespace: NAMESPACE,
      taskQueue,
      activities: createActivities({ temporalClient: new Client({ connection, namespace: NAMESPACE }), openaiBaseURL, env: {} }),
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
      ...overrides,
    });
  await worker.runUntil(async () => {
    process.stdout.write(`worker ready ${process.pid}\n`);
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  });
  await closeMcpConnections();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
