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
import { sleep } from './measure';
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
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`recovery: timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function killAndReplace(stack: Stack, finish: () => Promise<void>, where: RecoveryRun['where']): Promise<RecoveryRun> {
  await stack.worker.kill();
  const killedAt = performance.now();
  const worker = await stack.startWorker();
  stack.worker = worker;
  await finish();
  const doneAt = performance.now();
  return {
    where,
    workerStartMs: worker.readyAt - worker.spawnedAt,
    fromSpawnMs: doneAt - worker.spawnedAt,
    fromReadyMs: doneAt - worker.readyAt,
    fromKillMs: doneAt - killedAt,
  };
}

export async function recoverWhileWaiting(stack: Stack): Promise<RecoveryRun> {
  const id = await stack.client.startQuery({ query: SEED_QUERY, servers: seedServers(stack.services, 'always') });
  const handle = stack.client.handle(id);
  await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request');
  return killAndReplace(stack, async () => {
    // No deadline: the update waits for whichever worker takes the workflow task.
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    checkSeedResult((await stack.client.waitForQuery(id)).result, `recovered run ${id}`);
  }, 'waiting for approval');
}

export async function recoverInsideCall(stack: Stack, callTimeoutMs: number | undefined): Promise<RecoveryRun> {
  const weather = new DemoServerAdminClient(stack.services.weather.adminUrl);
  const emulator = new EmulatorAdminClient(stack.services.emulator.adminUrl);
  const before = (await emulator.stats()).mcpToolCallsTotal;
  await weather.setFaults({ latencyMs: 2_000 });
  try {
    const id = await stack.client.startQuery({
      query: SEED_QUERY, servers: seedServers(stack.services), ...(callTimeoutMs ? { call_timeout_ms: callTimeoutMs } : {}),
    });
    await until(async () => (await emulator.stats()).mcpToolCallsTotal > before, 'the tool call inside the Responses call');
    const run = await killAndReplace(stack, async () => {
      await weather.setFaults({ latencyMs: 0 });
      checkSeedResult((await stack.client.waitForQuery(id)).result, `recovered run ${id}`);
    }, 'inside a Responses call');
    const history = await stack.client.handle(id).fetchHistory();
    const timeout = (history.events ?? []).find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callResponsesApi')
      ?.activityTaskScheduledEventAttributes?.heartbeatTimeout;
    return timeout ? { ...run, heartbeatTimeoutMs: Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6 } : run;
  } finally {
    await weather.setFaults({ latencyMs: 0 });
  }
}
