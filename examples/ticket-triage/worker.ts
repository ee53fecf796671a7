/**
 * A minimal worker that runs the user's workflow and mcpflow's on one task queue.
 *
 * In your project, with the plugin: `Worker.create({ ..., workflowsPath: require.resolve('./workflows'),
 * plugins: [new McpflowPlugin({ openaiBaseURL })] })` from 'mcpflow/worker'. Here, inside the
 * repository, the same pieces by relative path: mcpflow's activities, its data converter and its
 * workflows bundled with the user's (all-workflows.ts).
 *
 * Run: OPENAI_BASE_URL=http://127.0.0.1:8800/v1 npx tsx examples/ticket-triage/worker.ts
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { sharedWorkflowModules } from '../../src/worker/shared-modules';

/** Every workflow this worker runs (the user's and mcpflow's). */
export type TriageWorkflows = typeof import('./all-workflows');

export interface TriageWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** The Responses API or the mcpflow emulator (`mcpflow/testing`'s startEmulator().url). */
  openaiBaseURL?: string;
  env?: Record<string, string | undefined>;
}

export async function createTriageWorker(options: TriageWorkerOptions): Promise<Worker> {
  const namespace = options.namespace ?? 'default';
  const dataConverter = mcpflowDataConverter();
  const temporalClient = new Client({ connection: options.connection, namespace, dataConverter });
  return Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: options.taskQueue,
    dataConverter,
    activities: createActivities({ openaiBaseURL: options.openaiBaseURL, env: options.env ?? process.env, temporalClient }),
    workflowsPath: require.resolve('./all-workflows'),
    bundlerOptions: { preloadModules: sharedWorkflowModules() },
  });
}

if (require.main === module) {
  void (async () => {
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    const worker = await createTriageWorker({ connection, taskQueue: 'ticket-triage', openaiBaseURL: process.env.OPENAI_BASE_URL });
    await worker.run();
  })();
}
