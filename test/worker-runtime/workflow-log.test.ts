/** The worker log's lines for workflows and the SDK core (pure: the real worker's output is test/worker-runtime/log-lines.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpflowWorkerLogger } from '../../src/worker/logger';

describe('McpflowWorkerLogger: workflows and the SDK core', () => {
  const logged = () => {
    const lines: string[] = [];
    return { lines, logger: new McpflowWorkerLogger('WARN', (line) => lines.push(line)) };
  };

  it('a failing workflow task: one line per run and message, however often both SDK layers report it', () => {
    const { lines, logger } = logged();
    const error = Object.assign(new Error("Failed to initialize workflow of type 'x'"), {
      stack: "TypeError: Failed to initialize workflow of type 'x'\n    at a (b.ts:1:1)",
    });
    const dump = `Failure { failure: Some(Failure { message: "Failed to initialize workflow of type 'x'", source: "TypeScriptSDK", stack_trace: "at a" }) }`;
    for (let attempt = 0; attempt < 5; attempt++) {
      logger.error('Failed to process Workflow Activation', { sdkComponent: 'worker', runId: 'r1', error });
      logger.warn('Failing workflow task', { sdkComponent: 'core', runId: 'r1', failure: dump });
    }
    logger.error('Failed to process Workflow Activation', { sdkComponent: 'worker', runId: 'r1', error: new Error('another failure') });
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /\[ERROR\] Workflow task failed runId=r1 errorType=TypeError message="Failed to initialize workflow of type 'x'"/);
    assert.match(lines[1]!, /message="another failure"/);
  });

  it('other lines of the core: one line of key=value, no multi-line object', () => {
    const { lines, logger } = logged();
    logger.warn('Task not found when completing', {
      sdkComponent: 'core',
      target: 'temporalio_sdk_core::worker',
      spanContexts: undefined,
      error: { code: 5, message: 'Workflow task not found.' },
      run_id: 'r2',
    });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /\[WARN\] Task not found when completing target=temporalio_sdk_core::worker error="\{\\"code\\":5,\\"message\\":\\"Workflow task not found.\\"\}" run_id=r2$/,
    );
  });
});
