/** What a batch's first run starts from: nothing received, nothing counted (later runs start from the carry of the run before). */
import { EMPTY_TOKENS } from '../../src/core/usage';
import type { BatchCarry } from './messages';

export function emptyCarry(now: number): BatchCarry {
  return {
    received: 0,
    buffer: [],
    retry_queue: [],
    running: [],
    waiting_approval: [],
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    denied: 0,
    succeeded_with_failed_calls: 0,
    failed_by_type: {},
    failed_lines: [],
    finished: [],
    seq: 0,
    paused: false,
    stop: null,
    tokens: EMPTY_TOKENS,
    started_at: now,
    runs: 0,
  };
}
