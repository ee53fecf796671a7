/**
 * The lines of a batch past its first page, held by `batchLines` workflows (one per page of at
 * most 448 KiB), so the batch reads them from Temporal without a CLI feeding it (see
 * workflows/batch/held.ts). Starting them again is harmless: a running holder is kept, an ended
 * one (its lines sent) is not started again.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { heldLinesId, MAX_HELD_PAGE_BYTES, type BatchLine } from '../../workflows/batch/messages';
import type { batchLines } from '../../workflows/batch/held';
import { jsonBytes } from '../core/payload-size';
import type { McpflowClient } from './client';

const STARTS_AT_ONCE = 4;

/** The lines in pages of at most MAX_HELD_PAGE_BYTES; the same lines give the same pages. */
export function heldPages(lines: readonly BatchLine[]): BatchLine[][] {
  const pages: BatchLine[][] = [];
  let page: BatchLine[] = [];
  let bytes = 2;
  for (const line of lines) {
    const size = jsonBytes(line) + 1;
    if (page.length && bytes + size > MAX_HELD_PAGE_BYTES) {
      pages.push(page);
      page = [];
      bytes = 2;
    }
    page.push(line);
    bytes += size;
  }
  if (page.length) pages.push(page);
  return pages;
}

/** Starts the holder of every page (index k holds pages[k]) that is not running or done already. */
export async function startHolders(client: McpflowClient, batchId: string, pages: readonly BatchLine[][]): Promise<void> {
  const start = async (index: number) => {
    const lines = pages[index]!;
    await client.call(batchId, async () => {
      try {
        await client.temporal.workflow.start<typeof batchLines>('batchLines', {
          taskQueue: client.taskQueue,
          workflowId: heldLinesId(batchId, index),
          args: [{ batch_id: batchId, lines }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `lines ${lines[0]!.n}-${lines[lines.length - 1]!.n} of batch ${batchId}`,
        });
      } catch (error) {
        // It ended: it sent its lines.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    });
  };
  for (let i = 0; i < pages.length; i += STARTS_AT_ONCE) {
    await Promise.all(pages.slice(i, i + STARTS_AT_ONCE).map((_, j) => start(i + j)));
  }
}
