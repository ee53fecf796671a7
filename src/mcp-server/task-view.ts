/**
 * A run as a task of the tasks extension (io.modelcontextprotocol/tasks): the task id is the
 * workflow id. A run waiting for a person is `input_required`, its approvals and an MCP server's
 * questions asked as elicitation forms; the keys of `inputRequests` carry what the answer needs
 * (the approval id and the `call_hash` the person was shown), so `tasks/update` needs no memory.
 */
import type { PendingApproval } from '../core/records';
import type { ElicitRequest, PendingInput } from '../core/mcp-input';
import { describeRun, readRun, viewOf, type RunState } from './run-reader';
import { toolResultOf } from './run-view';
import type { McpflowClient } from '../client/client';

const APPROVAL_KEY = 'approval.';
const INPUT_KEY = 'input.';

export type InputKey = { kind: 'approval'; id: string; call_hash?: string } | { kind: 'input'; id: string };

export function approvalKey(approval: PendingApproval): string {
  const payload = JSON.stringify(approval.call_hash ? [approval.id, approval.call_hash] : [approval.id]);
  return APPROVAL_KEY + Buffer.from(payload).toString('base64url');
}

export function inputKey(input: PendingInput): string {
  return INPUT_KEY + input.id;
}

export function parseInputKey(key: string): InputKey | undefined {
  if (key.startsWith(INPUT_KEY)) return { kind: 'input', id: key.slice(INPUT_KEY.length) };
  if (!key.startsWith(APPROVAL_KEY)) return undefined;
  try {
    const [id, callHash] = JSON.parse(Buffer.from(key.slice(APPROVAL_KEY.length), 'base64url').toString('utf8')) as unknown[];
    if (typeof id !== 'string') return undefined;
    return { kind: 'approval', id, ...(typeof callHash === 'string' ? { call_hash: callHash } : {}) };
  } catch {
    return undefined;
  }
}

/** The form an approval is asked with: a decision and an optional reason. */
export const APPROVAL_FORM = {
  type: 'object',
  properties: {
    decision: { type: 'string', title: 'Decision', enum: ['approve', 'deny'] },
    reason: { type: 'string', title: 'Reason (optional)', maxLength: 2000 },
  },
  required: ['decision'],
} as const;

function approvalRequest(approval: PendingApproval): ElicitRequest {
  const args = JSON.stringify(approval.arguments);
  return {
    method: 'elicitation/create',
    params: {
      mode: 'form',
      message: `Allow ${approval.server}.${approval.tool} with ${args.length > 1_000 ? `${args.slice(0, 999)}…` : args}?`,
      requestedSchema: APPROVAL_FORM as unknown as Extract<ElicitRequest['params'], { requestedSchema: unknown }>['requestedSchema'],
    },
  };
}

/** The server's own question, passed on as it asked it. */
function questionRequest(input: PendingInput): ElicitRequest {
  if (input.mode === 'url') return { method: 'elicitation/create', params: { mode: 'url', message: input.message, url: input.url ?? '' } };
  return {
    method: 'elicitation/create',
    params: { mode: 'form', message: input.message, requestedSchema: input.requested_schema ?? { type: 'object', properties: {} } },
  };
}

export interface TaskViewOptions {
  pollIntervalMs: number;
}

/** `Task` / `DetailedTask` fields, flat, as CreateTaskResult and GetTaskResult carry them. */
export function taskFields(run: RunState, options: TaskViewOptions): Record<string, unknown> {
  const base = {
    taskId: run.summary.workflow_id,
    createdAt: run.summary.start_time,
    lastUpdatedAt: run.summary.close_time ?? new Date().toISOString(),
    ttlMs: null,
    pollIntervalMs: options.pollIntervalMs,
  };
  if (run.kind === 'finished')
    return { ...base, status: 'completed', statusMessage: run.outcome.succeeded ? 'completed' : 'failed', result: toolResultOf(viewOf(run)) };
  if (run.kind === 'ended') {
    if (run.summary.status === 'CANCELLED' || run.summary.status === 'CANCELED')
      return { ...base, status: 'cancelled', statusMessage: 'the run was cancelled' };
    return {
      ...base,
      status: 'failed',
      statusMessage: run.summary.status.toLowerCase(),
      error: { code: -32603, message: `the run was ${run.summary.status.toLowerCase()}` },
    };
  }
  const { progress } = run;
  const requests: Record<string, ElicitRequest> = {};
  for (const approval of progress.pending_approvals) requests[approvalKey(approval)] = approvalRequest(approval);
  for (const input of progress.pending_input ?? []) requests[inputKey(input)] = questionRequest(input);
  if (Object.keys(requests).length) return { ...base, status: 'input_required', statusMessage: progress.detail, inputRequests: requests };
  return { ...base, status: 'working', statusMessage: progress.detail || progress.state };
}

/** The task now; a running run whose progress cannot be read (no worker this moment) is still working. */
export async function readTask(client: McpflowClient, workflowId: string, options: TaskViewOptions): Promise<Record<string, unknown>> {
  const run = await readRun(client, workflowId).catch(async (error: unknown) => {
    const summary = await describeRun(client, workflowId);
    if (summary.status !== 'RUNNING') throw error;
    return { kind: 'unreadable' as const, summary, error: (error as Error).message };
  });
  if (run.kind === 'unreadable') {
    return {
      taskId: workflowId,
      status: 'working',
      statusMessage: `progress not readable right now: ${run.error}`,
      createdAt: run.summary.start_time,
      lastUpdatedAt: new Date().toISOString(),
      ttlMs: null,
      pollIntervalMs: options.pollIntervalMs,
    };
  }
  return taskFields(run, options);
}
