/**
 * Where a query's time goes, read from the workflow histories of measured runs: the run itself
 * (server timestamps), workflow tasks (queue wait and processing), each activity type (queue
 * wait and execution), and what is left for the client (start RPC, result long-poll).
 * Activities of one step may overlap, so the parts are averages per run, not a partition.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { markdownTable, ms } from './measure';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Timestamp = HistoryEvent['eventTime'];

function toMs(time: Timestamp): number {
  if (!time) return Number.NaN;
  return Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6;
}

function id(value: unknown): string {
  return String(value);
}

interface Totals {
  count: number;
  ms: number;
}

/** Sums, over several runs, the parts of each run; `perRun` divides by the number of runs. */
export class Breakdown {
  private readonly parts = new Map<string, Totals>();
  private runs = 0;

  private add(part: string, value: number, count = 1): void {
    if (!Number.isFinite(value)) return;
    const totals = this.parts.get(part) ?? { count: 0, ms: 0 };
    totals.count += count;
    totals.ms += value;
    this.parts.set(part, totals);
  }

  /** Adds one run: its history and the end-to-end time the client measured. */
  addRun(events: readonly HistoryEvent[], endToEndMs: number): void {
    this.runs++;
    const time = new Map<string, number>(events.map((event) => [id(event.eventId), toMs(event.eventTime)]));
    const first = events[0];
    const closed = events.find((event) => event.workflowExecutionCompletedEventAttributes || event.workflowExecutionFailedEventAttributes);
    const runMs = first && closed ? toMs(closed.eventTime) - toMs(first.eventTime) : Number.NaN;
    this.add('end to end (client)', endToEndMs);
    this.add('workflow run (server: started → closed)', runMs);
    this.add('client side (start RPC + result long-poll)', endToEndMs - runMs);

    const activityTypes = new Map<string, string>();
    for (const event of events) {
      const at = toMs(event.eventTime);
      const wftStarted = event.workflowTaskStartedEventAttributes;
      if (wftStarted) this.add('workflow tasks: queue wait (scheduled → started)', at - (time.get(id(wftStarted.scheduledEventId)) ?? Number.NaN));
      const wftCompleted = event.workflowTaskCompletedEventAttributes;
      if (wftCompleted) this.add('workflow tasks: processing (started → completed)', at - (time.get(id(wftCompleted.startedEventId)) ?? Number.NaN));

      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) activityTypes.set(id(event.eventId), scheduled.activityType?.name ?? 'activity');
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const type = activityTypes.get(id(started.scheduledEventId)) ?? 'activity';
        this.add(`${type}: queue wait (scheduled → started)`, at - (time.get(id(started.scheduledEventId)) ?? Number.NaN));
      }
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        const type = activityTypes.get(id(completed.scheduledEventId)) ?? 'activity';
        // The started event is written when the attempt ends; its time is still the start.
        this.add(`${type}: execution (started → completed)`, at - (time.get(id(completed.startedEventId)) ?? Number.NaN));
      }
    }
    this.add('history events', events.length, 0);
  }

  table(): string {
    const runs = Math.max(1, this.runs);
    const rows = [...this.parts.entries()].map(([part, totals]) =>
      part === 'history events'
        ? [part, '', (totals.ms / runs).toFixed(0)]
        : [part, (totals.count / runs).toFixed(totals.count % runs ? 1 : 0), ms(totals.ms / runs)]);
    return markdownTable(['part (mean per run)', 'count', 'ms'], rows);
  }
}

/** Fetches the histories of these runs (same order as `endToEndMs`) and sums their parts. */
export async function breakdownOf(handles: readonly WorkflowHandle[], endToEndMs: readonly number[]): Promise<Breakdown> {
  const breakdown = new Breakdown();
  for (const [index, handle] of handles.entries()) {
    const history = await handle.fetchHistory();
    breakdown.addRun(history.events ?? [], endToEndMs[index] ?? Number.NaN);
  }
  return breakdown;
}
