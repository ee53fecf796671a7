/** `--server 'label=stdio:…'` on the real CLI: hosted mode refuses it before anything starts (exit 2), direct mode starts the query. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, teardownTestEnv, uniqueTaskQueue, type TestEnv } from '../helpers/temporal';
import { runCli, type CliOptions } from '../cli/harness';

let env: TestEnv;
const taskQueue = uniqueTaskQueue('cli-stdio');
const started: string[] = [];

function cli(args: string[], options: CliOptions = {}) {
  return runCli(args, {
    via: 'source',
    ...options,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, MCPFLOW_TASK_QUEUE: taskQueue, ...options.env },
  });
}

before(async () => {
  env = await getTestEnv();
});

after(async () => {
  for (const id of started)
    await env.client.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  await teardownTestEnv();
});

describe('mcpflow query with a stdio server', () => {
  it('hosted mode: exit 2 naming the server and --mode direct, nothing started', async () => {
    const run = await cli(['query', 'remember me', '--no-wait', '--mode', 'hosted', '--server', 'memory=stdio:npx -y @modelcontextprotocol/server-memory']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /server "memory" is a stdio server.*use --mode direct/);
    assert.equal(run.stdout, '');
  });

  it('a malformed stdio spec: exit 2 naming the problem', async () => {
    const run = await cli(['query', 'x', '--mode', 'direct', '--server', 'memory=stdio:node "unclosed']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--server "memory=stdio:node \\"unclosed": the quote " is not closed|the quote " is not closed/);
  });

  it('direct mode: the query starts with the parsed command, args and env reference', async () => {
    const run = await cli([
      'query',
      'remember me',
      '--no-wait',
      '--mode',
      'direct',
      '--server',
      `memory=stdio:node "/opt/my server/index.js" --flag,approval=never,env=MEMORY_FILE_PATH`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const workflowId = run.stdout.trim();
    started.push(workflowId);
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const input = JSON.stringify(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input);
    const decoded = Buffer.from(JSON.parse(input).payloads[0].data, 'base64').toString('utf8');
    assert.match(decoded, /"command":"node","args":\["\/opt\/my server\/index.js","--flag"\],"env":\{"MEMORY_FILE_PATH":\{"env":"MEMORY_FILE_PATH"\}\}/);
  });
});
