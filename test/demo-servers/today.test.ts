/** The demo's "today": the real date unless pinned (tests pin it through MCPFLOW_DEMO_TODAY); the emulator's model uses the same day. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoToday, DEMO_TODAY } from '../../src/demo-servers/today';
import { todayOf } from '../../src/emulator/script';

describe('demo today', () => {
  it('is the real UTC date without a pin, the pinned date with a valid one', () => {
    const now = new Date('2026-11-30T23:30:00Z');
    assert.equal(demoToday({}, now), '2026-11-30');
    assert.equal(demoToday({ MCPFLOW_DEMO_TODAY: '2026-11-26' }, now), '2026-11-26');
    assert.equal(demoToday({ MCPFLOW_DEMO_TODAY: '2026-02-30' }, now), '2026-11-30', 'an impossible date is ignored');
    assert.equal(demoToday({ MCPFLOW_DEMO_TODAY: 'soon' }, now), '2026-11-30');
  });

  it('the emulator asks for the day the demo servers call today, unless the request pins one', () => {
    assert.equal(DEMO_TODAY, demoToday());
    assert.equal(todayOf({ model: 'm' }), demoToday());
    assert.equal(todayOf({ model: 'm', metadata: { mcpflow_today: '2027-01-02' } }), '2027-01-02');
  });

  it("the emulator's today option (EmulatorOptions.today) replaces the default, and a request's pin still wins", () => {
    assert.equal(
      todayOf({ model: 'm' }, () => '2027-03-04'),
      '2027-03-04',
    );
    assert.equal(
      todayOf({ model: 'm', metadata: { mcpflow_today: '2027-01-02' } }, () => '2027-03-04'),
      '2027-01-02',
    );
  });
});
