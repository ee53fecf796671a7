/**
 * Where a run's time goes, read from its workflow history (server timestamps): each workflow task
 * (pickup = scheduled → started, processing = started → completed) and each activity (pickup =
 * scheduled → started, execution = started → completed), in order. The started event of an
 * activity is written when the attempt ends, but its timestamp is the start.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { markdownTable, ms1 } from './markdown';
import { median } from './measure';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export interface Step {
  /** `workflow task` or the activity type. */
  kind: string;
  /** n-th workflow task or n-th activity of the run, 1-based. */
  index: number;
  scheduledMs: number;
  pickupMs: number;
  workMs: number;
}

export interface RunTimeline {
  workflowId: string;
  events: number;
  /** WorkflowExecutionStarted → closed. */
  runMs: number;
  workflowTasks: Step[];
  activities: Step[];
  /** Event list with offsets from the start, for the representative run. */
  lines: Array<{ offsetMs: number; event: string }>;
}

function toMs(time: HistoryEvent['eventTime']): number {
  if (!time) return Number.NaN;
  return Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6;
}

function eventName(event: HistoryEvent): string {
  const key = Object.keys(event).find((name) => name.endsWith('EventAttributes') && (event as Record<string, unknown>)[name]);
  return key ? key.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase()) : 'event';
}

export function readTimeline(workflowId: string, events: readonly HistoryEvent[]): RunTimeline {
  const start = toMs(events[0]?.eventTime);
  const time = new Map<string, number>(events.map((event) => [String(event.eventId), toMs(event.eventTime) - start]));
  const activityType = new Map<string, string>();
  const workflowTasks: Step[] = [];
  const activities: Step[] = [];
  const lines: RunTimeline['lines'] = [];
  let end = Number.NaN;
  for (const event of events) {
    const at = toMs(event.eventTime) - start;
    const id = String(event.eventId);
    let label = eventName(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      activityType.set(id, scheduled.activityType?.name ?? 'activity');
      label += ` ${scheduled.activityType?.name ?? ''}`;
    }
    const wftCompleted = event.workflowTaskCompletedEventAttributes;
    if (wftCompleted) {
      const startedAt = time.get(String(wftCompleted.startedEventId)) ?? Number.NaN;
      const scheduledAt = time.get(String(wftCompleted.scheduledEventId)) ?? Number.NaN;
      workflowTasks.push({
        kind: 'workflow task',
        index: workflowTasks.length + 1,
        scheduledMs: scheduledAt,
        pickupMs: startedAt - scheduledAt,
        workMs: at - startedAt,
      });
    }
    const completed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
    if (completed) {
      const scheduledAt = time.get(String(completed.scheduledEventId)) ?? Number.NaN;
      const startedAt = time.get(String(completed.startedEventId)) ?? Number.NaN;
      const kind = activityType.get(String(completed.scheduledEventId)) ?? 'activity';
      activities.push({ kind, index: activities.length + 1, scheduledMs: scheduledAt, pickupMs: startedAt - scheduledAt, workMs: at - startedAt });
    }
    if (event.workflowExecutionCompletedEventAttributes || event.workflowExecutionFailedEventAttributes) end = at;
    lines.push({ offsetMs: at, event: label });
  }
  activities.sort((a, b) => a.scheduledMs - b.scheduledMs);
  activities.forEach((step, index) => (step.index = index + 1));
  return { workflowId, events: events.length, runMs: end, workflowTasks, activities, lines };
}

export async function fetchTimelines(handles: ReadonlyArray<{ workflowId: string; fetchHistory: WorkflowHandle['fetchHistory'] }>): Promise<RunTimeline[]> {
  const timelines: RunTimeline[] = [];
  for (const handle of handles) timelines.push(readTimeline(handle.workflowId, (await handle.fetchHistory()).events ?? []));
  return timelines;
}

/** Medians over runs of the same shape: one row per step (n-th workflow task / activity) and totals. */
export interface TimelineSummary {
  runs: number;
  events: number;
  runMs: number;
  workflowTaskCount: number;
  activityCount: number;
  steps: Array<{ step: string; pickupMs: number; workMs: number }>;
  totals: { workflowTaskPickupMs: number; workflowTaskWorkMs: number; activityPickupMs: number; activityWorkMs: number };
  /** The run whose server time is the median, event by event. */
  representative: RunTimeline | undefined;
}

export function summarizeTimelines(timelines: readonly RunTimeline[]): TimelineSummary {
  const sum = (steps: readonly Step[], pick: (step: Step) => number) => steps.reduce((total, step) => total + pick(step), 0);
  const byRunMs = [...timelines].sort((a, b) => a.runMs - b.runMs);
  const representative = byRunMs[Math.floor((byRunMs.length - 1) / 2)];
  const shape = representative ?? timelines[0];
  const steps: TimelineSummary['steps'] = [];
  const stepRow = (label: string, pickSteps: (run: RunTimeline) => Step | undefined) => {
    const found = timelines.map(pickSteps).filter((step): step is Step => step !== undefined);
    steps.push({ step: label, pickupMs: median(found.map((step) => step.pickupMs)), workMs: median(found.map((step) => step.workMs)) });
  };
  // Interleave workflow tasks and activities in the order the representative run scheduled them.
  const order = [...(shape?.workflowTasks ?? []), ...(shape?.activities ?? [])].sort(
    (a, b) => a.scheduledMs - b.scheduledMs || (a.kind === 'workflow task' ? -1 : 1),
  );
  for (const step of order) {
    if (step.kind === 'workflow task') stepRow(`workflow task ${step.index}`, (run) => run.workflowTasks[step.index - 1]);
    else stepRow(`activity ${step.index}: ${step.kind}`, (run) => run.activities[step.index - 1]);
  }
  return {
    runs: timelines.length,
    events: median(timelines.map((run) => run.events)),
    runMs: median(timelines.map((run) => run.runMs)),
    workflowTaskCount: median(timelines.map((run) => run.workflowTasks.length)),
    activityCount: median(timelines.map((run) => run.activities.length)),
    steps,
    totals: {
      workflowTaskPickupMs: median(timelines.map((run) => sum(run.workflowTasks, (step) => step.pickupMs))),
      workflowTaskWorkMs: median(timelines.map((run) => sum(run.workflowTasks, (step) => step.workMs))),
      activityPickupMs: median(timelines.map((run) => sum(run.activities, (step) => step.pickupMs))),
      activityWorkMs: median(timelines.map((run) => sum(run.activities, (step) => step.workMs))),
    },
    representative,
  };
}

export function stepsTable(summary: TimelineSummary): string {
  return markdownTable(
    ['step (median over runs)', 'pickup ms (scheduled → started)', 'work ms (started → completed)'],
    summary.steps.map((step) => [step.step, ms1(step.pickupMs), ms1(step.workMs)]),
  );
}

export function eventsTable(run: RunTimeline): string {
  let previous = 0;
  return markdownTable(
    ['#', 'ms from start', 'Δ ms', 'event'],
    run.lines.map((line, index) => {
      const row = [String(index + 1), ms1(line.offsetMs), ms1(line.offsetMs - previous), line.event];
      previous = line.offsetMs;
      return row;
    }),
    'rrrl',
  );
}
