/**
 * A minimal worker that runs the user's workflows and mcpflow's on one task queue, with the plugin.
 *
 * In your project the import is `import { McpflowPlugin } from 'mcpflow/worker'`; inside the
 * repository it is the same module by relative path.
 *
 * Run: OPENAI_BASE_URL=http://127.0.0.1:8800/v1 npx tsx examples/ticket-triage/worker.ts
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { McpflowPlugin } from '../../src/worker';

/** The user's workflows (the plugin bundles mcpflow's beside them). */
export type TriageWorkflows = typeof import('./workflows');

export interface TriageWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** The Responses API or the mcpflow emulator (`mcpflow/testing`'s startOfflineStack().openaiBaseURL). */
  openaiBaseURL?: string;
  env?: Record<string, string | undefined>;
}

export async function createTriageWorker(options: TriageWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    // The demo MCP servers listen on 127.0.0.1; a worker reaches no private address unless told.
    plugins: [new McpflowPlugin({ openaiBaseURL: options.openaiBaseURL, env: options.env ?? process.env, allowPrivateNetworks: 'loopback' })],
  });
}

if (require.main === module) {
  void (async () => {
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    const worker = await createTriageWorker({ connection, taskQueue: 'ticket-triage', openaiBaseURL: process.env.OPENAI_BASE_URL });
    await worker.run();
  })();
}
