/** `mcpflow approve|deny <workflowId> [approvalId] [--reason]`: answers pending approval requests. */
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { jsonOption } from '../options';
import { printJson, toStdout } from '../output';

interface ApprovalFlags {
  reason?: string;
  json: boolean;
}

export function registerApprovalCommands(program: Command): void {
  for (const approve of [true, false]) {
    const verb = approve ? 'approve' : 'deny';
    program
      .command(verb)
      .description(`${approve ? 'Approve' : 'Deny'} a pending tool call of a running query (all pending ones when no approval id is given)`)
      .argument('<workflowId>', 'the query workflow id (mcpflow query prints it)')
      .argument('[approvalId]', 'which request (mcpr_...); default: every pending request')
      .option('--reason <text>', approve ? 'why (kept in the history)' : 'why; the model sees it')
      .addOption(jsonOption())
      .action(async (workflowId: string, approvalId: string | undefined, flags: ApprovalFlags, command: Command) => {
        const context = commandContext(command);
        await withClient(context, async (client) => {
          const answer = { ...(approvalId ? { approval_request_id: approvalId } : {}), ...(flags.reason ? { reason: flags.reason } : {}) };
          const outcome = approve ? await client.approve(workflowId, answer) : await client.deny(workflowId, answer);
          if (flags.json) printJson({ workflow_id: workflowId, ...outcome });
          else toStdout(`${approve ? 'Approved' : 'Denied'} ${outcome.answered.length} request(s) of ${workflowId}: ${outcome.answered.join(', ')}`);
        });
      });
  }
}
