/**
 * Approvals of one query run: requests wait durably for an `approve`/`deny` update (for days if
 * need be), standing approvals of the session answer at once (until they expire), an optional
 * timeout denies what is left, and every decision is recorded with who made it. Each request
 * carries a call_hash of what the person sees (src/core/call-hash.ts); its arguments are checked
 * against the tool's schema and the worker's webhooks told before the wait (./notify.ts).
 */
import { condition, metricMeter, patched, workflowInfo } from '@temporalio/workflow';
import { approverProblem, approversFor, type ApprovalDecision } from '../../src/core/approvers';
import { callHash } from '../../src/core/call-hash';
import { clipToBytes } from '../../src/core/payload-size';
import type { CallRecord, PendingApproval } from '../../src/core/records';
import type { InputItem } from '../../src/core/schemas';
import type { ServerConfig } from '../../src/core/servers';
import { findTool } from '../../src/core/tools';
import { NOTICE_ARGUMENTS_BYTES } from '../../src/core/wait-notice';
import { checkArgs } from '../input';
import { ApprovalAnswerSchema, type ApprovalAnswer, type ApprovalOutcome } from '../messages';
import { APPROVAL_WAITS_CHECKED_AND_ANNOUNCED, DENIED_CALLS_COUNTED } from '../patches';
import { announceWait, argumentProblems } from './notify';
import type { QueryRunState } from './run-state';

type Decision = Omit<ApprovalDecision, 'decided_at'>;

export class Approvals {
  private readonly pending: PendingApproval[] = [];
  private readonly decisions = new Map<string, ApprovalDecision>();
  /** Requests whose arguments are being checked: shown to no one yet. */
  private readonly checking = new Set<string>();

  constructor(private readonly run: QueryRunState) {
    run.openApprovals = () => this.open();
  }

  open(): PendingApproval[] {
    return this.pending.filter((approval) => !this.decisions.has(approval.id) && !this.checking.has(approval.id));
  }

  /** Adds a request, with the hash of what a person will see and the people who may decide it. */
  request(approval: PendingApproval) {
    const definition = findTool(this.run.catalog, approval.tool, approval.server)?.definition_hash ?? null;
    const approvers = this.serverOf(approval.server) && approversFor(this.serverOf(approval.server)!, approval.tool);
    this.pending.push({
      ...approval,
      call_hash: callHash({ server: approval.server, tool: approval.tool, arguments: approval.arguments, definition_hash: definition }),
      ...(approvers ? { approvers: [...approvers] } : {}),
    });
    this.run.emit('approval_request', `${approval.server} · ${approval.tool} needs approval (${approval.id})`);
  }

  decision(id: string): ApprovalDecision | undefined {
    return this.decisions.get(id);
  }

  /** The decision a call's record keeps (absent when the call needed none). */
  recordOf(id: string | null): Pick<CallRecord, 'decision'> {
    const decision = id === null ? undefined : this.decisions.get(id);
    return decision ? { decision } : {};
  }

  /**
   * Approves what the session trusts; checks the rest against their tools' schemas and tells the
   * worker's webhooks (runs recorded before did neither); then waits until each has an answer.
   */
  async settle(ids: string[]): Promise<void> {
    this.applyStandingApprovals(ids);
    const asking = ids.filter((id) => !this.decisions.has(id));
    if (!asking.length || !patched(APPROVAL_WAITS_CHECKED_AND_ANNOUNCED)) return this.waitFor(ids);
    await this.checkArguments(asking);
    // One answered meanwhile (its id guessed while being checked) needs no notification.
    const ends = asking
      .filter((id) => !this.decisions.has(id))
      .map((id) => {
        const approval = this.pending.find((each) => each.id === id)!;
        return announceWait(
          {
            kind: 'approval',
            request_id: id,
            server: approval.server,
            tool: approval.tool,
            requested_at: approval.requested_at,
            arguments_preview: clipToBytes(JSON.stringify(approval.arguments), NOTICE_ARGUMENTS_BYTES),
            ...(approval.call_hash ? { call_hash: approval.call_hash } : {}),
            ...(approval.schema_problems ? { schema_problems: approval.schema_problems } : {}),
            ...(approval.approvers ? { approvers: approval.approvers } : {}),
          },
          this.run.input.retry,
          (message) => this.run.emit('error', message),
        );
      });
    try {
      await this.waitFor(ids);
    } finally {
      for (const end of ends) end();
    }
  }

  /** The `mcp_approval_response` input item that answers a hosted request. */
  responseItem(id: string): InputItem {
    const decision = this.decisions.get(id)!;
    const item: InputItem = { type: 'mcp_approval_response', approval_request_id: id, approve: decision.approve };
    if (decision.reason) item.reason = decision.reason;
    return item;
  }

