/**
 * A worker in its own process, so that reliability tests can SIGKILL it mid-run.
 * Env: TEMPORAL_ADDRESS, MCPFLOW_TASK_QUEUE, OPENAI_BASE_URL, MCPFLOW_TEST_WORKFLOW_BUNDLE (optional),
 * MCPFLOW_TEST_ALLOW_INLINE_SERVERS=1 (run servers defined in workflow inputs, as `mcpflow dev` does),
 * MCPFLOW_TEST_NOTIFICATIONS (the config's `notifications` as JSON).
 * Prints "worker ready" once it polls.
 */
import { NativeConnection } from '@temporalio/worker';
import { NotificationsSchema } from '../../src/config/notifications';
import { createWorker } from '../../src/worker/worker';

async function main() {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    taskQueue: process.env.MCPFLOW_TASK_QUEUE,
    workflowBundlePath: process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE,
    ...(process.env.MCPFLOW_TEST_ALLOW_INLINE_SERVERS === '1' ? { serverRegistry: { servers: [], allowInline: true } } : {}),
    // The config file's `notifications`, as JSON (test/reliability/notifications-kill.test.ts).
    ...(process.env.MCPFLOW_TEST_NOTIFICATIONS ? { notifications: NotificationsSchema.parse(JSON.parse(process.env.MCPFLOW_TEST_NOTIFICATIONS)) } : {}),
  });
  await worker.runUntil(async () => {
    console.log('worker ready');
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  });
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
