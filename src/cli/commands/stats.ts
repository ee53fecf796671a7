/** `mcpflow stats [<id>]`: the statistics of a query or a session, with its error summary. */
import type { Command } from 'commander';
import { commandContext, withClient } from '../context';
import { UsageError } from '../errors';
import { jsonOption } from '../options';
import { printJson, statisticsTable, toStdout, truncate } from '../output';
import type { WorkflowStatistics } from '../../core/records';
import { tokensLine } from '../tokens-out';

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description(
      'Statistics of a query or a session: totals, success rate, durations, retries, tool usage, tokens and estimated cost, errors by type and the error summary',
    )
    .argument('[workflowId]', 'a query or session id (default: defaults.session_id of the config file)')
    .addOption(jsonOption())
    .action(async (workflowId: string | undefined, flags: { json: boolean }, command: Command) => {
      const context = commandContext(command);
      const id = workflowId ?? context.loaded.config.defaults.session_id;
      if (!id) throw new UsageError('give a workflow id (mcpflow stats <id>) or set defaults.session_id in mcpflow.config.json');
      await withClient(context, async (client) => {
        const stats = await client.stats(id);
        if (flags.json) printJson({ workflow_id: id, ...stats });
        else {
          toStdout(`Statistics of ${id}`);
          toStdout(statisticsTable(stats));
          toStdout(tokensLine(stats.tokens));
          const failedCalls = failedCallsLine(id, stats);
          if (failedCalls) toStdout(failedCalls);
          const errors = errorSummaryLines(stats);
          if (errors.length) toStdout(errors.join('\n'));
        }
      });
    });
}

/** Failed calls said in words under the table: a query that answered may still have had one. */
export function failedCallsLine(id: string, stats: Pick<WorkflowStatistics, 'failed_calls' | 'unknown_outcome_calls'>): string | undefined {
  if (!stats.failed_calls) return undefined;
  const unknown = stats.unknown_outcome_calls
    ? `, ${stats.unknown_outcome_calls} with an unknown outcome (a side effect sent and cut off: it may or may not have run; check the server before running it again)`
    : '';
  return `Failed tool calls: ${stats.failed_calls}${unknown}. See them with: mcpflow history ${id} --status failed`;
}

/** The error summary in words: how many, how many were retryable, and the last ones (newest last). */
export function errorSummaryLines(stats: Pick<WorkflowStatistics, 'error_summary'>): string[] {
  const summary = stats.error_summary;
  if (!summary.total_errors) return [];
  const byType = Object.entries(summary.by_type)
    .map(([type, count]) => `${type} ×${count}`)
    .join(', ');
  return [
    `Errors: ${summary.total_errors} (${byType}), ${summary.recoverable_count} of them retryable.`,
    ...(summary.last_errors.length ? ['Last errors:', ...summary.last_errors.map((error) => `  ${error.type}: ${truncate(error.message, 120)}`)] : []),
  ];
}
