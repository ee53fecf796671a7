/**
 * The prototype of "lines as activities of the batch" (test/bench/batch-prototype.ts): one
 * workflow runs every line as (part of) an activity, `group` lines per activity, at most
 * `concurrency` lines in flight. No mcpflow code: what Temporal costs per line in that shape.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BatchLine } from '../../workflows/batch/messages';

const { runLines } = proxyActivities<{ runLines(lines: BatchLine[]): Promise<number> }>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export async function activityLinesBatch(args: { lines: BatchLine[]; concurrency: number; group: number }): Promise<number> {
  const groups: BatchLine[][] = [];
  for (let index = 0; index < args.lines.length; index += args.group) groups.push(args.lines.slice(index, index + args.group));
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (let index = next++; index < groups.length; index = next++) {
      // Not `done += await …`: that reads `done` before the await and loses the other lanes' lines.
      const ran = await runLines(groups[index]!);
      done += ran;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(args.concurrency / args.group)) }, lane));
  return done;
}
