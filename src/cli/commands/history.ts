/** `mcpflow history <id>`: the call records of a query or a session, filtered. */
import { Option, type Command } from 'commander';
import { CallStatusSchema, type HistoryFilter } from '../../core/records';
import { commandContext, withClient } from '../context';
import { jsonOption } from '../options';
import { callsTable, printJson, toStdout } from '../output';

interface HistoryFlags extends HistoryFilter {
  json: boolean;
}

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('Tool calls of a query or a session (its call history), optionally filtered by status, tool or server')
    .argument('<workflowId>', 'a query or session id')
    .addOption(new Option('--status <status>', 'only calls with this status').choices(CallStatusSchema.options))
    .option('--tool <name>', 'only calls of this tool')
    .option('--server <label>', 'only calls to this server')
    .addOption(jsonOption())
    .action(async (workflowId: string, flags: HistoryFlags, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const filter: HistoryFilter = {
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.tool ? { tool: flags.tool } : {}),
          ...(flags.server ? { server: flags.server } : {}),
        };
        const calls = await client.history(workflowId, filter);
        if (flags.json) return printJson(calls);
        if (!calls.length) return toStdout(`No calls${Object.keys(filter).length ? ' match the filter' : ''}.`);
        toStdout(callsTable(calls));
      });
    });
}
