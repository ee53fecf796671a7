/**
 * Activities of runBatch that read other workflows through the Temporal client: how lines
 * started by an earlier run (or before a restart) ended, and the input of a failed line that
 * retry-failed starts again. Each call is short; a batch polls instead of holding a slot while
 * a line waits for a person.
 */
import { decodeArrayFromPayloads } from '../src/codec/sdk-internals';
import { isGrpcServiceError, ServiceError, WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { heartbeat } from '@temporalio/activity';
import { failureOutcome, resultOutcome, type LineOutcome } from '../src/core/line-outcome';
import type { QueryInput } from '../workflows/messages';
import type { QueryResult } from '../src/core/records';
import { mcpflowFailure } from '../src/core/failures';

export interface LineOutcomeReport {
  workflow_id: string;
  /** running: not over yet; missing: Temporal does not know it (never started, or past retention). */
  state: 'running' | 'closed' | 'missing';
  outcome: LineOutcome | null;
}

export interface LineInputReport {
  workflow_id: string;
  input: QueryInput | null;
}

/** A line that ran as a `runBatchLine` activity: the batch run and the activity id its input is under. */
export interface ActivityLineRef {
  workflow_id: string;
  run_id: string;
  activity_id: string;
}

const GRPC_NOT_FOUND = 5;

/** A workflow run's history, or null when Temporal does not know it (past retention, never started). */
async function historyOrNull(temporal: Client, workflowId: string, runId?: string) {
  try {
    return await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    // fetchHistory reports an unknown run as gRPC NOT_FOUND, bare or wrapped, rather than WorkflowNotFoundError.
    const grpc = error instanceof ServiceError ? error.cause : error;
    if (error instanceof WorkflowNotFoundError || (isGrpcServiceError(grpc) && grpc.code === GRPC_NOT_FOUND)) return null;
    throw error;
  }
}

export function createBatchActivities(deps: { temporalClient?: Client }) {
  const client = (): Client => {
    if (!deps.temporalClient) {
      throw mcpflowFailure('unknown', 'this worker was started without a Temporal client for batch activities', { retryable: false });
    }
    return deps.temporalClient;
  };

  async function batchLineOutcomes(args: { workflow_ids: string[] }): Promise<LineOutcomeReport[]> {
    const temporal = client();
    const reports: LineOutcomeReport[] = [];
    for (const workflowId of args.workflow_ids) {
      heartbeat(workflowId);
      const handle = temporal.workflow.getHandle(workflowId);
      try {
        const description = await handle.describe();
        if (description.status.name === 'RUNNING') {
          reports.push({ workflow_id: workflowId, state: 'running', outcome: null });
          continue;
        }
        reports.push({ workflow_id: workflowId, state: 'closed', outcome: resultOutcome((await handle.result()) as QueryResult) });
      } catch (error) {
        if (error instanceof WorkflowFailedError) reports.push({ workflow_id: workflowId, state: 'closed', outcome: failureOutcome(error.cause) });
        else if (error instanceof WorkflowNotFoundError) reports.push({ workflow_id: workflowId, state: 'missing', outcome: null });
        else throw error;
      }
    }
    return reports;
  }

  /**
   * The runQuery input a line was started with: from the first event of its child's history, or,
   * for a line that ran as a `runBatchLine` activity, from that activity's scheduled event in the
   * batch run it ran in (each run's history read once). A run Temporal no longer has gives null.
   */
  async function batchLineInputs(args: { workflow_ids: string[]; batch_id?: string; activity_lines?: ActivityLineRef[] }): Promise<LineInputReport[]> {
    const temporal = client();
    const decode = async (payloads: Parameters<typeof decodeArrayFromPayloads>[1]) =>
      ((await decodeArrayFromPayloads(temporal.workflow.options.loadedDataConverter, payloads))[0] as QueryInput | undefined) ?? null;
    const reports: LineInputReport[] = [];
    for (const workflowId of args.workflow_ids) {
      heartbeat(workflowId);
      const history = await historyOrNull(temporal, workflowId);
      reports.push({ workflow_id: workflowId, input: await decode(history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads) });
    }
    const byRun = new Map<string, ActivityLineRef[]>();
    for (const line of args.activity_lines ?? []) byRun.set(line.run_id, [...(byRun.get(line.run_id) ?? []), line]);
    for (const [runId, lines] of byRun) {
      heartbeat(runId);
      const history = await historyOrNull(temporal, args.batch_id!, runId);
      for (const line of lines) {
        const scheduled = history?.events?.find((event) => event.activityTaskScheduledEventAttributes?.activityId === line.activity_id);
        reports.push({ workflow_id: line.workflow_id, input: await decode(scheduled?.activityTaskScheduledEventAttributes?.input?.payloads) });
      }
    }
    return reports;
  }

  return { batchLineOutcomes, batchLineInputs };
}
