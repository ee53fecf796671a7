import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { until, waitFor } from '../helpers/wait';

describe('test/helpers/wait', () => {
  it('waitFor returns the first value that passes', async () => {
    let reads = 0;
    assert.equal(
      await waitFor(
        () => ++reads,
        (value) => value === 3,
        'the third read',
        { intervalMs: 1 },
      ),
      3,
    );
  });

  it('fails naming what never happened, with the last value (bigints shown, not thrown on)', async () => {
    await assert.rejects(
      waitFor(
        () => ({ n: 1n }),
        () => false,
        'a change',
        { timeoutMs: 20, intervalMs: 5 },
      ),
      /timed out after 0\.02 s waiting for a change; last value: \{"n":"1"\}/,
    );
    await assert.rejects(
      until(
        () => false,
        () => 'the state, said by the test',
        { timeoutMs: 20, intervalMs: 5 },
      ),
      /waiting for the state, said by the test$/,
    );
  });
});
