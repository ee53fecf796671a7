/** The start options of an mcpflow child of a user's workflow: id, queue, and what cancelling or closing the parent does to it. */
import { ChildWorkflowCancellationType, ParentClosePolicy, type ChildWorkflowOptions, type WorkflowInfo } from '@temporalio/workflow';
import { CHILD_INPUT_BUDGET_BYTES, jsonBytes } from '../../src/core/payload-size';
import { mcpflowFailure } from '../../src/core/failures';

export interface McpChildOptions {
  /** Default `<parent workflow id>/<mcp-query|mcp-discover>-<8 hex>`: deterministic (the workflow's seeded uuid4), unique per call. */
  workflowId?: string;
  /** The queue of the worker that runs mcpflow's workflows. Default: the parent's task queue. */
  taskQueue?: string;
  /**
   * Default WAIT_CANCELLATION_COMPLETED: cancelling the parent cancels the child and the parent's
   * own cancellation waits until the child has ended, so no query outlives a cancelled parent unseen.
   */
  cancellationType?: ChildWorkflowCancellationType;
  /**
   * Default REQUEST_CANCEL: a parent that ends (completes, fails, times out, is terminated) while a
   * query still runs asks it to cancel, so its activities stop cleanly; TERMINATE stops it at once.
   * ABANDON lets it run on (its approvals stay answerable).
   */
  parentClosePolicy?: ParentClosePolicy;
  /** Extra Temporal child options (memo, timeouts, retry...); the fields above win. */
  temporal?: Omit<ChildWorkflowOptions, 'args' | 'workflowId' | 'taskQueue' | 'cancellationType' | 'parentClosePolicy'>;
}

export function childOptions(
  kind: 'mcp-query' | 'mcp-discover',
  input: unknown,
  options: McpChildOptions,
  uuid: string,
  parent: Pick<WorkflowInfo, 'workflowId' | 'taskQueue'>,
): ChildWorkflowOptions {
  // Temporal terminates a workflow whose start-child input is over 2 MiB: refuse it here, with the fix.
  const bytes = jsonBytes(input);
  if (bytes > CHILD_INPUT_BUDGET_BYTES) {
    throw mcpflowFailure(
      'invalid_arguments',
      `the ${kind} input is ${bytes} bytes, at most ${CHILD_INPUT_BUDGET_BYTES}: shorten the query or pass a smaller catalog`,
      { retryable: false },
    );
  }
  return {
    ...options.temporal,
    workflowId: options.workflowId ?? `${parent.workflowId}/${kind}-${uuid.slice(0, 8)}`,
    taskQueue: options.taskQueue ?? parent.taskQueue,
    cancellationType: options.cancellationType ?? ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    parentClosePolicy: options.parentClosePolicy ?? ParentClosePolicy.REQUEST_CANCEL,
  };
}
