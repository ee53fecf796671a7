/** `mcpflow catalog <id>`: the tools a query or session knows, per server. */
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { jsonOption } from '../options';
import { catalogTable, printJson, toStdout } from '../output';

export function registerCatalogCommand(program: Command): void {
  program
    .command('catalog')
    .description('The tool catalog of a query or a session (tools, parameters, read-only hints)')
    .argument('<workflowId>', 'a query or session id')
    .addOption(jsonOption())
    .action(async (workflowId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const catalog = await client.catalog(workflowId);
        if (flags.json) printJson(catalog);
        else toStdout(catalogTable(catalog));
      });
    });
}
