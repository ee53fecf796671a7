/**
 * Approvals of one query run: requests wait durably for an `approve`/`deny` update (for days if
 * need be), standing approvals of the session answer at once, an optional timeout denies what
 * is left, and every denial becomes a call record.
 */
import { condition, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import type { CallRecord, PendingApproval } from '../../src/core/records';
import type { InputItem } from '../../src/core/schemas';
import { findTool } from '../../src/core/tools';
import { checkArgs } from '../input';
import { ApprovalAnswerSchema, type ApprovalAnswer, type ApprovalOutcome } from '../messages';
import { DENIED_CALLS_COUNTED } from '../patches';
import type { QueryRunState } from './run-state';

interface Decision {
  approve: boolean;
  reason?: string;
}

export class Approvals {
  private readonly pending: PendingApproval[] = [];
  private readonly decisions = new Map<string, Decision>();

  constructor(private readonly run: QueryRunState) {
    run.openApprovals = () => this.open();
  }

  open(): PendingApproval[] {
    return this.pending.filter((approval) => !this.decisions.has(approval.id));
  }

  request(approval: PendingApproval) {
    this.pending.push(approval);
    this.run.emit('approval_request', `${approval.server} · ${approval.tool} needs approval (${approval.id})`);
  }

  decision(id: string): Decision | undefined {
    return this.decisions.get(id);
  }

  /** Approves what the session trusts, then waits until every one of these requests has an answer. */
  async settle(ids: string[]): Promise<void> {
    this.applyStandingApprovals(ids);
    await this.waitFor(ids);
  }

  /** The `mcp_approval_response` input item that answers a hosted request. */
  responseItem(id: string): InputItem {
    const decision = this.decisions.get(id)!;
    const item: InputItem = { type: 'mcp_approval_response', approval_request_id: id, approve: decision.approve };
    if (decision.reason) item.reason = decision.reason;
    return item;
  }

  /** The update validator: runs synchronously (the SDK does not await validators) and refuses without touching history. */
  validate(answer: ApprovalAnswer | undefined) {
    const id = checkArgs(ApprovalAnswerSchema, answer ?? {}, 'approval answer').approval_request_id;
    const open = this.open();
    if (id === undefined) {
      if (!open.length) throw new Error('no approval request is pending');
      return;
    }
    if (this.decisions.has(id)) throw new Error(`approval request ${id} was already answered`);
    if (!this.pending.some((approval) => approval.id === id)) {
      throw new Error(`unknown approval request ${id}; pending: ${open.map((approval) => approval.id).join(', ') || 'none'}`);
    }
  }

  answer(approve: boolean, answer: ApprovalAnswer | undefined): ApprovalOutcome {
    const { approval_request_id: id, reason } = ApprovalAnswerSchema.parse(answer ?? {});
    const ids = id ? [id] : this.open().map((approval) => approval.id);
    for (const each of ids) this.decide(each, { approve, reason });
    return { answered: ids, approve };
  }

  private async waitFor(ids: string[]): Promise<void> {
    const describe = this.pending.filter((approval) => ids.includes(approval.id)).map((approval) => `${approval.server} · ${approval.tool}`);
    this.run.setState('waiting_approval', `waiting for approval of ${describe.join(', ')}: mcpflow approve ${workflowInfo().workflowId}`);
    const allAnswered = () => ids.every((id) => this.decisions.has(id));
    const timeout = this.run.input.approval_timeout_ms;
    const answeredInTime = timeout === undefined ? (await condition(allAnswered), true) : await condition(allAnswered, timeout);
    if (answeredInTime) return;
    for (const id of ids) {
      if (!this.decisions.has(id)) this.decide(id, { approve: false, reason: `no answer within ${Math.round(timeout! / 1000)} s; denied automatically` });
    }
  }

  /** Approves at once what the session was told to trust, as long as the tool has not changed since. */
  private applyStandingApprovals(ids: string[]) {
    for (const id of ids) {
      const approval = this.pending.find((each) => each.id === id);
      if (!approval) continue;
      const current = findTool(this.run.catalog, approval.tool, approval.server);
      const standing = this.run.input.standing_approvals.find(
        (each) => each.server === approval.server && each.tool === approval.tool && each.definition_hash === current?.definition_hash,
      );
      if (standing) this.decide(id, { approve: true, reason: 'standing approval' });
    }
  }

  private decide(id: string, decision: Decision) {
    this.decisions.set(id, decision);
    const approval = this.pending.find((each) => each.id === id);
    if (!approval) return;
    recordApprovalWait(approval, decision);
    this.run.emit(
      'approval_answer',
      `${approval.server} · ${approval.tool} ${decision.approve ? 'approved' : 'denied'}${decision.reason ? `: ${decision.reason}` : ''}`,
    );
    if (decision.approve) return;
    const record: CallRecord = {
      id,
      tool: approval.tool,
      server: approval.server,
      arguments: approval.arguments,
      status: 'denied',
      output: null,
      error_type: null,
      error_message: decision.reason ?? 'denied',
      approval_request_id: id,
      started_at: approval.requested_at,
      completed_at: new Date().toISOString(),
      duration_ms: null,
    };
    // Runs recorded before this change pushed denied calls without counting or announcing them.
    if (patched(DENIED_CALLS_COUNTED)) this.run.addCall(record, null);
    else this.run.calls.push(record);
  }
}

/**
 * `mcpflow_approval_wait` (ms from request to answer, by server, tool and outcome) on the worker's
 * metrics endpoint. Workflow metrics are not emitted during replay, and emitting one adds nothing
 * to history: no `patched` needed.
 */
function recordApprovalWait(approval: PendingApproval, decision: Decision) {
  const requested = Date.parse(approval.requested_at);
  if (Number.isNaN(requested)) return;
  metricMeter
    .createHistogram('mcpflow_approval_wait', 'int', 'ms', 'Time a tool call waited for an approval answer')
    .record(Math.max(0, Date.now() - requested), { server: approval.server, tool: approval.tool, outcome: decision.approve ? 'approved' : 'denied' });
}
