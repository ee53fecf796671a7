/** `mcpflow discover`: lists the tools of every server (one durable discoverTools run). */
import type { Command } from 'commander';
import type { DiscoveryResult } from '../../../workflows/messages';
import { commandContext, withClient } from '../context';
import { SilentFailure } from '../errors';
import { jsonOption, modelOption, modeOption, serverOption } from '../options';
import { catalogTable, printJson, table, toStderr, toStdout } from '../output';
import { requireServers, runOptions, serversFrom } from '../servers';

interface DiscoverFlags {
  server?: string[];
  mode?: 'hosted' | 'direct';
  model?: string;
  json: boolean;
}

export function registerDiscoverCommand(program: Command): void {
  program
    .command('discover')
    .description('List the tools of the MCP servers (config file and --server), as a durable workflow')
    .addOption(serverOption())
    .addOption(modeOption())
    .addOption(modelOption('for hosted listing'))
    .addOption(jsonOption())
    .action(async (flags: DiscoverFlags, command: Command) => {
      const context = commandContext(command);
      const servers = requireServers(serversFrom(context, flags.server));
      await withClient(context, async (client) => {
        // Without a worker the run waits in Temporal forever: say so once it takes a while.
        const slow = setTimeout(() => {
          void client.workerPolling().then((polling) => {
            if (polling === false)
              toStderr(`waiting for a worker on task queue ${client.taskQueue}: start \`mcpflow worker\` or \`mcpflow dev\` (Ctrl-C stops waiting)`);
          });
        }, WAITING_HINT_AFTER_MS);
        const { workflow_id, result } = await client.discover({ servers, ...discoveryOptions(runOptions(context, flags)) }).finally(() => clearTimeout(slow));
        const allFailed = result.servers.length > 0 && result.servers.every((server) => server.status === 'error');
        if (flags.json) {
          printJson({ workflow_id, ...result });
        } else {
          printDiscovery(result);
          const ui = context.uiUrl(workflow_id);
          toStdout(`Workflow ${workflow_id}${ui ? `: ${ui}` : ''}`);
        }
        // Nothing could be listed: a script must not read this as success.
        if (allFailed) {
          toStderr(`mcpflow: every server failed to list its tools (${result.servers.map((server) => server.label).join(', ')})`);
          throw new SilentFailure();
        }
      });
    });
}

const WAITING_HINT_AFTER_MS = 3_000;

export function printDiscovery(result: DiscoveryResult, print: (line: string) => void = toStdout): void {
  print(
    table(
      ['server', 'status', 'tools', 'attempts', 'error'],
      result.servers.map((server) => [
        server.label,
        server.status,
        server.tool_count,
        server.attempts,
        server.error ? `${server.error.type}: ${server.error.message}` : '',
      ]),
    ),
  );
  print(catalogTable(result.catalog));
  const { added, removed, changed } = result.diff;
  if (removed.length || changed.length) print(`Changes: ${added.length} added, ${removed.length} removed, ${changed.length} changed`);
}

/** Discovery has no tool cache of its own: the TTL belongs to queries and sessions. */
function discoveryOptions({ cache_ttl_ms: _ttl, price: _price, ...options }: ReturnType<typeof runOptions>) {
  return options;
}
