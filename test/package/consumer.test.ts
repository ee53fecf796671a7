/**
 * mcpflow as a user installs it: `npm pack` of the repo installed in a fresh project outside the
 * repository with @temporalio/* at the lowest and the highest supported versions. The user's
 * files (test/fixtures/package-consumer) compile against `mcpflow/worker`, `mcpflow/client`,
 * `mcpflow/workflow` and `mcpflow/testing`; their workflows bundle with McpflowPlugin through the
 * SDK's bundler (which refuses disallowed modules); their worker, with the plugin, runs mcpflow's
 * runQuery (an approval answered through McpflowClient) and their own workflow, which asks three
 * questions at once with mcpQuery children (one approval, answered through mcpflow/client), on
 * the dev server, with the emulator and the demo servers started from mcpflow/testing.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';
import { consumerProject, packRepo, runConsumer, runInstalledCli, supportedTemporalVersions } from './consumer-project';

const stack = useOfflineStack();
const { lowest, highest } = supportedTemporalVersions();

interface ConsumerRun {
  temporal: string;
  bundle: string;
  approvals: number;
  query: {
    succeeded: boolean;
    result: { success: boolean; tool_calls: Array<{ server: string; status: string; approval?: unknown }> } | null;
    error: string | null;
  };
  triage: { ticket: string; results: Array<{ success: boolean; text_response: string; calls: Array<{ server: string; status: string }> }> };
}

/** Modules a workflow bundle must not carry: activities, the model and MCP clients, Node-only code. */
const NOT_IN_BUNDLE = [
  '/activities/',
  'node_modules/openai/',
  'node_modules/@modelcontextprotocol/',
  'node_modules/undici/',
  '/src/cli/',
  '/src/worker/plugin',
];

describe('the npm package in a user project', { timeout: 900_000 }, () => {
  let tarball: string;
  before(async () => {
    const packed = await packRepo();
    tarball = packed.tarball;
    rmSync(packed.staged, { recursive: true, force: true });
  });

  for (const version of [...new Set([lowest, highest])]) {
    it(`@temporalio ${version}: the user's worker with McpflowPlugin runs mcpflow's workflows and the user's`, async () => {
      const dir = await consumerProject(version, tarball);
      const run = (await runConsumer(dir, {
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_NAMESPACE: stack.env.namespace,
        CONSUMER_TASK_QUEUE: uniqueTaskQueue('consumer'),
      })) as unknown as ConsumerRun;
      assert.equal(run.temporal, version, 'the project runs the @temporalio version under test');

      assert.match(run.bundle, /mcpflow\/dist\/workflows\/index\.js/, "mcpflow's workflows are in the user's bundle");
      assert.match(run.bundle, /triageTicket/, "the user's workflow is in the bundle");
      assert.ok(!run.bundle.includes('mcpflow/node_modules/@temporalio/'), "one copy of @temporalio/* (the user's) in the bundle");
      for (const module of NOT_IN_BUNDLE) assert.ok(!run.bundle.includes(module), `the workflow bundle carries ${module}`);

      assert.equal(run.approvals, 2, "the query's approval and the user workflow's child's");
      assert.equal(run.query.succeeded, true, run.query.error ?? '');
      const calls = run.query.result?.tool_calls ?? [];
      assert.ok(
        calls.some((call) => call.server === 'calendar' && call.status === 'completed'),
        `the approved calendar call ran: ${JSON.stringify(calls.map((call) => [call.server, call.status]))}`,
      );
      assert.ok(
        calls.some((call) => call.server === 'weather' && call.status === 'completed'),
        'the weather call ran',
      );

      assert.match(run.triage.ticket, /ticket T-1/, "the user's activity ran on the same worker");
      assert.equal(run.triage.results.length, 3, 'three typed results from mcpQuery children');
      for (const result of run.triage.results) assert.equal(result.success, true, JSON.stringify(result));
      assert.ok(
        run.triage.results[2]!.calls.some((call) => call.server === 'calendar' && call.status === 'completed'),
        'the approved calendar call of the child ran',
      );

      assert.match(await runInstalledCli(dir, ['worker', '--help']), /Usage: mcpflow worker/, 'the installed CLI runs');
    });
  }
});
