/**
 * Sessions and stdio servers: a hosted-mode session refuses a stdio server when it is added
 * (its validator, so nothing enters history), through the update and through the real CLI; a
 * direct-mode session takes it. Real Temporal dev server and worker.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { mcpSession } from '../../workflows';
import { addServerUpdate, sessionProgressQuery } from '../../workflows/messages';
import { runCli } from '../cli/harness';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId, withWorker } from '../helpers/temporal';

const memory = { label: 'memory', command: process.execPath, args: ['server.js'], require_approval: 'never' as const, inline: true as const };

describe('sessions and stdio servers', () => {
  const stack = useOfflineStack();

  it('a hosted-mode session refuses a stdio server, naming it and what to do; a direct-mode session takes it', async () => {
    const taskQueue = uniqueTaskQueue('stdio-session');
    await withWorker(
      { taskQueue, activities: createActivities({ serverRegistry: { servers: [], allowInline: true }, openaiBaseURL: stack.emulator.url, env: {} }) },
      async (env) => {
        const weather = { label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' as const };
        const hosted = await env.client.workflow.start(mcpSession, {
          taskQueue,
          workflowId: uniqueWorkflowId('hosted-session'),
          args: [{ servers: [weather], mode: 'hosted' }],
        });
        const refused = await hosted.executeUpdate(addServerUpdate, { args: [memory] }).then(
          () => assert.fail('the update should be refused'),
          (error: unknown) => error,
        );
        assert.ok(refused instanceof WorkflowUpdateFailedError, String(refused));
        assert.match(
          String(refused.cause?.message),
          /server "memory" is a stdio server.*this session runs in hosted mode.*mcpflow session start <new id> --mode direct/,
        );
        assert.deepEqual((await hosted.query(sessionProgressQuery)).servers, ['weather']);
        // A validator's refusal leaves no trace in history.
        assert.ok(!JSON.stringify(await hosted.fetchHistory()).includes('"memory"'));

        // The CLI, asked to add it to the running hosted session (even with --mode direct, which cannot change a running session).
        const cli = await runCli(['session', 'start', hosted.workflowId, '--mode', 'direct', '--server', `memory=stdio:${process.execPath} server.js`], {
          via: 'source',
          env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue },
        });
        assert.equal(cli.code, 1, `${cli.code} ${cli.stdout} ${cli.stderr}`);
        assert.match(cli.stderr, /server "memory" is a stdio server.*this session runs in hosted mode/);
        assert.deepEqual((await hosted.query(sessionProgressQuery)).servers, ['weather']);

        const direct = await env.client.workflow.start(mcpSession, {
          taskQueue,
          workflowId: uniqueWorkflowId('direct-session'),
          args: [{ servers: [weather], mode: 'direct' }],
        });
        assert.deepEqual(await direct.executeUpdate(addServerUpdate, { args: [memory] }), ['weather', 'memory']);
        await Promise.all([hosted.terminate('test done'), direct.terminate('test done')]);
      },
    );
  });
});
