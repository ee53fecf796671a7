/** `mcpflow list [--state s] [--server label] [--batch id]`: query runs across the cluster, found with the search attributes. */
import { Option, type Command } from 'commander';
import { listRuns } from '../../client/pending';
import { commandContext, withClient } from '../context';
import { jsonOption, parsePositiveInt } from '../options';
import { printJson, table, toStdout } from '../output';

const STATES = ['waiting_approval', 'waiting_input', 'executing', 'discovering', 'running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'];

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('List query runs (visibility over McpState, McpServers, McpBatchId)')
    .addOption(new Option('--state <state>', 'what a running query does, or how a run ended').choices(STATES))
    .option('--server <label>', 'only runs that use this MCP server')
    .option('--batch <id>', 'only the lines of this batch')
    .option('--limit <n>', 'at most this many runs', parsePositiveInt, 100)
    .addOption(jsonOption())
    .action(async (flags: { state?: string; server?: string; batch?: string; limit: number; json: boolean }, command: Command) => {
      const context = commandContext(command);
      await withClient(context, async (client) => {
        const rows = await listRuns(client, flags, flags.limit);
        if (flags.json) printJson(rows);
        else if (!rows.length) toStdout('No runs.');
        else
          toStdout(
            table(
              ['workflow', 'status', 'state', 'servers', 'batch', 'started'],
              rows.map((row) => [row.workflow_id, row.status, row.state ?? '-', row.servers.join(', '), row.batch_id ?? '-', row.start_time]),
            ),
          );
      });
    });
}
