/** `mcpflow export <sessionId>`: a session's servers, call history, results, errors and statistics, as JSON. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { printJson } from '../output';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('Export a session: call history, results, errors and statistics (JSON)')
    .argument('<sessionId>', 'the session workflow id')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (sessionId: string, flags: { output?: string }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const exported = await client.sessions.export(sessionId);
        if (flags.output) {
          writeFileSync(flags.output, `${JSON.stringify(exported, null, 2)}\n`);
          process.stderr.write(`Wrote ${flags.output} (${exported.call_history.length} calls, ${exported.results.length} results)\n`);
        } else printJson(exported);
      });
    });
}
