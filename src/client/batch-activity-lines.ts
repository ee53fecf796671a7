/**
 * Results of batch lines that ran as `runBatchLine` activities of their batch (issue 26): they
 * have no runQuery run, so their result is read from the batch run's history — the activity's
 * completion, matched to its line by the activity id (src/core/batch-line.ts lineActivityId).
 * A run's history is read once and kept; a run still going is read again when a line it
 * finished is not in the copy yet.
 */
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '../codec/sdk-internals';
import { BatchLineActivityResultSchema, parseLineActivityId } from '../core/batch-line';
import { lineWorkflowId } from '../../workflows/batch/messages';
import type { LineResult } from './batch';

/** A line found in a batch run's history: enough to order it and to read its result. */
export interface ActivityLineRef {
  workflow_id: string;
  key: string;
  n: number;
  activity_run_id: string;
}

export class ActivityLineResults {
  private readonly runs = new Map<string, Promise<Map<string, LineResult>>>();

  constructor(private readonly temporal: Client) {}

  /** The line's result from the batch run that ran it; undefined when that run's history has no completion for it. */
  async result(batchId: string, runId: string, key: string): Promise<LineResult | undefined> {
    const reading = this.read(batchId, runId);
    const cached = await reading;
    if (cached.has(key)) return cached.get(key);
    // Read again once, however many lines of one page ask at the same time (--out fetches 16 at once).
    if (this.runs.get(runId) === reading) this.runs.delete(runId);
    return (await this.read(batchId, runId)).get(key);
  }

  /** Every line that ran as an activity in any run of the batch (its continue-as-new chain), with its number. */
  async *lines(batchId: string): AsyncGenerator<ActivityLineRef> {
    const query = `WorkflowId = '${batchId.replace(/'/g, "\\'")}'`;
    for await (const execution of this.temporal.workflow.list({ query })) {
      // Read afresh: a copy kept while the run was going may lack its last lines.
      this.runs.delete(execution.runId);
      for (const result of (await this.read(batchId, execution.runId)).values()) {
        yield { workflow_id: result.workflow_id, key: result.id, n: result.line ?? 0, activity_run_id: execution.runId };
      }
    }
  }

  private read(batchId: string, runId: string): Promise<Map<string, LineResult>> {
    let reading = this.runs.get(runId);
    if (!reading) {
      reading = readRun(this.temporal, batchId, runId);
      // A failed read is not kept: the next call reads again.
      const mine = reading;
      mine.catch(() => {
        if (this.runs.get(runId) === mine) this.runs.delete(runId);
      });
      this.runs.set(runId, reading);
    }
    return reading;
  }
}

/** The completed `runBatchLine` activities of one batch run that answered their line (escalated ones ran as children). */
async function readRun(temporal: Client, batchId: string, runId: string): Promise<Map<string, LineResult>> {
  const history = await temporal.workflow.getHandle(batchId, runId).fetchHistory();
  const scheduled = new Map<string, { n: number; key: string }>();
  const results = new Map<string, LineResult>();
  for (const event of history.events ?? []) {
    const started = event.activityTaskScheduledEventAttributes;
    if (started?.activityType?.name === 'runBatchLine' && started.activityId) {
      const line = parseLineActivityId(started.activityId);
      if (line) scheduled.set(String(event.eventId), line);
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const line = completed && scheduled.get(String(completed.scheduledEventId));
    if (!completed || !line) continue;
    const [raw] = await decodeArrayFromPayloads(temporal.workflow.options.loadedDataConverter, completed.result?.payloads);
    const parsed = BatchLineActivityResultSchema.safeParse(raw);
    if (!parsed.success || parsed.data.kind !== 'done') continue;
    const result = parsed.data.result;
    results.set(line.key, {
      id: line.key,
      line: line.n,
      workflow_id: lineWorkflowId(batchId, line.key),
      success: result.success,
      answer: result.text_response,
      error_type: result.success ? null : (result.error_type ?? 'unknown'),
      error: result.error,
      calls: result.tool_calls.length,
      denied: result.tool_calls.some((call) => call.status === 'denied'),
      duration_ms: result.duration_ms,
    });
  }
  return results;
}
