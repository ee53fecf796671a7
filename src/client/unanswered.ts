/**
 * Why a run does not answer a query or accept an update, read from Temporal's own state (the
 * task queue's pollers, the run's pending workflow task, its last workflow-task failure, the key
 * id on its input) and from gRPC status codes, never from an error's text:
 *
 * - no worker polls the run's task queue (none ever did, or the last poll is too old) → NoWorkerError;
 * - a worker polls but fails every workflow task of the run, e.g. it lacks the key the run's
 *   input is encrypted with → WorkflowTaskFailingError, with what the worker reported and the fix.
 *
 * The first is checked before a query or an update is sent, so that a missing worker is told at
 * once rather than after the 10 s deadline; both are checked again when one fails.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError, optionalTsToMs } from '../codec/sdk-internals';
import { temporal } from '@temporalio/proto';
import { KEY_FILE_ENV, KEYS_ENV } from '../codec/keys';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../codec/aes-gcm-codec';
import type { McpflowClient } from './client';
import { busyWorkflowError, isFailedPrecondition, isTimeout, NoWorkerError, WorkflowTaskFailingError } from './errors';

const EventType = temporal.api.enums.v1.EventType;
const PendingState = temporal.api.enums.v1.PendingWorkflowTaskState;

/**
 * A live worker re-polls at least once a long poll (about a minute); the server forgets a poller
 * 5 minutes after its last poll. A poller last seen longer ago than this is a worker that is gone.
 */
export const LIVE_POLLER_MS = 90_000;
/** No poller listed: looked at again this often, this many times (1.5 s), before saying there is no worker. */
const NEW_WORKER_LOOKS = 3;
const NEW_WORKER_LOOK_MS = 500;
/** After a live poller was seen for a run, queries and updates to it skip the check this long. */
const LIVE_CACHE_MS = 30_000;
/** A workflow task nobody started for this long, while an update waited, means no worker takes tasks. */
const UNSTARTED_TASK_MS = 5_000;

const liveSeen = new WeakMap<McpflowClient, Map<string, number>>();

