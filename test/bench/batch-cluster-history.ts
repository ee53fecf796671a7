/**
 * Who did a batch's work, read from its histories: every run of the continue-as-new chain, found
 * by walking back from the latest run through each run's `continuedExecutionRunId` (exact, and
 * not subject to the visibility store's delay), counted per worker identity.
 */
import type { Client } from '@temporalio/client';

export interface IdentityCounts {
  /** ActivityTaskStarted of a `runBatchLine` activity (one line run as an activity). */
  batchLineActivities: number;
  otherActivities: number;
  /** WorkflowTaskStarted of the batch workflow. */
  workflowTasks: number;
}

export interface ChainWork {
  runs: Array<{ run_id: string; status: string; history_events: number; history_bytes: number | null }>;
  byIdentity: Map<string, IdentityCounts>;
  /** runQuery children started by the batch (lines escalated because a person was needed). */
  children: number;
}

const BATCH_LINE_ACTIVITY = 'runBatchLine';

export async function chainWork(temporal: Client, batchId: string): Promise<ChainWork> {
  const work: ChainWork = { runs: [], byIdentity: new Map(), children: 0 };
  const countsOf = (identity: string): IdentityCounts => {
    let counts = work.byIdentity.get(identity);
    if (!counts) work.byIdentity.set(identity, (counts = { batchLineActivities: 0, otherActivities: 0, workflowTasks: 0 }));
    return counts;
  };
  let runId: string | undefined = (await temporal.workflow.getHandle(batchId).describe()).runId;
  while (runId) {
    const handle = temporal.workflow.getHandle(batchId, runId);
    const description = await handle.describe();
    work.runs.unshift({
      run_id: runId,
      status: description.status.name,
      history_events: description.historyLength,
      history_bytes: description.historySize ?? null,
    });
    const history = await handle.fetchHistory();
    const activityTypes = new Map<string, string>();
    let previous: string | undefined;
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) activityTypes.set(String(event.eventId), scheduled.activityType?.name ?? '');
      const activityStarted = event.activityTaskStartedEventAttributes;
      if (activityStarted?.identity) {
        const counts = countsOf(activityStarted.identity);
        if (activityTypes.get(String(activityStarted.scheduledEventId)) === BATCH_LINE_ACTIVITY) counts.batchLineActivities += 1;
        else counts.otherActivities += 1;
      }
      const workflowTaskStarted = event.workflowTaskStartedEventAttributes;
      if (workflowTaskStarted?.identity) countsOf(workflowTaskStarted.identity).workflowTasks += 1;
      if (event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name === 'runQuery') work.children += 1;
      previous ??= event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    }
    runId = previous || undefined;
  }
  return work;
}
