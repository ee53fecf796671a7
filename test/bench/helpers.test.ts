/** The bench's pure helpers (the bench itself runs with `npm run bench`, not here). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleModuleIndex } from './cpuprofile';
import { markdownTable, signedMs } from './markdown';
import { linearFit, percentile, runPool } from './measure';
import type { BenchResults } from './results';
import { evaluateTargets } from './targets';
import { readTimeline, summarizeTimelines } from './timeline';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

describe('bench helpers', () => {
  it('percentiles are nearest-rank', () => {
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('a linear fit finds slope and intercept', () => {
    const fit = linearFit([
      [0, 10],
      [10, 30],
      [20, 50],
    ]);
    assert.equal(fit.slope, 2);
    assert.equal(fit.intercept, 10);
  });

  it('runPool keeps order and the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const results = await runPool(10, 3, async (index) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return index * 2;
    });
    assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.equal(peak, 3);
  });

  it('markdown tables pad and align; differences keep their sign', () => {
    assert.equal(
      markdownTable(
        ['a', 'n'],
        [
          ['x', '1'],
          ['yy', '22'],
        ],
      ),
      '| a   |   n |\n|-----|----:|\n| x   |   1 |\n| yy  |  22 |',
    );
    assert.equal(signedMs(12.4), '+12');
    assert.equal(signedMs(-3.2), '−3');
  });

  it('a history becomes workflow tasks and activities with pickup and work times', () => {
    const events = [
      { eventId: 1, eventTime: at(1000), workflowExecutionStartedEventAttributes: {} },
      { eventId: 2, eventTime: at(1000), workflowTaskScheduledEventAttributes: {} },
      { eventId: 3, eventTime: at(1005), workflowTaskStartedEventAttributes: { scheduledEventId: 2 } },
      { eventId: 4, eventTime: at(1030), workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
      { eventId: 5, eventTime: at(1030), activityTaskScheduledEventAttributes: { activityType: { name: 'callResponsesApi' } } },
      { eventId: 6, eventTime: at(1040), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 7, eventTime: at(1070), activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } },
      { eventId: 8, eventTime: at(1071), workflowExecutionCompletedEventAttributes: {} },
    ];
    const timeline = readTimeline('wf', events as unknown as Parameters<typeof readTimeline>[1]);
    assert.equal(timeline.runMs, 71);
    assert.deepEqual(
      timeline.workflowTasks.map((step) => [step.pickupMs, step.workMs]),
      [[5, 25]],
    );
    assert.deepEqual(
      timeline.activities.map((step) => [step.kind, step.pickupMs, step.workMs]),
      [['callResponsesApi', 10, 30]],
    );
    const summary = summarizeTimelines([timeline]);
    assert.deepEqual(
      summary.steps.map((step) => step.step),
      ['workflow task 1', 'activity 1: callResponsesApi'],
    );
  });

  it('bundle lines map to their webpack module', () => {
    const code = ['header', '/***/ "./node_modules/zod/v4/core/core.js"', 'a', '/***/ "./workflows/messages.ts"', 'b', `/${'*'.repeat(72)}/`, 'runtime'].join(
      '\n',
    );
    const moduleOf = bundleModuleIndex(code);
    assert.equal(moduleOf(0), undefined);
    assert.equal(moduleOf(2), './node_modules/zod/v4/core/core.js');
    assert.equal(moduleOf(4), './workflows/messages.ts');
    assert.equal(moduleOf(6), '(webpack runtime)');
  });

  it('targets say how far a miss is', () => {
    const load = (variant: string, concurrency: number, p50: number, throughput: number, worker?: number) => ({
      variant,
      concurrency,
      total: 10,
      wallMs: 1,
      latency: { n: 10, p50, p95: p50, min: p50, max: p50, mean: p50 },
      throughput,
      cpuPerQueryMs: { worker, server: 1, services: 1, bench: 1 },
      rssBytes: { worker: 1, server: 1, services: 1, bench: 1 },
      workerThreadsPerQueryMs: {},
      workflowIds: [],
      samples: [],
    });
    const results = {
      meta: {} as BenchResults['meta'],
      latency: [
        load('plain-hosted', 1, 20, 50),
        load('mcpflow-hosted', 1, 150, 7, 40),
        load('plain-hosted', 50, 400, 80),
        load('mcpflow-hosted', 50, 2000, 40, 30),
      ],
      timelines: {},
      discovery: [],
      sessions: [],
      approvals: undefined,
      recovery: [],
      failures: [],
    } as BenchResults;
    const rows = evaluateTargets(results);
    const latency = rows.find((row) => row.what.startsWith('hosted, fresh'))!;
    assert.equal(latency.value, '130 ms');
    assert.equal(latency.reached, false);
    assert.match(latency.status, /missed\*\* by 90 ms \(3\.3× the target\)/);
    const throughput = rows.find((row) => row.what.startsWith('hosted, concurrency 50'))!;
    assert.equal(throughput.reached, true);
    assert.equal(rows.find((row) => row.what.startsWith('direct, fresh'))!.reached, undefined);
  });
});
