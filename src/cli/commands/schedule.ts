/**
 * `mcpflow schedule ...`: Temporal Schedules that refresh a session's tool catalog on an
 * interval or a cron expression; each run reports what changed (see `schedule describe`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BatchFileError, parseBatchFile } from '../../client/batch-file';
import { defaultScheduleId, formatMs, InvalidScheduleSpecError, MAX_SCHEDULED_BATCH_BYTES, type ScheduleDetails } from '../../client/schedules';
import { jsonBytes } from '../../core/payload-size';
import type { BatchResult } from '../../../workflows/batch/messages';
import { commandContext, withClient } from '../context';
import { UsageError } from '../errors';
import { jsonOption, modelOption, modeOption, parseDuration, parsePositiveInt, serverOption } from '../options';
import { requireServers, runOptions, serversFrom } from '../servers';
import { printJson, table, toStdout } from '../output';
import { describeRefresh } from './session';

interface CreateFlags {
  session?: string;
  batch?: string;
  server?: string[];
  mode?: 'hosted' | 'direct';
  model?: string;
  concurrency: number;
  maxFailures?: number;
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
    .description('Refresh a session\'s tools (--session) or run a batch file (--batch) on an interval (--every 10m) or a cron expression (--cron "0 * * * *")')
    .option('--session <id>', 'the session to refresh (mcpflow session start <id>)')
    .option('--batch <file>', 'a batch file (as for `batch run`), kept in the schedule: each run is a new batch of it')
    .addOption(serverOption('with --batch'))
    .addOption(modeOption('with --batch, for lines without their own'))
    .addOption(modelOption('with --batch'))
    .option('--concurrency <n>', 'with --batch: lines running at once', parsePositiveInt, 10)
    .option('--max-failures <n>', 'with --batch: stop a run after this many failed lines', parsePositiveInt)
    .option('--every <duration>', 'interval, e.g. 30s, 10m, 1h', parseDuration)
    .option('--cron <expression>', 'cron expression, e.g. "0 */6 * * *"')
    .option('--id <scheduleId>', 'schedule id (default mcpflow-refresh-<session>)')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .addOption(jsonOption())
    .action(async (flags: CreateFlags, command: Command) => {
      if ((flags.every === undefined) === (flags.cron === undefined)) throw new UsageError('give exactly one of --every <duration> and --cron <expression>');
      if ((flags.session === undefined) === (flags.batch === undefined)) throw new UsageError('give exactly one of --session <id> and --batch <file>');
      if (flags.batch) return createBatchSchedule(flags.batch, flags, command);
      const sessionId = flags.session!;
      await withClient(commandContext(command), async (client) => {
        // A schedule for anything but a running session would fail on every run.
        await client.sessions.requireRunningSession(sessionId);
        const scheduleId = await refusedSpecIsUsage(flags, () =>
          client.schedules.createRefresh({
            sessionId,
            ...(flags.id ? { scheduleId: flags.id } : {}),
            ...(flags.every !== undefined ? { everyMs: flags.every } : { cron: flags.cron! }),
            ...(flags.paused ? { paused: true } : {}),
            ...(flags.note ? { note: flags.note } : {}),
          }),
        );
        if (flags.json) return printJson({ schedule_id: scheduleId, session_id: sessionId });
        toStdout(
          `Created schedule ${scheduleId}: refreshes session ${sessionId} ${flags.every !== undefined ? `every ${formatMs(flags.every)}` : `on "${flags.cron}"`}`,
        );
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
        toStdout(
          table(
            ['schedule', 'workflow', 'spec', 'paused', 'next run', 'last run'],
            rows.map((row) => [
              row.schedule_id,
              row.workflow_type ?? '-',
              row.spec,
              row.paused ? `yes${row.note ? ` (${row.note})` : ''}` : 'no',
              row.next_run ?? '-',
              row.last_run ?? '-',
            ]),
          ),
        );
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
    ['trigger', "Run a schedule's action now"],
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
  const batch = details.workflow_type === 'runBatch';
  toStdout(
    `Schedule ${details.schedule_id}: ${details.workflow_type ?? '?'}${batch ? '' : ` for session ${details.session_id ?? '?'}`}, ${details.spec}${details.paused ? `, PAUSED${details.note ? ` (${details.note})` : ''}` : ''}`,
  );
  toStdout(`task queue ${details.task_queue ?? '?'}; ${details.actions_taken} runs so far; next run ${details.next_run ?? '-'}`);
  if (!details.recent_runs.length) return;
  toStdout(
    table(
      ['run', 'scheduled at', 'status', batch ? 'lines' : 'what changed'],
      details.recent_runs.map((run) => [
        run.workflow_id,
        run.scheduled_at,
        run.status,
        run.result ? (batch ? describeBatchRun(run.result) : describeRefresh(run.result)) : (run.error ?? '-'),
      ]),
    ),
  );
}

/** A scheduled batch run's result (the schedule API reads every result as a refresh's, so the shape is checked here). */
function describeBatchRun(result: unknown): string {
  const progress = (result as Partial<BatchResult>).progress;
  return progress ? `${progress.succeeded} ok, ${progress.failed} failed of ${progress.total}` : '-';
}

/** The whole file goes into the Schedule's action input (see ScheduleApi.createBatch): checked now, like `batch run`. */
async function createBatchSchedule(file: string, flags: CreateFlags, command: Command): Promise<void> {
  const context = commandContext(command);
  const servers = requireServers(serversFrom(context, flags.server));
  let parsed;
  try {
    parsed = parseBatchFile(
      file,
      fs.readFileSync(file, 'utf8'),
      servers.map((server) => server.label),
    );
  } catch (error) {
    if (error instanceof BatchFileError) throw new UsageError(`${error.message}\nNo schedule was created.`);
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const bytes = jsonBytes(parsed.lines);
  if (bytes > MAX_SCHEDULED_BATCH_BYTES) {
    throw new UsageError(
      `${file}: ${bytes} bytes of queries; a scheduled batch keeps its file in the Schedule and takes at most ${MAX_SCHEDULED_BATCH_BYTES}: split it, or use \`mcpflow batch run\``,
    );
  }
  const scheduleId = flags.id ?? `mcpflow-batch-${parsed.sha256.slice(0, 16)}`;
  await withClient(context, async (client) => {
    await refusedSpecIsUsage(flags, () =>
      client.schedules.createBatch({
        scheduleId,
        ...(flags.every !== undefined ? { everyMs: flags.every } : { cron: flags.cron! }),
        ...(flags.paused ? { paused: true } : {}),
        ...(flags.note ? { note: flags.note } : {}),
        input: {
          total: parsed.lines.length,
          servers,
          ...runOptions(context, flags),
          concurrency: flags.concurrency,
          source: path.basename(file),
          lines: parsed.lines,
          ...(flags.maxFailures !== undefined ? { max_failures: flags.maxFailures } : {}),
        },
      }),
    );
    if (flags.json) return printJson({ schedule_id: scheduleId, batch: file, lines: parsed.lines.length });
    toStdout(
      `Created schedule ${scheduleId}: runs the ${parsed.lines.length} queries of ${file} ${flags.every !== undefined ? `every ${formatMs(flags.every)}` : `on "${flags.cron}"`} (the file is kept in the schedule)`,
    );
    toStdout(`Each run is a batch (${scheduleId}-run-<time>): mcpflow batch progress <run id>; runs: mcpflow schedule describe ${scheduleId}`);
  });
}

/** Temporal checks a cron expression only when the Schedule is created: its refusal is bad usage of the flag. */
async function refusedSpecIsUsage<T>(flags: CreateFlags, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof InvalidScheduleSpecError)) throw error;
    throw new UsageError(`${flags.cron !== undefined ? `--cron "${flags.cron}"` : '--every'}: ${error.message}`);
  }
}
