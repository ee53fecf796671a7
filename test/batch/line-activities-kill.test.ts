/**
 * Lines as activities of the batch (issue 26, work in progress) under a worker SIGKILL, on real
 * components: the killed worker's line activities are retried from their first turn by the new
 * worker (only read-only work repeats), the run drains its line activities before continuing as
 * new, and every line ends once with one result.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchLine } from '../../workflows/batch/messages';
import { until } from '../helpers/scenario';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { startWorkerProcess } from '../helpers/worker-process';
import { allLineResults, FAST_RETRY, scriptedLine, testClient } from './helpers';

const stack = useOfflineStack();

const LINES = 150;

describe('runBatch: lines as activities and a worker SIGKILL (issue 26, work in progress)', () => {
  it('every line ends once, with one result, across a SIGKILL and a continue-as-new', async () => {
    stack.demo.servers.weather.reset();
    const taskQueue = uniqueTaskQueue('line-activities-kill');
    const workerEnv = { address: stack.env.address, taskQueue, openaiBaseURL: stack.emulator.url };
    let worker = await startWorkerProcess(workerEnv);
    try {
      const client = testClient(stack.env, taskQueue);
      const batchId = uniqueWorkflowId('line-activities-kill');
      const call = { server: 'weather', tool: 'get_current_weather', arguments: { location: 'Bergen' } };
      const lines: BatchLine[] = Array.from({ length: LINES }, (_, i) => scriptedLine(i + 1, { calls: [call] }, { servers: ['weather'], mode: 'direct' }));
      stack.demo.servers.weather.setFaults({ latencyMs: 100 });
      await client.batches.startOrAttach(batchId, {
        total: LINES,
        lines,
        concurrency: 10,
        // ~3.6 events a line: the chain continues as new at least once.
        continue_as_new_after_events: 500,
        retry: FAST_RETRY,
        servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
      });
      let runningAtKill = 0;
      await until(
        async () => {
          const progress = await client.batches.progress(batchId);
          runningAtKill = progress.running;
          return progress.done >= 30 && progress.running > 0;
        },
        'some lines done and some running',
        60_000,
      );
      await worker.kill();
      worker = await startWorkerProcess(workerEnv);
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      const result = await client.batches.result(batchId);
      assert.equal(result.progress.succeeded, LINES);
      assert.equal(result.progress.failed, 0);
      assert.ok(result.progress.runs >= 1, 'the chain continued as new');
      const results = await allLineResults(client, batchId, LINES);
      assert.deepEqual(
        results.map((each) => [each.line, each.success, each.answer]),
        lines.map((each) => [each.n, true, `answer ${each.n}`]),
      );
      // A line cut by the kill runs again from its first turn: at most its one read-only call again.
      const calls = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
      assert.ok(calls >= LINES && calls <= LINES + runningAtKill, `weather ran ${calls}× for ${LINES} lines (${runningAtKill} running at the kill)`);
    } finally {
      stack.demo.servers.weather.setFaults({ latencyMs: 0 });
      await worker.stop();
    }
  });
});
