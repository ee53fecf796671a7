/**
 * The worker evaluates src/core and the message schemas once and shares them between runs
 * (src/worker/shared-modules.ts): shared schemas must still parse, and one run must not be able
 * to change shared data under the next.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const WORKFLOWS = path.join(__dirname, 'fixtures', 'shared-modules-workflow.ts');

describe('modules shared between workflow runs', () => {
  it('refuse changes to shared data, run after run, and their zod schemas parse', async () => {
    const taskQueue = uniqueTaskQueue('shared-modules');
    const results = await withWorker({ taskQueue, workflowsPath: WORKFLOWS }, async (env) => {
      const outcomes = [];
      for (let run = 0; run < 2; run++) {
        outcomes.push(await env.client.workflow.execute('mutateSharedData', { taskQueue, workflowId: uniqueWorkflowId('shared-modules') }));
      }
      return outcomes as Array<{ serversBefore: string[]; catalogRefused: boolean; tableRefused: boolean; parsed: unknown }>;
    });
    for (const result of results) {
      assert.deepEqual(result.serversBefore, [], 'no run sees what another tried to add');
      assert.equal(result.catalogRefused, true, 'EMPTY_CATALOG is frozen');
      assert.equal(result.tableRefused, true, 'ERROR_TABLE is frozen');
      assert.deepEqual(result.parsed, { max_retries: 2, base_delay_ms: 1_000, max_delay_ms: 60_000, rate_limit_base_delay_ms: 60_000 });
    }
  });
});