/** How many pollers of the task queue's workflow tasks polled recently; undefined when the server would not say. */
export async function livePollers(client: McpflowClient, taskQueue: string, deadline = Date.now() + 10_000): Promise<number | undefined> {
  try {
    const response = await client.connection.withDeadline(deadline, () =>
      client.connection.workflowService.describeTaskQueue({
        namespace: client.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    const now = Date.now();
    return (response.pollers ?? []).filter((poller) => now - (optionalTsToMs(poller.lastAccessTime) ?? 0) < LIVE_POLLER_MS).length;
  } catch {
    return undefined;
  }
}

async function rawDescription(client: McpflowClient, workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
  return client
    .handle(workflowId)
    .describe()
    .catch(() => undefined);
}

/**
 * Before a query or an update: NoWorkerError when nobody polls the run's task queue, so that the
 * caller is not kept waiting for a deadline. Anything unknown (describe refused) lets the call go.
 */
export async function assertWorkerPolls(client: McpflowClient, workflowId: string, kind: 'query' | 'update'): Promise<void> {
  const seen = liveSeen.get(client) ?? new Map<string, number>();
  liveSeen.set(client, seen);
  // A watch polls the same run every second: no two extra calls each time.
  if (Date.now() - (seen.get(workflowId) ?? 0) < LIVE_CACHE_MS) return;
  const description = await rawDescription(client, workflowId);
  // A closed run refuses an update without a worker (the caller says so); a query still needs one.
  if (!description || (kind === 'update' && description.status.name !== 'RUNNING')) return;
  const taskQueue = description.taskQueue;
  let live = await livePollers(client, taskQueue);
  // A worker that has just started is listed once its first poll arrives: look again briefly.
  for (let look = 0; live === 0 && look < NEW_WORKER_LOOKS; look++) {
    await new Promise((resolve) => setTimeout(resolve, NEW_WORKER_LOOK_MS));
    live = await livePollers(client, taskQueue);
  }
  if (live === 0) throw new NoWorkerError(workflowId, taskQueue);
  if (live === undefined) return;
  // A long-lived client asks about many runs: keep only the entries that still count.
  if (seen.size >= 1_000) for (const [id, at] of seen) if (Date.now() - at >= LIVE_CACHE_MS) seen.delete(id);
  seen.set(workflowId, Date.now());
}

interface FailingTask {
  attempt: number;
  message: string;
  /** The error class the worker reported (the first word of its stack trace), e.g. PayloadDecryptionError. */
  errorClass: string | undefined;
}

/** The run's workflow task is failing: its latest workflow-task event is a failure (later attempts are not written to history). */
async function failingWorkflowTask(client: McpflowClient, workflowId: string, description: WorkflowExecutionDescription): Promise<FailingTask | undefined> {
  // A failing task is retried as attempt 2, 3…; one failure followed by a good attempt is not failing.
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? 1;
  if (attempt < 2) return undefined;
  const response = await client.connection.workflowService
    .getWorkflowExecutionHistoryReverse({ namespace: client.namespace, execution: { workflowId }, maximumPageSize: 50 })
    .catch(() => undefined);
  for (const event of response?.history?.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return undefined;
    if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    const failure = event.workflowTaskFailedEventAttributes?.failure;
    // Decoded as the client decodes any failure: an encrypting worker's message is ciphertext in history.
    const decoded = await decodeOptionalFailureToOptionalError(client.temporal.options.loadedDataConverter, failure).catch(() => undefined);
    const stack = decoded?.stack ?? failure?.stackTrace ?? '';
    return {
      attempt,
      message: (decoded?.message ?? failure?.message ?? 'no message').slice(0, 400),
      errorClass: /^([A-Za-z_$][\w$]*)\b/.exec(stack)?.[1],
    };
  }
  return undefined;
}

/** The key id the run's input is encrypted with (the codec's payload metadata), if it is. */
async function inputKeyId(client: McpflowClient, workflowId: string): Promise<string | undefined> {
  const response = await client.connection.workflowService
    .getWorkflowExecutionHistory({ namespace: client.namespace, execution: { workflowId }, maximumPageSize: 1 })
    .catch(() => undefined);
  const payload = response?.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
  if (text(payload?.metadata?.encoding) !== ENCRYPTED_ENCODING) return undefined;
  return text(payload?.metadata?.[KEY_ID_METADATA]);
}

function failingTaskError(workflowId: string, taskQueue: string, task: FailingTask, keyId: string | undefined): WorkflowTaskFailingError {
  const head = `workflow ${workflowId} cannot run: a worker polls task queue ${taskQueue} but fails its workflow task (attempt ${task.attempt}): ${task.message}`;
  const keyProblem = keyId !== undefined && (task.errorClass === 'PayloadDecryptionError' || task.message.includes(`"${keyId}"`));
  const fix = keyProblem
    ? `. Its input is encrypted with key "${keyId}", which that worker lacks: give every worker on ${taskQueue} that key (${KEYS_ENV}=${keyId}:<key>,… or ${KEY_FILE_ENV}) and restart them; the run then resumes`
    : `${keyId ? ` (its input is encrypted with key "${keyId}")` : ''}; the worker's log has the details: fix the worker and restart it, the run then resumes`;
  return new WorkflowTaskFailingError(workflowId, taskQueue, `${head}${fix}`);
}

/**
 * The error to throw for a query or update that failed with `error`: the run's workflow task is
 * failing, or no worker polls, or (updates) a worker polls but takes too long. Undefined when
 * `error` is none of these (a timeout or FAILED_PRECONDITION) and should be thrown as it is.
 */
export async function whyUnanswered(
  client: McpflowClient,
  workflowId: string,
  kind: 'query' | 'update',
  error: unknown,
  deadline: number,
): Promise<Error | undefined> {
  const timedOut = isTimeout(error, deadline);
  const refused = isFailedPrecondition(error);
  if (!timedOut && !refused) return undefined;
  const description = await rawDescription(client, workflowId);
  if (!description) return new NoWorkerError(workflowId, undefined);
  const taskQueue = description.taskQueue;
  const failing = await failingWorkflowTask(client, workflowId, description);
  if (failing) return failingTaskError(workflowId, taskQueue, failing, await inputKeyId(client, workflowId));
  liveSeen.get(client)?.delete(workflowId);
  // For a query, the server's FAILED_PRECONDITION without a failing task is "no poller seen recently".
  if (kind === 'query') return new NoWorkerError(workflowId, taskQueue);
  if ((await livePollers(client, taskQueue)) === 0) return new NoWorkerError(workflowId, taskQueue);
  if (refused) return undefined;
  // A worker seems to poll: if the update's workflow task was never started, it is gone nevertheless.
  const pending = description.raw.pendingWorkflowTask;
  const scheduledAt = optionalTsToMs(pending?.scheduledTime);
  if (pending?.state === PendingState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED && scheduledAt !== undefined && Date.now() - scheduledAt > UNSTARTED_TASK_MS) {
    return new NoWorkerError(workflowId, taskQueue);
  }
  return busyWorkflowError(workflowId, taskQueue);
}
