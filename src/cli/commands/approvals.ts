/**
 * `mcpflow approve|deny <workflowId> [approvalId] [--reason]`: answers pending approval requests
 * of one run; `approve|deny --all [--batch id] [--server s] [--tool t]` answers every pending
 * request the filters find across runs; `approvals list` shows them, and the questions MCP servers
 * asked direct-mode queries (answered with `mcpflow answer`).
 */
import type { Command } from 'commander';
import { answerAll, listWaiting, type PendingApprovalRow, type PendingInputRow, type UnreadableRow } from '../../client/pending';
import { commandContext, withClient } from '../context';
import { SilentFailure, UsageError } from '../errors';
import { jsonOption } from '../options';
import { printJson, table, toStderr, toStdout, truncate } from '../output';
import { canPrompt, confirm } from '../prompt';

interface ApprovalFlags {
  reason?: string;
  all?: boolean;
  batch?: string;
  server?: string;
  tool?: string;
  yes?: boolean;
  json: boolean;
  approver?: string;
  callHash?: string;
}

export function registerApprovalCommands(program: Command): void {
  for (const approve of [true, false]) {
    const verb = approve ? 'approve' : 'deny';
    program
      .command(verb)
      .description(
        `${approve ? 'Approve' : 'Deny'} pending tool calls: of one run (all its pending ones when no approval id is given), or with --all of every run the filters find`,
      )
      .argument('[workflowId]', 'the query workflow id (mcpflow query prints it); omit with --all')
      .argument('[approvalId]', 'which request (mcpr_...); default: every pending request')
      .option('--reason <text>', approve ? 'why (kept in the history)' : 'why; the model sees it')
      .option('--all', 'answer every pending request across runs (narrow with --batch, --server, --tool)')
      .option('--batch <id>', 'with --all: only runs of this batch')
      .option('--server <label>', 'with --all: only calls to this server')
      .option('--tool <name>', 'with --all: only calls of this tool')
      .option('--yes', 'with --all and no filter: answer every pending request of the namespace without asking (needed without a terminal)')
      .option('--approver <name>', 'who decides, as recorded (default: MCPFLOW_IDENTITY, else user@host); a server with "approvers" accepts only those')
      .option('--call-hash <hash>', 'with an approval id: the call_hash you looked at (approvals list --json); refused if the call differs')
      .addOption(jsonOption())
      .action(async (workflowId: string | undefined, approvalId: string | undefined, flags: ApprovalFlags, command: Command) => {
        const context = commandContext(command);
        if (flags.all) {
          if (workflowId) throw new UsageError(`give either a workflow id or --all, not both: mcpflow ${verb} --all --batch <id>`);
          const unfiltered = !flags.batch && !flags.server && !flags.tool;
          // Every pending request of the namespace is a lot to answer by accident: a person confirms, a script says --yes.
          if (unfiltered && !flags.yes && !canPrompt()) {
            throw new UsageError(
              `mcpflow ${verb} --all with no --batch, --server or --tool answers every pending request in namespace ${context.connection.namespace}: add --yes to confirm, or narrow it`,
            );
          }
          await withClient(context, async (client) => {
            const { approvals: rows, unreadable } = await listWaiting(client, flags);
            reportUnreadable(unreadable);
            if (unfiltered && !flags.yes && rows.length > 0) {
              toStderr(approvalsTable(rows));
              const runs = new Set(rows.map((row) => row.workflow_id)).size;
              if (
                !(await confirm(`${approve ? 'Approve' : 'Deny'} these ${rows.length} request(s) in ${runs} run(s) of namespace ${client.namespace}? [y/N] `))
              ) {
                toStderr('Nothing answered.');
                throw new SilentFailure();
              }
            }
            const outcome = await answerAll(client, rows, approve, flags.reason, flags.approver);
            if (flags.json) printJson({ approve, answered: outcome.answered, refused: outcome.refused, unreadable });
            else {
              toStdout(
                `${approve ? 'Approved' : 'Denied'} ${outcome.answered.length} request(s) in ${new Set(outcome.answered.map((row) => row.workflow_id)).size} run(s)`,
              );
              for (const refused of outcome.refused) toStderr(`not answered: ${refused.workflow_id} ${refused.approval.id}: ${refused.error}`);
            }
            if (outcome.refused.length || unreadable.length) throw new SilentFailure();
          });
          return;
        }
        if (!workflowId) throw new UsageError(`give the query's workflow id (mcpflow ${verb} <workflowId>), or --all with filters`);
        if (flags.batch || flags.server || flags.tool) throw new UsageError('--batch, --server and --tool narrow --all: add --all, or drop them');
        await withClient(context, async (client) => {
          if (flags.callHash && !approvalId) throw new UsageError('--call-hash binds one request: give its approval id too');
          const answer = {
            ...(approvalId ? { approval_request_id: approvalId } : {}),
            ...(flags.reason ? { reason: flags.reason } : {}),
            ...(flags.approver ? { approver: flags.approver } : {}),
            ...(flags.callHash ? { call_hash: flags.callHash } : {}),
          };
          const outcome = approve ? await client.approve(workflowId, answer) : await client.deny(workflowId, answer);
          if (flags.json) printJson({ workflow_id: workflowId, ...outcome });
          else toStdout(`${approve ? 'Approved' : 'Denied'} ${outcome.answered.length} request(s) of ${workflowId}: ${outcome.answered.join(', ')}`);
        });
      });
  }

  program
    .command('approvals')
    .description('Pending approvals across runs')
    .command('list')
    .description('List every tool call waiting for approval, and every question an MCP server asked (found with the McpState search attribute)')
    .option('--batch <id>', 'only runs of this batch')
    .option('--server <label>', 'only calls to this server')
    .option('--tool <name>', 'only calls of this tool')
    .addOption(jsonOption())
    .action(async (flags: ApprovalFlags, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const { approvals, inputs, unreadable } = await listWaiting(client, flags);
        reportUnreadable(unreadable);
        // --json keeps its shape (approval rows, which `approve --all` answers); the questions go to stderr there.
        const questions = inputs.length ? `${inputs.length} question(s) from MCP servers waiting for \`mcpflow answer\`:\n${inputsTable(inputs)}` : undefined;
        if (flags.json) {
          printJson(approvals);
          if (questions) toStderr(questions);
          if (unreadable.length) throw new SilentFailure();
          return;
        }
        toStdout(approvals.length ? approvalsTable(approvals) : 'No pending approvals.');
        if (questions) toStdout(questions);
        if (unreadable.length) throw new SilentFailure();
      });
    });
}

/** Runs whose progress could not be read may wait too: said on stderr, and the command exits 1. */
function reportUnreadable(rows: UnreadableRow[]): void {
  for (const row of rows) toStderr(`cannot read ${row.workflow_id} (it may be waiting too): ${row.error}`);
}

function approvalsTable(rows: PendingApprovalRow[]): string {
  return table(
    ['workflow', 'approval id', 'server', 'tool', 'arguments', 'requested'],
    rows.map((row) => [
      row.workflow_id,
      row.approval.id,
      row.approval.server,
      row.approval.tool,
      truncate(JSON.stringify(row.approval.arguments), 40),
      row.approval.requested_at,
    ]),
  );
}

function inputsTable(rows: PendingInputRow[]): string {
  return table(
    ['workflow', 'question', 'server', 'tool', 'asks', 'answer with'],
    rows.map(({ workflow_id, input }) => [
      workflow_id,
      input.id,
      input.server,
      input.tool,
      truncate(input.message, 40),
      `mcpflow answer ${workflow_id} ${input.id} ${input.mode === 'url' ? '--accept' : "--json '{...}'"}`,
    ]),
  );
}
