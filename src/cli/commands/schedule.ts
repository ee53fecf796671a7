/**
 * `mcpflow schedule ...`: Temporal Schedules that refresh a session's tool catalog on an
 * interval or a cron expression; each run reports what changed (see `schedule describe`).
 */
import type { Command } from 'commander';
import { defaultScheduleId, formatMs, type ScheduleDetails } from '../../client/schedules';
import { commandContext, withClient } from '../context';
import { UsageError } from '../errors';
import { jsonOption, parseDuration } from '../options';
import { printJson, table, toStdout } from '../output';
import { describeRefresh } from './session';

interface CreateFlags {
  session: string;
  every?: number;
  cron?: string;
  id?: string;
  paused?: boolean;
  note?: string;
  json: boolean;
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program.command('schedule').description("Scheduled refreshes of a session's tools (Temporal Schedules)");

  schedule
    .command('create')
    .description('Refresh a session\'s tools on an interval (--every 10m) or a cron expression (--cron "0 * * * *")')
    .requiredOption('--session <id>', 'the session to refresh (mcpflow session start <id>)')
    .option('--every <duration>', 'interval, e.g. 30s, 10m, 1h', parseDuration)
    .option('--cron <expression>', 'cron expression, e.g. "0 */6 * * *"')
    .option('--id <scheduleId>', 'schedule id (default mcpflow-refresh-<session>)')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .addOption(jsonOption())
    .action(async (flags: CreateFlags, command: Command) => {
      if ((flags.every === undefined) === (flags.cron === undefined)) throw new UsageError('give exactly one of --every <duration> and --cron <expression>');
      await withClient(commandContext(command), async (client) => {
        // A schedule for anything but a running session would fail on every run.
        await client.sessions.requireRunningSession(flags.session);
        const scheduleId = await client.schedules.createRefresh({
          sessionId: flags.session,
          ...(flags.id ? { scheduleId: flags.id } : {}),
          ...(flags.every !== undefined ? { everyMs: flags.every } : { cron: flags.cron! }),
          ...(flags.paused ? { paused: true } : {}),
          ...(flags.note ? { note: flags.note } : {}),
        });
        if (flags.json) return printJson({ schedule_id: scheduleId, session_id: flags.session });
        toStdout(`Created schedule ${scheduleId}: refreshes session ${flags.session} ${flags.every !== undefined ? `every ${formatMs(flags.every)}` : `on "${flags.cron}"`}`);
        toStdout(`See its runs: mcpflow schedule describe ${scheduleId}`);
      });
    });

  schedule
    .command('list')
    .description('List schedules')
    .addOption(jsonOption())
    .action(async (flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const rows = await client.schedules.list();
        if (flags.json) return printJson(rows);
        if (!rows.length) return toStdout('No schedules. Create one: mcpflow schedule create --session <id> --every 10m');
        toStdout(table(['schedule', 'workflow', 'spec', 'paused', 'next run', 'last run'], rows.map((row) => [row.schedule_id, row.workflow_type ?? '-', row.spec, row.paused ? `yes${row.note ? ` (${row.note})` : ''}` : 'no', row.next_run ?? '-', row.last_run ?? '-'])));
      });
    });

  schedule
    .command('describe')
    .description('Show a schedule and its recent runs with what each refresh found')
    .argument('<scheduleId>', `the schedule id (e.g. ${defaultScheduleId('my-session')})`)
    .addOption(jsonOption())
    .action(async (scheduleId: string, flags: { json: boolean }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        const details = await client.schedules.describe(scheduleId);
        if (flags.json) return printJson(details);
        printDetails(details);
      });
    });

  for (const [verb, description] of [
    ['pause', 'Pause a schedule'],
    ['unpause', 'Resume a paused schedule'],
    ['trigger', 'Run a schedule\'s action now'],
    ['delete', 'Delete a schedule (its past runs stay in history)'],
  ] as const) {
    const sub = schedule.command(verb).description(description).argument('<scheduleId>', 'the schedule id');
    if (verb === 'pause' || verb === 'unpause') sub.option('--note <text>', 'why');
    sub.action(async (scheduleId: string, flags: { note?: string }, command: Command) => {
      await withClient(commandContext(command), async (client) => {
        if (verb === 'pause') await client.schedules.pause(scheduleId, flags.note);
        else if (verb === 'unpause') await client.schedules.unpause(scheduleId, flags.note);
        else if (verb === 'trigger') await client.schedules.trigger(scheduleId);
        else await client.schedules.delete(scheduleId);
        toStdout(`${verb === 'delete' ? 'Deleted' : verb === 'trigger' ? 'Triggered' : verb === 'pause' ? 'Paused' : 'Unpaused'} schedule ${scheduleId}`);
      });
    });
  }
}

function printDetails(details: ScheduleDetails): void {
  toStdout(`Schedule ${details.schedule_id}: ${details.workflow_type ?? '?'} for session ${details.session_id ?? '?'}, ${details.spec}${details.paused ? `, PAUSED${details.note ? ` (${details.note})` : ''}` : ''}`);
  toStdout(`task queue ${details.task_queue ?? '?'}; ${details.actions_taken} runs so far; next run ${details.next_run ?? '-'}`);
  if (!details.recent_runs.length) return;
  toStdout(
    table(
      ['run', 'scheduled at', 'status', 'what changed'],
      details.recent_runs.map((run) => [run.workflow_id, run.scheduled_at, run.status, run.result ? describeRefresh(run.result) : (run.error ?? '-')]),
    ),
  );
}
