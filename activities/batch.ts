/**
 * Activities of runBatch that read other workflows through the Temporal client: how lines
 * started by an earlier run (or before a restart) ended, and the input of a failed line that
 * retry-failed starts again. Each call is short; a batch polls instead of holding a slot while
 * a line waits for a person.
 */
import { decodeArrayFromPayloads } from '../src/codec/sdk-internals';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
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

  /** The runQuery input a line was started with, from the first event of its history. */
  async function batchLineInputs(args: { workflow_ids: string[] }): Promise<LineInputReport[]> {
    const temporal = client();
    const reports: LineInputReport[] = [];
    for (const workflowId of args.workflow_ids) {
      heartbeat(workflowId);
      try {
        const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
        const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
        const [input] = await decodeArrayFromPayloads(temporal.workflow.options.loadedDataConverter, payloads);
        reports.push({ workflow_id: workflowId, input: (input as QueryInput | undefined) ?? null });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        reports.push({ workflow_id: workflowId, input: null });
      }
    }
    return reports;
  }

  return { batchLineOutcomes, batchLineInputs };
}
