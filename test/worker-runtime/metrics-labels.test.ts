/**
 * The worker's Prometheus endpoint, scraped from a real `mcpflow worker --metrics-port` process:
 * `mcpflow_approval_wait` has buckets for human waits (up to 7 days, not 10 s), and an activity
 * with two servers counts under each server's own label, never under a joined `weather,calendar`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveUpdate, progressQuery, type QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { startCliWorker } from '../cluster/cli-worker';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { findFreePort } from '../../src/devserver/ports';
import { APPROVAL_WAIT_BUCKETS_MS } from '../../src/worker/metric-buckets';
import { metricServerLabels, OTHER_SERVERS } from '../../src/worker/activity-log';

const stack = useOfflineStack();

describe('worker metrics', () => {
  it('server label values are bounded: one per server up to 16, the rest as one (other)', () => {
    assert.deepEqual(metricServerLabels({ server: 'weather,calendar' }), ['weather', 'calendar']);
    assert.deepEqual(metricServerLabels({}), ['']);
    const many = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const labels = metricServerLabels({ server: many.join(',') });
    assert.equal(labels.length, 17);
    assert.equal(labels.at(-1), OTHER_SERVERS);
  });

  it('approval waits get buckets up to days; a two-server turn is one series per server', async () => {
    const taskQueue = uniqueTaskQueue('metric-labels');
    const port = await findFreePort('127.0.0.1');
    const running = await startCliWorker({
      name: 'metric-labels',
      address: stack.env.address,
      namespace: stack.env.namespace,
      taskQueue,
      openaiBaseURL: stack.emulator.url,
      args: ['--metrics-port', String(port)],
    });
    try {
      await until(async () => running.output().includes(`Metrics: http://127.0.0.1:${port}/metrics`), 'the metrics line', 10_000);
      const query: QueryInput = {
        query: "What's the weather in London and do I have any meetings today?",
        servers: [
          { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' },
          { label: 'calendar', url: stack.demo.servers.calendar.url, require_approval: 'always' },
        ],
      };
      const handle = await stack.env.client.workflow.start(runQuery, { taskQueue, workflowId: uniqueWorkflowId('metric-labels'), args: [query] });
      await until(async () => (await handle.query(progressQuery)).pending_approvals.length > 0, 'the approval request', 60_000);
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      assert.equal((await handle.result()).success, true);

      let text = '';
      await until(
        async () => {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return text.includes('mcpflow_approval_wait') && text.includes('mcpflow_activity_attempts');
        },
        'mcpflow metrics to be exported',
        30_000,
      );
      const lines = text.split('\n').filter((line) => line.startsWith('mcpflow_'));
      const shown = lines.join('\n');

      // Hosted turns name both servers: one series each, no joined label value.
      const turns = lines.filter((line) => line.startsWith('mcpflow_activity_attempts') && line.includes('activityType="callResponsesApi"'));
      assert.ok(
        turns.some((line) => line.includes('server="weather"')),
        shown,
      );
      assert.ok(
        turns.some((line) => line.includes('server="calendar"')),
        shown,
      );
      assert.ok(!lines.some((line) => /server="[^"]*,[^"]*"/.test(line)), `a joined server label:\n${shown}`);

      // The approval wait's buckets reach days: 7 days is a boundary, not +Inf only.
      const buckets = lines.filter((line) => line.startsWith('mcpflow_approval_wait') && line.includes('_bucket') && line.includes('server="calendar"'));
      const boundaries = buckets
        .map((line) => /le="([^"]+)"/.exec(line)?.[1])
        .filter((le): le is string => le !== undefined && le !== '+Inf')
        .map(Number);
      assert.equal(Math.max(...boundaries), 7 * 86_400_000, shown);
      assert.deepEqual(
        boundaries.sort((a, b) => a - b),
        [...APPROVAL_WAIT_BUCKETS_MS],
      );
    } finally {
      await running.stop();
    }
  });
});
