/**
 * Exit codes scripts can rely on (documented in `mcpflow --help` and src/cli/README.md), and
 * the one-line message each error becomes: no stack traces for expected failures.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config/errors';
import { LimitExceededError, NoWorkerError, NotFoundError, RunEndedError, TemporalUnreachableError, WorkflowTaskFailingError } from '../client/errors';
import { McpflowError } from '../core/mcpflow-error';

export const ExitCode = {
  OK: 0,
  /** The query failed, or any other error. */
  FAILED: 1,
  /** Bad flags, arguments or configuration. */
  USAGE: 2,
  TEMPORAL_UNREACHABLE: 3,
  NOT_FOUND: 4,
  /** The workflow did not answer a query or an update: no worker polls its task queue, or the worker fails its workflow tasks. */
  NO_WORKER: 5,
  /** Temporal refused the request for its size or load (payload over 2 MiB, too many updates in flight). */
  LIMIT: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the query failed, or another error
  2  bad usage: unknown flag, bad value, invalid config file
  3  Temporal is unreachable (start it with \`mcpflow server\` or set TEMPORAL_ADDRESS)
  4  no workflow or schedule with that id
  5  no worker answered (none polls the task queue: start \`mcpflow worker\` or \`mcpflow dev\`;
     or the worker fails the run's workflow tasks, e.g. it lacks the run's encryption key: the message says which)
  6  Temporal refused the request for its size or load (a payload over 2 MiB, too many updates in flight)`;

/** Wrong input from the user that no flag parser caught (e.g. no servers given). */
export class UsageError extends McpflowError {}

/** A command that ran fine but whose outcome is a failure (e.g. the query failed): exit 1, message already shown. */
export class SilentFailure extends McpflowError {
  constructor(readonly exitCode: ExitCode = ExitCode.FAILED) {
    super('failed');
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  if (error instanceof SilentFailure) return error.exitCode;
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.USAGE;
  if (error instanceof TemporalUnreachableError) return ExitCode.TEMPORAL_UNREACHABLE;
  if (error instanceof NotFoundError) return ExitCode.NOT_FOUND;
  if (error instanceof NoWorkerError || error instanceof WorkflowTaskFailingError) return ExitCode.NO_WORKER;
  if (error instanceof LimitExceededError) return ExitCode.LIMIT;
  return ExitCode.FAILED;
}

/** What to print for an error, or undefined when it was already printed (commander, SilentFailure). */
export function messageFor(error: unknown): string | undefined {
  if (error instanceof CommanderError || error instanceof SilentFailure) return undefined;
  if (error instanceof Error) {
    // Unexpected errors keep their stack behind a switch, for bug reports.
    const known =
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof TemporalUnreachableError ||
      error instanceof NotFoundError ||
      error instanceof NoWorkerError ||
      error instanceof WorkflowTaskFailingError ||
      error instanceof LimitExceededError ||
      error instanceof RunEndedError;
    if (!known && process.env.MCPFLOW_DEBUG) return error.stack ?? error.message;
    return error.message;
  }
  return String(error);
}
