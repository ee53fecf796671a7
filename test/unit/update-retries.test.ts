/** Which update failures the client sends again (pure logic; the 100-way test is test/workflows/session-updates-at-continue-as-new.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { busyWorkflowError, LimitExceededError, UpdateRejectedError } from '../../src/client/errors';
import { isRetryableUpdateError, retryingUpdate } from '../../src/client/update-retries';
import { SESSION_CONTINUING_AS_NEW } from '../../workflows/session/refusal';

/** A gRPC error as the SDK's transport builds it (code, details, metadata). */
function grpc(code: number, message: string): Error {
  return Object.assign(new Error(`${code} ${message}`), { code, details: message, metadata: {} });
}

describe('isRetryableUpdateError', () => {
  it('retries what did not run: a draining session, an aborted update, a full workflow', () => {
    assert.equal(isRetryableUpdateError(new UpdateRejectedError(`rejected by workflow s: ${SESSION_CONTINUING_AS_NEW}`)), true);
    assert.equal(
      isRetryableUpdateError(
        new ServiceError('Workflow Update failed', { cause: grpc(9, 'Unable to perform workflow execution update due to unexpected workflow task failure.') }),
      ),
      true,
    );
    assert.equal(isRetryableUpdateError(new ServiceError('Workflow Update failed', { cause: grpc(10, 'update was aborted') })), true);
    assert.equal(isRetryableUpdateError(busyWorkflowError('s', 'q')), true);
  });

  it('does not retry a refusal on the merits, a size refusal or any other failure', () => {
    assert.equal(isRetryableUpdateError(new UpdateRejectedError('rejected by workflow s: the session has no servers: add one with addServer first')), false);
    assert.equal(isRetryableUpdateError(new LimitExceededError('Temporal refused the request for s: it is too large (…)')), false);
    assert.equal(isRetryableUpdateError(new ServiceError('x', { cause: grpc(9, 'some other precondition') })), false);
    assert.equal(isRetryableUpdateError(new Error('boom')), false);
  });
});

describe('retryingUpdate', () => {
  it('sends again until it succeeds; a non-retryable failure ends it at once', async () => {
    let calls = 0;
    const value = await retryingUpdate(
      async () => {
        if (++calls < 3) throw new UpdateRejectedError(SESSION_CONTINUING_AS_NEW);
        return 'done';
      },
      { baseDelayMs: 1, maxDelayMs: 2 },
    );
    assert.equal(value, 'done');
    assert.equal(calls, 3);
    let once = 0;
    await assert.rejects(
      retryingUpdate(async () => {
        once++;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(once, 1);
  });

  it('gives up when its budget is spent, with the last failure', async () => {
    await assert.rejects(
      retryingUpdate(() => Promise.reject(busyWorkflowError('s', 'q')), { budgetMs: 20, baseDelayMs: 5, maxDelayMs: 10 }),
      LimitExceededError,
    );
  });
});
