/**
 * Lines held in Temporal, so that a batch gets them without a CLI attached.
 *
 * `batch run` starts one `batchLines` workflow per page of the file (≤ 448 KiB of lines, its input)
 * and exits when it likes (`--no-wait` at once). The batch asks the holder of its next line for
 * lines (`sendLines`) whenever its buffer is at most half full; the holder answers with one
 * `heldLines` signal of ≤ 256 KiB and ends once it has sent its last line. A holder that does not
 * exist (the CLI was killed before starting it) is named in the batch's progress with the command
 * that starts it again, and asked again every 10 s. A holder asks itself every hour whether its
 * batch still runs (an empty `heldLines` signal, refused by a closed batch) and ends if not.
 */
import { condition, continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { jsonBytes } from '../../src/core/payload-size';
import { parseInput } from '../input';
import {
  BatchLineSchema,
  heldLinesId,
  heldLinesSignal,
  heldPageOf,
  MAX_BUFFER_BYTES,
  MAX_HELD_SEND_BYTES,
  sendLinesSignal,
  SendLinesArgsSchema,
  type BatchLine,
  type SendLinesArgs,
} from './messages';
import type { BatchState } from './state';

export const HeldLinesInputSchema = z.strictObject({ batch_id: z.string().min(1), lines: z.array(BatchLineSchema).min(1) });
export type HeldLinesInput = z.infer<typeof HeldLinesInputSchema>;

const ALIVE_CHECK_MS = 60 * 60_000;
/** A request the holder did not answer is sent again after this long; one it could not get (no holder), sooner. */
const ASK_AGAIN_MS = 60_000;
const ASK_MISSING_AGAIN_MS = 10_000;

/** The holder of one page of a batch's lines. */
export async function batchLines(rawInput: HeldLinesInput): Promise<void> {
  const input = parseInput(HeldLinesInputSchema, rawInput, 'batchLines');
  const last = input.lines[input.lines.length - 1]!.n;
  const requests: SendLinesArgs[] = [];
  setHandler(sendLinesSignal, (args) => {
    const parsed = SendLinesArgsSchema.safeParse(args);
    if (parsed.success) requests.push(parsed.data);
  });
  const batch = getExternalWorkflowHandle(input.batch_id);
  for (;;) {
    const asked = await condition(() => requests.length > 0, ALIVE_CHECK_MS);
    if (!asked) {
      // A holder of a batch paused for months: its hourly checks would fill its history (an unanswered request is asked again).
      if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof batchLines>(input);
      const alive = await batch.signal(heldLinesSignal, { from: input.lines[0]!.n, lines: [] }).then(
        () => true,
        () => false,
      );
      if (!alive) return;
      continue;
    }
    const request = requests.shift()!;
    const lines = linesFrom(input.lines, request);
    const sent = await batch.signal(heldLinesSignal, { from: request.from, lines }).then(
      () => true,
      () => false,
    );
    // The batch is gone, or it has everything this page holds.
    if (!sent || lines[lines.length - 1]?.n === last) return;
  }
}

function linesFrom(lines: readonly BatchLine[], request: SendLinesArgs): BatchLine[] {
  const out: BatchLine[] = [];
  let bytes = 2;
  const budget = Math.min(request.max_bytes, MAX_HELD_SEND_BYTES);
  for (const line of lines) {
    if (line.n < request.from) continue;
    const size = jsonBytes(line) + 1;
    if (out.length && bytes + size > budget) break;
    out.push(line);
    bytes += size;
  }
  return out;
}

/** The batch's side: asks the holder of its next line when the buffer has room. */
export class HeldLineSource {
  private asked: { from: number; at: number } | null = null;

  constructor(private readonly batch: BatchState) {}

  /** When the main loop should look again (a request unanswered), or undefined. */
  get askAgainInMs(): number | undefined {
    if (!this.asked) return undefined;
    return Math.max(1, this.asked.at + ASK_AGAIN_MS - Date.now());
  }

  ask(command: string) {
    const batch = this.batch;
    const held = batch.input.held;
    const from = batch.state.received + 1;
    if (!held || from > batch.input.total || batch.state.stop !== null) {
      this.asked = null;
      return;
    }
    if (batch.heldBytes > MAX_BUFFER_BYTES / 2) return;
    if (this.asked && this.asked.from === from && Date.now() - this.asked.at < ASK_AGAIN_MS) return;
    const index = heldPageOf(held.pages, from);
    const holder = heldLinesId(batch.batchId, index);
    this.asked = { from, at: Date.now() };
    getExternalWorkflowHandle(holder)
      .signal(sendLinesSignal, { from, max_bytes: Math.min(MAX_HELD_SEND_BYTES, MAX_BUFFER_BYTES - batch.heldBytes) })
      .then(
        () => {
          if (this.asked?.from === from) batch.linesProblem = null;
        },
        () => {
          batch.linesProblem = `lines from ${from} on do not arrive: their holder ${holder} is not running; ${command}`;
          if (this.asked?.from === from) this.asked.at = Date.now() - ASK_AGAIN_MS + ASK_MISSING_AGAIN_MS;
          batch.changed = true;
        },
      );
  }

  /** A holder's answer: lines the batch lacks are taken (a late or repeated answer adds nothing). */
  take(from: number, lines: BatchLine[]) {
    const batch = this.batch;
    if (!lines.length || batch.refusePage(from, lines)) return;
    batch.appendPage(lines);
    batch.linesProblem = null;
    this.asked = null;
  }
}
