/**
 * Every recorded history (test/fixtures/histories, written by the end-to-end tests with
 * MCPFLOW_RECORD_HISTORIES=1) must replay against the current workflow code without a
 * nondeterminism error.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORY_FIXTURES, readHistoryIndex } from '../helpers/histories';
import { getWorkflowBundle } from '../helpers/temporal';

const index = readHistoryIndex();
const fixtures = readdirSync(HISTORY_FIXTURES)
  .filter((file) => file.endsWith('.json') && file !== 'index.json')
  .sort();

describe('replay of recorded histories', () => {
  it('has fixtures for the workflows', () => {
    const names = fixtures.join(' ');
    for (const workflow of ['query-', 'session-', 'batch-']) assert.match(names, new RegExp(workflow), `a ${workflow} fixture exists`);
  });

  for (const file of fixtures) {
    it(file, async () => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORY_FIXTURES, file), 'utf8')));
      const workflowId = index[file];
      assert.ok(workflowId, `${file} is listed in index.json`);
      await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, workflowId);
    });
  }
});
