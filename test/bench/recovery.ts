/**
 * Recovery: the worker process is SIGKILLed with a query in flight, a new worker process is
 * started, and the time from that new worker's spawn (and from its first poll) to the crashed
 * query's completion is measured. Two places to die:
 *   - waiting for approval (the seed scenario, calendar `always`): the approval is sent as soon
 *     as the new worker polls;
 *   - inside a Responses call (the weather tool made slow for that call): Temporal only learns
 *     that the attempt died when its heartbeat timeout passes (read back from the history).
 * The new worker replaces the stack's worker.
 */
import { DemoServerAdminClient } from '../../src/demo-servers';
import { EmulatorAdminClient } from '../../src/emulator';
import { approveUpdate, progressQuery } from '../../workflows/messages';
import { until } from '../helpers/wait';
import { checkSeedResult, SEED_QUERY, seedServers } from './scenario';
import type { Stack } from './stack';

export interface RecoveryRun {
  where: 'waiting for approval' | 'inside a Responses call';
  /** New worker spawned → it polls. */
  workerStartMs: number;
  /** New worker spawned → the crashed query completed. */
  fromSpawnMs: number;
  /** New worker polling → the crashed query completed. */
  fromReadyMs: number;
  /** SIGKILL → the crashed query completed. */
  fromKillMs: number;
  /** The heartbeat timeout of the interrupted Responses call, from history (inside a call). */
  heartbeatTimeoutMs?: number;
  /** The recovered run's history after the SIGKILL: ms from the kill (server clock, same machine), event. */
  afterKill?: Array<{ ms: number; event: string }>;
}

/** Polled every 20 ms: the bench measures recovery, so the wait must not add 100 ms of its own. */
const RECOVERY_POLL = { timeoutMs: 60_000, intervalMs: 20 };

async function killAndReplace(
  stack: Stack,
  finish: () => Promise<void>,
  where: RecoveryRun['where'],
): Promise<RecoveryRun & { killedAtEpochMs: number; readyAtEpochMs: number }> {
  await stack.worker.kill();
  const killedAt = performance.now();
  const killedAtEpochMs = Date.now();
  const worker = await stack.startWorker();
  stack.worker = worker;
  const readyAtEpochMs = killedAtEpochMs + (worker.readyAt - killedAt);
  await finish();
  const doneAt = performance.now();
  return {
    where,
    killedAtEpochMs,
    readyAtEpochMs,
    workerStartMs: worker.readyAt - worker.spawnedAt,
    fromSpawnMs: doneAt - worker.spawnedAt,
    fromReadyMs: doneAt - worker.readyAt,
    fromKillMs: doneAt - killedAt,
  };
}

export async function recoverWhileWaiting(stack: Stack): Promise<RecoveryRun> {
  const id = await stack.client.startQuery({ query: SEED_QUERY, servers: seedServers(stack.services, 'always') });
  const handle = stack.client.handle(id);
  await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'recovery: the approval request', RECOVERY_POLL);
  const {
    killedAtEpochMs: _kill,
    readyAtEpochMs: _ready,
    ...run
  } = await killAndReplace(
    stack,
    async () => {
      // No deadline: the update waits for whichever worker takes the workflow task.
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      checkSeedResult((await stack.client.waitForQuery(id)).result, `recovered run ${id}`);
    },
    'waiting for approval',
  );
  return run;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Stack['client']['handle']>['fetchHistory']>>['events']>[number];

/** The events written after the kill, each with its name, ms after the kill (and the activity's last attempt failure). */
function eventsAfter(events: readonly HistoryEvent[], killedAtEpochMs: number): Array<{ ms: number; event: string }> {
  const out: Array<{ ms: number; event: string }> = [];
  for (const event of events) {
    const at = Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6 - killedAtEpochMs;
    const key = Object.keys(event).find((name) => name.endsWith('EventAttributes') && (event as Record<string, unknown>)[name]) ?? 'event';
    const started = event.activityTaskStartedEventAttributes;
    const detail = started && (started.attempt ?? 1) > 1 ? ` (attempt ${started.attempt}; last failure: ${started.lastFailure?.message ?? '?'})` : '';
    if (at > -3_000) out.push({ ms: Math.round(at), event: key.replace(/EventAttributes$/, '') + detail });
  }
  return out;
}

export async function recoverInsideCall(stack: Stack, callTimeoutMs: number | undefined): Promise<RecoveryRun> {
  const weather = new DemoServerAdminClient(stack.services.weather.adminUrl);
  const emulator = new EmulatorAdminClient(stack.services.emulator.adminUrl);
  const before = (await emulator.stats()).mcpToolCallsTotal;
  await weather.setFaults({ latencyMs: 2_000 });
  try {
    const id = await stack.client.startQuery({
      query: SEED_QUERY,
      servers: seedServers(stack.services),
      ...(callTimeoutMs ? { call_timeout_ms: callTimeoutMs } : {}),
    });
    await until(async () => (await emulator.stats()).mcpToolCallsTotal > before, 'recovery: the tool call inside the Responses call', RECOVERY_POLL);
    const { killedAtEpochMs, readyAtEpochMs, ...run } = await killAndReplace(
      stack,
      async () => {
        await weather.setFaults({ latencyMs: 0 });
        checkSeedResult((await stack.client.waitForQuery(id)).result, `recovered run ${id}`);
      },
      'inside a Responses call',
    );
    const history = await stack.client.handle(id).fetchHistory();
    const timeout = (history.events ?? []).find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callResponsesApi')
      ?.activityTaskScheduledEventAttributes?.heartbeatTimeout;
    const afterKill = [{ ms: readyAtEpochMs - killedAtEpochMs, event: '(new worker polling)' }, ...eventsAfter(history.events ?? [], killedAtEpochMs)].sort(
      (a, b) => a.ms - b.ms,
    );
    return { ...run, afterKill, ...(timeout ? { heartbeatTimeoutMs: Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6 } : {}) };
  } finally {
    await weather.setFaults({ latencyMs: 0 });
  }
}
