/** `mcpflow progress <id> [--watch]`: where a query (or a session, or a batch) is now. */
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { jsonOption } from '../options';
import { printJson, table, toStdout, truncate } from '../output';
import { approvalHint, formatEvent, watchQuery } from '../watch';
import { inputHint, taskLine } from './answer';
import { showBatchProgress } from './batch';
import type { McpflowClient } from '../../client/client';

interface ProgressFlags {
  watch?: boolean;
  json: boolean;
}

export function registerProgressCommand(program: Command): void {
  program
    .command('progress')
    .description('Show the state of a query (or a session, or a batch): step, pending approvals, calls, retries, recent events')
    .argument('<workflowId>', 'a query, session or batch workflow id')
    .option('--watch', 'keep printing new events until the query (or batch) ends')
    .addOption(jsonOption())
    .action(async (workflowId: string, flags: ProgressFlags, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const description = await client.describe(workflowId);
        if (description.type === 'mcpSession') return showSession(client, workflowId, flags.json);
        if (description.type === 'runBatch') return showBatchProgress(client, workflowId, flags);
        if (flags.watch && description.status === 'RUNNING') {
          const print = flags.json ? (line: string) => process.stderr.write(`${line}\n`) : toStdout;
          await watchQuery(client, workflowId, client.waitForQuery(workflowId), { print });
        }
        const progress = await client.progress(workflowId);
        if (flags.json) return printJson({ workflow_id: workflowId, status: description.status, ...progress });
        if (flags.watch) return toStdout(`${workflowId}: ${progress.state}`);
        toStdout(`${workflowId} (${description.status}): ${progress.state}, turn ${progress.step}/${progress.max_steps} — ${progress.detail}`);
        toStdout(`calls so far: ${progress.calls_so_far}, retries: ${progress.retries}`);
        for (const approval of progress.pending_approvals) for (const line of approvalHint(workflowId, approval)) toStdout(line);
        for (const input of progress.pending_input ?? []) for (const line of inputHint(workflowId, input)) toStdout(line);
        for (const task of progress.tasks ?? []) toStdout(taskLine(task));
        if (progress.events.length) {
          toStdout('Recent events:');
          for (const event of progress.events.slice(-15)) toStdout(`  ${event.at.slice(11, 19)} ${formatEvent(event)}`);
        }
      });
    });
}

async function showSession(client: McpflowClient, sessionId: string, json: boolean): Promise<void> {
  const progress = await client.sessions.progress(sessionId);
  if (json) return printJson({ workflow_id: sessionId, ...progress });
  toStdout(
    `session ${sessionId}: ${progress.state}; servers: ${progress.servers.join(', ') || 'none'}; ${progress.tools_cached} tools cached; ${progress.queries_run} queries run`,
  );
  if (progress.active_queries.length) {
    toStdout(
      table(
        ['running query', 'question', 'started'],
        progress.active_queries.map((query) => [query.workflow_id, truncate(query.query, 50), query.started_at]),
      ),
    );
  }
  if (progress.standing_approvals.length)
    toStdout(`standing approvals: ${progress.standing_approvals.map((approval) => `${approval.server}.${approval.tool}`).join(', ')}`);
}
