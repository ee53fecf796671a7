/**
 * An MCP server down for 30 s (every request HTTP 503), then back. Queries started while it is
 * down, in both modes: with a retry policy that outlasts the outage they complete once it is
 * back; with a short one they fail with the classified error (connection). None is lost or
 * stuck. A row of docs/reliability.md; only under `npm run test:reliability` (it waits 30 s).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import type { QueryResult } from '../../src/core/records';
import type { QueryInput } from '../../workflows/messages';
import { runQuery } from '../../workflows/query';
import { ONLY_IN_FULL_RUN, reliabilityRows } from '../helpers/reliability-report';
import { taskFailures } from '../helpers/scenario';
import { childResult } from '../helpers/sessions';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const stack = useOfflineStack();
const rows = reliabilityRows(40, 'mcp-outage');
after(() => rows.flush());

const OUTAGE_MS = 30_000;
/** 1 + 2 + 4 + 8 + 10 × 5 s: outlasts the outage. */
const PATIENT = { max_retries: 9, base_delay_ms: 1_000, max_delay_ms: 10_000, rate_limit_base_delay_ms: 1_000 };
/** Gives up within a few seconds. */
const IMPATIENT = { max_retries: 2, base_delay_ms: 200, max_delay_ms: 500, rate_limit_base_delay_ms: 500 };

describe('reliability: an MCP server down for 30 s', () => {
  it(
    'queries started during the outage complete after it (patient retries) or fail as connection errors (short retries)',
    { skip: ONLY_IN_FULL_RUN, timeout: 5 * 60_000 },
    async () => {
      stack.demo.servers.weather.reset();
      const taskQueue = uniqueTaskQueue('outage');
      await withWorker({ taskQueue, activities: createActivities({ openaiBaseURL: stack.emulator.url, env: {} }) }, async (env) => {
        stack.demo.servers.weather.setFaults({ unavailableForMs: OUTAGE_MS });
        const started = Date.now();
        const cases: Array<{ mode: 'hosted' | 'direct'; patient: boolean }> = [];
        for (const mode of ['hosted', 'direct'] as const) for (const patient of [true, true, true, false, false]) cases.push({ mode, patient });
        const handles = await Promise.all(
          cases.map(({ mode, patient }, i) => {
            const input: QueryInput = {
              query: `What's the weather in city ${i}?`,
              mode,
              servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }],
              retry: patient ? PATIENT : IMPATIENT,
              call_timeout_ms: 20_000,
            };
            return env.client.workflow.start(runQuery, {
              taskQueue,
              workflowId: uniqueWorkflowId(`outage-${mode}-${patient ? 'patient' : 'short'}`),
              args: [input],
            });
          }),
        );
        const results: QueryResult[] = await Promise.all(handles.map((handle) => childResult(env.client, handle.workflowId)));
        const failures = (await Promise.all(handles.map((handle) => taskFailures(handle)))).reduce((sum, count) => sum + count, 0);
        const elapsed = Date.now() - started;
        const outcome = (mode: string, patient: boolean) => results.filter((_, i) => cases[i]!.mode === mode && cases[i]!.patient === patient);
        const patientDone = cases.filter(
          (each, i) => each.patient && results[i]!.success && results[i]!.tool_calls.some((call) => call.status === 'completed'),
        ).length;
        const shortFailed = cases.filter((each, i) => !each.patient && !results[i]!.success && results[i]!.error_type === 'connection').length;
        const patientTotal = cases.filter((each) => each.patient).length;
        const shortTotal = cases.length - patientTotal;
        const executions = stack.demo.servers.weather.counters().executed.get_current_weather ?? 0;
        const describe = (mode: string) =>
          `${mode}: ${outcome(mode, true).filter((result) => result.success).length}/3 patient completed, ${outcome(mode, false)
            .map((result) => (result.success ? 'completed' : result.error_type))
            .join(' + ')} short`;
        rows.push({
          where: 'test:reliability only',
          scenario: `an MCP server down for 30 s (HTTP 503 on every request) then back: ${cases.length} queries started during the outage, hosted + direct; patient retry policy (9 retries, up to 10 s apart) vs short (2 retries)`,
          runs: cases.length,
          completed: patientDone + shortFailed,
          lost: 0,
          duplicated: `${Math.max(0, executions - patientTotal)} (weather tool ran ${executions}× for ${patientTotal} patient runs)`,
          expected:
            patientDone === patientTotal && shortFailed === shortTotal && failures === 0
              ? `yes: ${describe('hosted')}; ${describe('direct')}; the short ones failed as "connection"; last run ended ${Math.round(elapsed / 1000)} s after the outage began; 0 task failures`
              : `NO: ${describe('hosted')}; ${describe('direct')}`,
        });
        assert.ok(elapsed >= OUTAGE_MS - 1_000, 'the patient runs waited for the server');
        assert.equal(patientDone, patientTotal, JSON.stringify(results.map((result) => [result.success, result.error_type, result.error])));
        assert.equal(shortFailed, shortTotal, JSON.stringify(results.map((result) => [result.success, result.error_type, result.error])));
        assert.equal(failures, 0);
        assert.ok(executions >= patientTotal, `each patient run called the tool (${executions})`);
      });
    },
  );
});
