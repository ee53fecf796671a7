/** `mcpflow cancel <id>`: asks Temporal to cancel a run (a query stops at its next step; a batch stops its lines). */
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { jsonOption } from '../options';
import { printJson, toStdout } from '../output';

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('Cancel a running workflow: a query, a session or a batch (for a batch, `mcpflow batch cancel` also waits for its lines)')
    .argument('<workflowId>')
    .addOption(jsonOption())
    .action(async (workflowId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const before = await client.describe(workflowId);
        if (before.status !== 'RUNNING') {
          if (flags.json) printJson({ workflow_id: workflowId, cancelled: false, status: before.status });
          else toStdout(`${workflowId} is already ${before.status.toLowerCase()}: nothing to cancel`);
          return;
        }
        await client.call(workflowId, () => client.handle(workflowId).cancel());
        if (flags.json) printJson({ workflow_id: workflowId, cancelled: true });
        else toStdout(`Cancellation of ${workflowId} requested`);
      });
    });
}
