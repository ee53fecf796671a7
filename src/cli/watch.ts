/**
 * Live progress of a running query: polls the `progress` query and prints only events newer
 * than the last one seen (a callback per tool call and per retry, read from outside), reads activity retries
 * from the workflow's pending activities (the workflow cannot see them), and handles each
 * pending approval once: asked on a terminal, else the command to run is printed.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { McpflowClient } from '../client/client';
import { NotFoundError, NoWorkerError, UpdateRejectedError } from '../client/errors';
import type { PendingRetry } from '../client/retries';
import type { PendingApproval, ProgressEvent } from '../../workflows/messages';
import type { ApprovalDecision } from './prompt';

export interface WatchOptions {
  /** Where progress lines go (stdout for people, stderr next to --json). */
  print: (line: string) => void;
  /** Asks a person; absent = print the approve/deny commands instead. */
  ask?: (approval: PendingApproval, signal: AbortSignal) => Promise<ApprovalDecision | undefined>;
  pollMs?: number;
  /** Time to wait for a workflow that does not exist yet (a session's child query). */
  appearTimeoutMs?: number;
  /** Which progress events to print (default: all but approval requests, which get fuller lines). */
  showEvent?: (event: ProgressEvent) => boolean;
}

const EVENT_MARKS: Record<ProgressEvent['kind'], string> = {
  state: '·',
  discovery: '◆',
  tool_call: '→',
  approval_request: '?',
  approval_answer: '✓',
  error: '!',
};

export function formatEvent(event: ProgressEvent): string {
  return `${EVENT_MARKS[event.kind]} ${event.message}`;
}

export function formatRetry(retry: PendingRetry, now = Date.now()): string {
  const delayMs = retry.next_attempt_at ? Math.max(0, Date.parse(retry.next_attempt_at) - now) : null;
  const delay = delayMs === null ? '' : ` in ${(delayMs / 1000).toFixed(1)} s`;
  const what = retry.last_failure_type ?? 'an error';
  return `↻ retrying (attempt ${retry.attempt}) after ${what}${delay}: ${retry.activity_type}${retry.last_failure_message ? ` — ${retry.last_failure_message}` : ''}`;
}

export function approvalHint(workflowId: string, approval: PendingApproval): string[] {
  return [
    `? ${approval.server} · ${approval.tool} ${JSON.stringify(approval.arguments)} waits for approval. Answer it with:`,
    ...(approval.schema_problems?.length ? [`  ! the arguments do not match the tool's input schema: ${approval.schema_problems.join('; ')}`] : []),
    ...(approval.approvers?.length ? [`  only ${approval.approvers.join(', ')} may decide it`] : []),
    `    mcpflow approve ${workflowId} ${approval.id}`,
    `    mcpflow deny ${workflowId} ${approval.id} --reason "..."`,
  ];
}

/** Watches until `done` settles; never throws for a finished or vanished run. */
export async function watchQuery(client: McpflowClient, workflowId: string, done: Promise<unknown>, options: WatchOptions): Promise<void> {
  const pollMs = options.pollMs ?? 400;
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  let lastSeq = 0;
  const seenRetries = new Set<string>();
  const handledApprovals = new Set<string>();
  const appearDeadline = Date.now() + (options.appearTimeoutMs ?? 30_000);
  let noWorkerHinted = false;

  const printNewEvents = (events: ProgressEvent[], pending: PendingApproval[] = []) => {
    for (const event of events) {
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      // A pending approval gets its own, fuller lines below; one answered between two polls
      // (another terminal was quicker) still shows that it waited.
      const fullerLines = event.kind === 'approval_request' && pending.some((approval) => event.message.endsWith(`(${approval.id})`));
      if (!fullerLines && (options.showEvent?.(event) ?? true)) options.print(formatEvent(event));
    }
  };

  while (!finished) {
    try {
      const progress = await client.progress(workflowId);
      printNewEvents(progress.events, progress.pending_approvals);
      for (const retry of await client.pendingRetries(workflowId)) {
        const key = `${retry.activity_id}#${retry.attempt}`;
        if (seenRetries.has(key)) continue;
        seenRetries.add(key);
        options.print(formatRetry(retry));
      }
      for (const approval of progress.pending_approvals) {
        if (handledApprovals.has(approval.id)) continue;
        handledApprovals.add(approval.id);
        await handleApproval(client, workflowId, approval, done, options);
      }
    } catch (error) {
      const notYet = error instanceof NotFoundError && Date.now() < appearDeadline;
      if (error instanceof NoWorkerError && !finished && !noWorkerHinted) {
        // Once: the query waits in Temporal until a worker comes, and so do we.
        noWorkerHinted = true;
        options.print(`… no worker is polling task queue ${error.taskQueue ?? '(unknown)'}: start \`mcpflow worker\` or \`mcpflow dev\` (still waiting)`);
      }
      if (!notYet && !(error instanceof NoWorkerError) && !finished) throw error;
    }
    await Promise.race([done.catch(() => undefined), delay(pollMs)]);
  }
  // What happened between the last poll and the end.
  try {
    printNewEvents((await client.progress(workflowId)).events);
  } catch {
    // The run is over; its result says the rest.
  }
}

async function handleApproval(
  client: McpflowClient,
  workflowId: string,
  approval: PendingApproval,
  done: Promise<unknown>,
  options: WatchOptions,
): Promise<void> {
  if (!options.ask) {
    for (const line of approvalHint(workflowId, approval)) options.print(line);
    options.print('  (waiting; Ctrl-C stops watching, the query keeps waiting in Temporal)');
    return;
  }
  const controller = new AbortController();
  // Stop asking when the run ends or someone else answers (another terminal, the Web UI, a timeout).
  const stillPending = setInterval(() => {
    client
      .progress(workflowId)
      .then((progress) => {
        if (!progress.pending_approvals.some((pending) => pending.id === approval.id)) controller.abort();
      })
      .catch(() => undefined);
  }, 1_000);
  void done.finally(() => controller.abort()).catch(() => undefined);
  try {
    const decision = await options.ask(approval, controller.signal);
    if (!decision) {
      options.print(`  ${approval.server} · ${approval.tool} was answered elsewhere`);
      return;
    }
    // Bound to what the prompt showed: a call that differs is refused by the workflow.
    const answer = {
      approval_request_id: approval.id,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(approval.call_hash ? { call_hash: approval.call_hash } : {}),
    };
    await (decision.approve ? client.approve(workflowId, answer) : client.deny(workflowId, answer));
  } catch (error) {
    if (error instanceof UpdateRejectedError) options.print(`  ${error.message}`);
    else throw error;
  } finally {
    clearInterval(stillPending);
  }
}
