/**
 * What a query run has done and what a user sees of it: state, the catalog it uses, call
 * records, errors, retries and the bounded event log behind the `progress` query, mirrored to
 * the Web UI's current details, the search attributes and the parent session.
 */
import { getExternalWorkflowHandle, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { RecordedError } from '../../src/core/errors';
import { MCP_STATE, MCP_TOOL_CALL_COUNT } from '../../src/core/search-attributes';
import { clipToBytes, MAX_EVENT_TEXT_BYTES, OutputBudget } from '../../src/core/payload-size';
import type { CallRecord, PendingApproval, QueryResult } from '../../src/core/records';
import type { PendingInput, TaskProgress } from '../../src/core/mcp-input';
import { EMPTY_CATALOG, type Catalog } from '../../src/core/tools';
import type { Usage } from '../../src/core/schemas';
import { addTokens, EMPTY_TOKENS, turnTokens, type TokenTotals } from '../../src/core/usage';
import { queryStateSignal, type ParsedQueryInput, type ProgressEvent, type QueryState, type QueryStateChange } from '../messages';
import { searchAttributeWriter } from '../search-attributes';
import { ParentSignals } from './parent-signals';

const MAX_EVENTS = 100;

const STATE_WORDS: Record<QueryState, string> = {
  idle: 'Idle',
  discovering: 'Discovering tools',
  executing: 'Running',
  waiting_approval: 'Waiting for approval',
  waiting_input: 'Waiting for an answer',
  completed: 'Completed',
  failed: 'Failed',
};

export class QueryRunState {
  state: QueryState = 'idle';
  private stateDetail = 'starting';
  /** Model turns taken so far. */
  step = 0;
  catalog: Catalog;
  readonly calls: CallRecord[] = [];
  readonly errors: RecordedError[] = [];
  readonly events: ProgressEvent[] = [];
  retries = 0;
  result: QueryResult | null = null;
  lastResponseId: string | null = null;
  /** Tokens of every model turn so far, and their estimated cost at the input's price. */
  tokens: TokenTotals = EMPTY_TOKENS;
  /** Each turn's tokens (at most max_steps, ≤ 50 entries): kept in state, only the sum goes into the result. */
  readonly turnTokens: { step: number; tokens: TokenTotals }[] = [];
  readonly startedAt = Date.now();
  /** The approvals still waiting for an answer; set by the approvals once they exist. */
  openApprovals: () => PendingApproval[] = () => [];
  /** MCP servers' questions still waiting for an answer (direct mode, ./elicitation.ts); undefined in hosted mode, which takes no answers. */
  openInputs: () => PendingInput[] | undefined = () => undefined;
  /** Tasks followed so far (direct mode, ./tasks.ts). */
  followedTasks: () => TaskProgress[] | undefined = () => undefined;

  readonly upsertSearchAttributes: ReturnType<typeof searchAttributeWriter>;
  private eventSeq = 0;
  private readonly parentSignals = new ParentSignals();
  /** Keeps the call records, and so the result, under the payload limit however many calls a run makes. */
  private readonly outputBudget = new OutputBudget();

  constructor(readonly input: ParsedQueryInput) {
    this.upsertSearchAttributes = searchAttributeWriter(input.search_attributes);
    this.catalog = input.catalog ?? EMPTY_CATALOG;
  }

  /**
   * An activity (or child) that needed more than one attempt. `fixedErrors` are the errors of
   * the attempts a retry made good (activities/attempt-errors.ts): errors all the same, so they
   * count in errors_by_type. Histories from before they were carried have none: replay is unchanged.
   */
  countAttempts(attempts: number, fixedErrors: readonly RecordedError[] = []) {
    this.retries += Math.max(0, attempts - 1);
    this.errors.push(...fixedErrors);
  }

  /** A model turn's `usage` (none when the API reported none: it counts nothing). */
  addUsage(usage: Usage | null | undefined) {
    const tokens = turnTokens(usage, this.input.price);
    if (!tokens.turns) return;
    this.turnTokens.push({ step: this.step, tokens });
    this.tokens = addTokens(this.tokens, tokens);
  }

  addCall(full: CallRecord, error: RecordedError | null) {
    const record = full.output === null ? full : { ...full, output: this.outputBudget.keep(full.output) };
    this.calls.push(record);
    if (error) this.errors.push(error);
    this.upsertSearchAttributes([{ key: MCP_TOOL_CALL_COUNT, value: this.calls.length }]);
    this.emit('tool_call', `${record.server} · ${record.tool} ${record.status}${record.duration_ms !== null ? ` in ${record.duration_ms} ms` : ''}`, record);
  }

  /**
   * What the run does now, for `progress`: the detail of its state, except while a tool runs as an
   * MCP task, when the turn's "asking the model" is long over (read only by the query handler:
   * no command depends on it).
   */
  get detail(): string {
    const working = this.state === 'executing' ? (this.followedTasks() ?? []).filter((task) => task.status === 'working') : [];
    if (!working.length) return this.stateDetail;
    return `running a tool task: ${working.map((task) => `${task.server} · ${task.tool} (task ${task.task_id}, ${task.polls} poll(s))`).join(', ')}`;
  }

  set detail(value: string) {
    this.stateDetail = value;
  }

  setState(state: QueryState, detail: string) {
    this.state = state;
    this.detail = detail;
    setCurrentDetails(`**${STATE_WORDS[state]}** — ${detail}\n\ncalls so far: ${this.calls.length}, retries: ${this.retries}`);
    this.upsertSearchAttributes([{ key: MCP_STATE, value: state }]);
    this.emit('state', `${STATE_WORDS[state]}: ${detail}`);
    this.tellParent();
  }

  emit(kind: ProgressEvent['kind'], message: string, call?: CallRecord) {
    // An event shows a call in brief (100 events of full records could pass the 2 MiB a query answer may have).
    const brief = call && {
      ...call,
      output: call.output && clipToBytes(call.output, MAX_EVENT_TEXT_BYTES),
      error_message: call.error_message && clipToBytes(call.error_message, MAX_EVENT_TEXT_BYTES),
    };
    this.events.push({
      seq: ++this.eventSeq,
      at: new Date().toISOString(),
      kind,
      message: clipToBytes(message, MAX_EVENT_TEXT_BYTES),
      ...(brief ? { call: brief } : {}),
    });
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }

  /** A session shows what its running queries wait for; it learns it from this signal. */
  private tellParent() {
    const parent = workflowInfo().parent;
    if (!parent) return;
    // Sessions and batches count a run that waits for a person, whatever it asks: the signal keeps the state they know.
    const state = this.state === 'waiting_input' ? 'waiting_approval' : this.state;
    if (!this.parentSignals.tells(state)) return;
    const change: QueryStateChange = { workflow_id: workflowInfo().workflowId, state, pending_approvals: this.openApprovals() };
    // The parent may have moved on (continue-as-new); its progress is a courtesy, not a duty.
    getExternalWorkflowHandle(parent.workflowId)
      .signal(queryStateSignal, change)
      .catch(() => undefined);
  }
}