  /** The update validator: runs synchronously (the SDK does not await validators) and refuses without touching history. */
  validate(raw: ApprovalAnswer | undefined) {
    const answer = checkArgs(ApprovalAnswerSchema, raw ?? {}, 'approval answer');
    const id = answer.approval_request_id;
    const open = this.open();
    if (id === undefined && !open.length) throw new Error('no approval request is pending');
    if (id !== undefined) {
      if (this.decisions.has(id)) throw new Error(`approval request ${id} was already answered`);
      if (!this.pending.some((approval) => approval.id === id)) {
        throw new Error(`unknown approval request ${id}; pending: ${open.map((approval) => approval.id).join(', ') || 'none'}`);
      }
    }
    const targets = id === undefined ? open : this.pending.filter((approval) => approval.id === id);
    for (const approval of targets) {
      const server = this.serverOf(approval.server);
      const problem = server && approverProblem(server, approval.tool, answer.approver);
      if (problem) throw new Error(`${approval.id}: ${problem}`);
      if (answer.call_hash === undefined || answer.call_hash === approval.call_hash) continue;
      throw new Error(
        approval.call_hash === undefined
          ? `${approval.id}: this run does not hash its calls (it started before call_hash existed): leave call_hash out`
          : `${approval.id} is not the call that was shown: its call_hash is ${approval.call_hash}, the decision names ${answer.call_hash} (server, tool, arguments or the tool's definition differ); look at it again`,
      );
    }
  }

  answer(approve: boolean, raw: ApprovalAnswer | undefined): ApprovalOutcome {
    const { approval_request_id: id, reason, approver, call_hash } = ApprovalAnswerSchema.parse(raw ?? {});
    const ids = id ? [id] : this.open().map((approval) => approval.id);
    for (const each of ids) {
      this.decide(each, {
        approve,
        decided_by: 'person',
        ...(approver ? { approver } : {}),
        ...(reason ? { reason } : {}),
        ...(call_hash ? { call_hash } : {}),
      });
    }
    return { answered: ids, approve };
  }

  private serverOf(label: string): ServerConfig | undefined {
    return this.run.input.servers.find((server) => server.label === label);
  }

  /** Schema problems go on the request before anyone is asked (a person may approve anyway). */
  private async checkArguments(ids: string[]) {
    const calls = ids.flatMap((id) => {
      const approval = this.pending.find((each) => each.id === id)!;
      const tool = findTool(this.run.catalog, approval.tool, approval.server);
      return tool ? [{ id, input_schema: tool.input_schema, definition_hash: tool.definition_hash, arguments: approval.arguments }] : [];
    });
    for (const id of ids) this.checking.add(id);
    try {
      const problems = await argumentProblems(calls);
      for (const [id, found] of Object.entries(problems)) {
        const approval = this.pending.find((each) => each.id === id);
        if (approval && found.length) approval.schema_problems = found;
      }
    } finally {
      for (const id of ids) this.checking.delete(id);
    }
  }

  private async waitFor(ids: string[]): Promise<void> {
    const describe = this.pending.filter((approval) => ids.includes(approval.id)).map((approval) => `${approval.server} · ${approval.tool}`);
    this.run.setState('waiting_approval', `waiting for approval of ${describe.join(', ')}: mcpflow approve ${workflowInfo().workflowId}`);
    const allAnswered = () => ids.every((id) => this.decisions.has(id));
    const timeout = this.run.input.approval_timeout_ms;
    const answeredInTime = timeout === undefined ? (await condition(allAnswered), true) : await condition(allAnswered, timeout);
    if (answeredInTime) return;
    for (const id of ids) {
      if (!this.decisions.has(id))
        this.decide(id, { approve: false, decided_by: 'timeout', reason: `no answer within ${Math.round(timeout! / 1000)} s; denied automatically` });
    }
  }

  /** Approves at once what the session was told to trust, as long as the tool has not changed since and the approval has not expired. */
  private applyStandingApprovals(ids: string[]) {
    for (const id of ids) {
      const approval = this.pending.find((each) => each.id === id);
      if (!approval) continue;
      const current = findTool(this.run.catalog, approval.tool, approval.server);
      const standing = this.run.input.standing_approvals.find(
        (each) => each.server === approval.server && each.tool === approval.tool && each.definition_hash === current?.definition_hash,
      );
      if (!standing) continue;
      // An expired one no longer applies: the person is asked (inputs from before `expires_at` have none).
      if (standing.expires_at !== undefined && !(Date.parse(standing.expires_at) > Date.now())) {
        this.run.emit('state', `the standing approval of ${approval.server} · ${approval.tool} expired at ${standing.expires_at}: asking`);
        continue;
      }
      this.decide(id, { approve: true, decided_by: 'standing_approval', reason: 'standing approval' });
    }
  }

  private decide(id: string, partial: Decision) {
    const decision: ApprovalDecision = { ...partial, decided_at: new Date().toISOString() };
    this.decisions.set(id, decision);
    const approval = this.pending.find((each) => each.id === id);
    if (!approval) return;
    recordApprovalWait(approval, decision);
    this.run.emit(
      'approval_answer',
      `${approval.server} · ${approval.tool} ${decision.approve ? 'approved' : 'denied'}${decision.reason ? `: ${decision.reason}` : ''}${decision.approver ? ` (decided by ${decision.approver})` : ''}`,
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
      completed_at: decision.decided_at,
      duration_ms: null,
      decision,
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
function recordApprovalWait(approval: PendingApproval, decision: ApprovalDecision) {
  const requested = Date.parse(approval.requested_at);
  if (Number.isNaN(requested)) return;
  metricMeter
    .createHistogram('mcpflow_approval_wait', 'int', 'ms', 'Time a tool call waited for an approval answer')
    .record(Math.max(0, Date.now() - requested), { server: approval.server, tool: approval.tool, outcome: decision.approve ? 'approved' : 'denied' });
}
