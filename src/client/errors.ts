/**
 * Errors the client API throws instead of the SDK's, each with a message a user can act on.
 * The CLI maps each class to an exit code (src/cli/errors.ts).
 */
import { ScheduleNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { McpflowError } from '../core/mcpflow-error';

/** gRPC status codes (not importing @grpc/grpc-js: it is the SDK's dependency, not ours). */
const GRPC_CANCELLED = 1;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

/** The Temporal frontend did not answer. */
export class TemporalUnreachableError extends McpflowError {
  constructor(
    readonly address: string,
    detail?: string,
  ) {
    super(`cannot reach Temporal at ${address}: start it with \`mcpflow server\` or set TEMPORAL_ADDRESS${detail ? ` (${detail})` : ''}`);
  }
}

/** No workflow or schedule with that id (in this namespace). */
export class NotFoundError extends McpflowError {
  constructor(
    readonly kind: 'workflow' | 'schedule' | 'namespace',
    readonly id: string,
    namespace?: string,
  ) {
    super(
      kind === 'namespace'
        ? `namespace "${id}" does not exist on this Temporal server: check --namespace or TEMPORAL_NAMESPACE`
        : `no ${kind} with id "${id}"${namespace ? ` in namespace ${namespace}` : ''}: check the id (${kind === 'workflow' ? 'mcpflow query prints it' : 'mcpflow schedule list shows them'})`,
    );
  }
}

/** The workflow refused an update (its validator said why, e.g. an unknown approval id). */
export class UpdateRejectedError extends McpflowError {}

/** The workflow exists but is not the kind the command works on (e.g. `export` of a runQuery). */
export class WrongWorkflowTypeError extends McpflowError {}

/** A query a run cannot answer: it ended (e.g. its input was refused) before registering its handlers. */
export class RunEndedError extends McpflowError {}

/** A query got no answer: no worker polls the workflow's task queue. */
export class NoWorkerError extends McpflowError {
  constructor(
    readonly workflowId: string,
    readonly taskQueue: string | undefined,
  ) {
    super(
      `workflow ${workflowId} did not answer: no worker is polling task queue ${taskQueue ?? '(unknown)'}; start one with \`mcpflow worker\` (or \`mcpflow dev\`)`,
    );
  }
}

/**
 * A worker polls, but fails every workflow task of this run (e.g. it lacks the key the run's
 * input is encrypted with), so the run answers nothing: the same exit code as no worker at all,
 * with what the worker's log says. Not a NoWorkerError: waiting for a worker to come would not help.
 */
export class WorkflowTaskFailingError extends McpflowError {
  constructor(
    readonly workflowId: string,
    readonly taskQueue: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Temporal refused a request for its size or load: a payload or gRPC message over its limit
 * (2 MiB / 4 MiB), or too many updates in flight on one workflow (10). Not a missing worker.
 */
export class LimitExceededError extends McpflowError {}

/** The workflow did not accept an update in time although workers poll its task queue. */
export function busyWorkflowError(workflowId: string, taskQueue: string | undefined): LimitExceededError {
  return new LimitExceededError(
    `workflow ${workflowId} did not accept the update in time although a worker polls task queue ${taskQueue ?? '(unknown)'}: ` +
      'it may have too many updates in flight (Temporal allows 10 per workflow) or be failing its workflow tasks (see the Web UI); try again later',
  );
}

function grpcError(error: unknown, codes: number[]): (Error & { code: number }) | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (isGrpcServiceError(current) && codes.includes(current.code)) return current as Error & { code: number };
  }
  return undefined;
}

const SIZE_WORDS = /size limit|too large|exceeds|larger than max|message length/i;

/** RESOURCE_EXHAUSTED, or a blob / message size refusal (INVALID_ARGUMENT naming a size), as one clear error. */
export function limitErrorFrom(error: unknown, id?: string): LimitExceededError | undefined {
  const grpc = grpcError(error, [GRPC_RESOURCE_EXHAUSTED, GRPC_INVALID_ARGUMENT]);
  const text = grpc ? grpc.message : error instanceof Error ? error.message : '';
  const sized = SIZE_WORDS.test(text) || (error instanceof Error && error.cause instanceof Error && SIZE_WORDS.test(error.cause.message));
  if (!grpc && !sized) return undefined;
  if (grpc?.code === GRPC_INVALID_ARGUMENT && !sized) return undefined;
  const what = error instanceof Error && error.message !== text ? `${error.message}: ` : '';
  const detail = `${what}${text}`.replace(/^\d+ [A-Z_]+: /, '').slice(0, 300);
  return new LimitExceededError(
    sized
      ? `Temporal refused ${id ? `the request for ${id}` : 'the request'}: it is too large (${detail}); shorten the query or its inputs (a payload may be at most 2 MiB)`
      : `Temporal is overloaded or a limit was reached${id ? ` for ${id}` : ''} (${detail}); try again later`,
  );
}

/**
 * Whether `error`, or an error in its `cause` chain, is a gRPC error with `code`: the SDK wraps
 * them (ServiceError('Failed to query Workflow', { cause }), WorkflowUpdateRPCTimeoutOrCancelledError).
 */
function hasGrpcCode(error: unknown, code: number): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (isGrpcServiceError(current) && current.code === code) return true;
  }
  return false;
}

export function isUnavailable(error: unknown): boolean {
  return hasGrpcCode(error, GRPC_UNAVAILABLE);
}

/**
 * FAILED_PRECONDITION on a query or update: the server would not deliver it, because no poller
 * was seen on the task queue recently or the run's workflow task is failing.
 */
export function isFailedPrecondition(error: unknown): boolean {
  return hasGrpcCode(error, GRPC_FAILED_PRECONDITION);
}

export function isDeadlineExceeded(error: unknown): boolean {
  return hasGrpcCode(error, GRPC_DEADLINE_EXCEEDED);
}

/**
 * A call given `deadline` ran out of time: DEADLINE_EXCEEDED from the client, or CANCELLED from
 * the server, which receives the deadline too and sometimes gives up a moment before the client.
 */
export function isTimeout(error: unknown, deadline: number): boolean {
  return isDeadlineExceeded(error) || (hasGrpcCode(error, GRPC_CANCELLED) && Date.now() >= deadline - 1_000);
}

/** Turns the SDK's errors into the ones above; anything else passes through unchanged. */
export function translateError(error: unknown, context: { id?: string; namespace?: string; address?: string }): unknown {
  if (error instanceof WorkflowNotFoundError) return new NotFoundError('workflow', context.id ?? error.workflowId, context.namespace);
  if (error instanceof ScheduleNotFoundError) return new NotFoundError('schedule', context.id ?? error.scheduleId, context.namespace);
  if (error instanceof NamespaceNotFoundError) return new NotFoundError('namespace', error.namespace);
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new UpdateRejectedError(`rejected by workflow ${context.id ?? ''}: ${cause}`.replace(/ {2,}/g, ' '));
  }
  if (isUnavailable(error) && context.address) return new TemporalUnreachableError(context.address, (error as Error).message);
  return limitErrorFrom(error, context.id) ?? error;
}
