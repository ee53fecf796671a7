/** Background mode's pure rules (src/core/background.ts): when `auto` uses it, the refusal of `on` without storage, the polling pace. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundConflict, EARLY_POLL_CAP_MS, FIRST_POLL_MS, MAX_POLL_MS, pollDelayMs, usesBackground } from '../../src/core/background';

/** Polls until a response that runs `durationMs` is seen ended. */
function pollsFor(durationMs: number): number {
  let elapsed = 0;
  let polls = 0;
  while (elapsed < durationMs) {
    elapsed += pollDelayMs(polls, elapsed);
    polls++;
  }
  return polls;
}

describe('background mode', () => {
  it('auto and on run stored turns in the background; off and stateless turns never', () => {
    assert.equal(usesBackground(undefined, true), true);
    assert.equal(usesBackground('auto', true), true);
    assert.equal(usesBackground('on', true), true);
    assert.equal(usesBackground('off', true), false);
    assert.equal(usesBackground('auto', false), false);
  });

  it('refuses on with a stateless conversation, naming the fix', () => {
    assert.match(backgroundConflict('on', 'stateless') ?? '', /conversation "stored".*background "auto"/);
    assert.equal(backgroundConflict('on', 'stored'), undefined);
    assert.equal(backgroundConflict('auto', 'stateless'), undefined);
  });

  it('polls at 0.5 s first, backs off to 5 s, then to a tenth of the time run, at most 60 s', () => {
    assert.equal(pollDelayMs(0, 0), FIRST_POLL_MS);
    assert.equal(pollDelayMs(1, 500), 2 * FIRST_POLL_MS);
    assert.equal(pollDelayMs(10, 20_000), EARLY_POLL_CAP_MS);
    assert.equal(pollDelayMs(20, 200_000), 20_000);
    assert.equal(pollDelayMs(100, 24 * 3_600_000), MAX_POLL_MS);
  });

  it('keeps history bounded: a 60-second call is polled about 15 times, an hour-long one under 100', () => {
    assert.ok(pollsFor(60_000) <= 20, String(pollsFor(60_000)));
    assert.ok(pollsFor(3_600_000) < 100, String(pollsFor(3_600_000)));
  });
});
