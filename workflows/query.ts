/**
 * runQuery: the Responses loop of the seed's execute(), made durable. Each model turn is one
 * activity; each `mcp_approval_request` is a durable wait for an `approve`/`deny` update (it
 * survives worker and server restarts, for days); every `mcp_call` becomes a call record.
 *
 * Hosted mode: OpenAI calls the MCP servers inside a Responses call, so the unit of durability
 * is one Responses call; if it is cut off and retried, OpenAI runs that turn's tools again.
 * Direct mode: the model sees the tools as function tools, the workflow asks for approval
 * before a call, and each call is its own activity, retried on its own.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ResponsesCallResult } from '../activities/responses';
import { classifyMcpCallError, errorSummary, type RecordedError } from '../src/core/errors';
import { describeCallError, outputText, parseArguments } from '../src/core/parser';
import { durationMs, filterHistory, HistoryFilterSchema, workflowStatistics, type CallRecord, type QueryResult } from '../src/core/records';
import { activityRetryPolicy } from '../src/core/retry';
import { functionToolsFromCatalog, type ToolBinding } from '../src/core/function-tools';
import { describeZodError, type FunctionCallItem, type FunctionToolConfig, type InputItem, type McpCallItem } from '../src/core/schemas';
import { requiresApproval, type ServerConfig } from '../src/core/servers';
import { catalogTools, discoveredToolFromListed, EMPTY_CATALOG, findTool, isCatalogFresh, type Catalog, type DiscoveredTool } from '../src/core/tools';
import { refreshCatalog } from './discovery';
import { describeFailure, isActivityOrChildFailure } from './failures';
import { parseInput } from './input';
import {
  ApprovalAnswerSchema,
  approveUpdate,
  catalogQuery,
  denyUpdate,
  historyQuery,
  progressQuery,
  QueryInputSchema,
  queryStateSignal,
  resultQuery,
  statsQuery,
  type ApprovalAnswer,
  type ApprovalOutcome,
  type ParsedQueryInput,
  type PendingApproval,
  type ProgressEvent,
  type QueryInput,
  type QueryState,
  type QueryStateChange,
} from './messages';
import { MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT, searchAttributeWriter } from './search-attributes';

const MAX_EVENTS = 100;

export async function runQuery(rawInput: QueryInput): Promise<QueryResult> {
  const input = parseInput(QueryInputSchema, rawInput, 'runQuery');
  return new QueryRun(input).execute();
}

interface Decision {
  approve: boolean;
  reason?: string;
}

class QueryRun {
  private state: QueryState = 'idle';
  private step = 0;
  private detail = 'starting';
  private readonly pending: PendingApproval[] = [];
  private readonly decisions = new Map<string, Decision>();
  private readonly calls: CallRecord[] = [];
  private readonly errors: RecordedError[] = [];
  private readonly events: ProgressEvent[] = [];
  private eventSeq = 0;
  private retries = 0;
  private catalog: Catalog;
  private result: QueryResult | null = null;
  private lastResponseId: string | null = null;
  private readonly startedAt = Date.now();

  private readonly upsertSearchAttributes: ReturnType<typeof searchAttributeWriter>;

  constructor(private readonly input: ParsedQueryInput) {
    this.upsertSearchAttributes = searchAttributeWriter(input.search_attributes);
    this.catalog = input.catalog ?? EMPTY_CATALOG;
    this.registerHandlers();
  }

  async execute(): Promise<QueryResult> {
    this.upsertSearchAttributes([{ key: MCP_SERVERS, value: this.input.servers.map((server) => server.label) }]);
    try {
      const servers = await this.ensureCatalog();
      const text = await this.converse(servers);
      return this.finish({ success: true, text_response: text, error: null, error_type: null, stale: false });
    } catch (failure) {
      if (!isActivityOrChildFailure(failure) && !(failure instanceof QueryStop)) throw failure;
      return this.fail(failure);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Discovery

  /** Lists tools when the catalog is older than the TTL; returns the servers the query can use. */
  private async ensureCatalog() {
    const labels = this.input.servers.map((server) => server.label);
    if (!this.input.force_refresh && isCatalogFresh(this.catalog, labels, Date.now(), this.input.cache_ttl_ms)) {
      this.emit('discovery', `using cached tools (${catalogTools(this.catalog).length} tools, younger than the TTL)`);
      return this.input.servers;
    }
    this.setState('discovering', `listing the tools of ${labels.join(', ')}`);
    const { catalog, servers } = await refreshCatalog(this.input.servers, this.catalog, this.input);
    this.catalog = catalog;
    for (const server of servers) {
      this.retries += Math.max(0, server.attempts - 1);
      if (server.error) {
        this.errors.push(server.error);
        const cached = catalog.servers[server.label]?.stale ? ' (keeping its cached tools, marked stale)' : '';
        this.emit('error', `${server.label} could not be listed: ${server.error.message}${cached}; answering without it`);
      } else {
        this.emit('discovery', `${server.label}: ${server.tool_count} tools`);
      }
    }
    const usable = this.input.servers.filter((server) => catalog.servers[server.label]?.status === 'ok');
    if (!usable.length) {
      const first = servers.find((server) => server.error)?.error ?? undefined;
      throw new QueryStop(`no MCP server could be listed${first ? `: ${first.message}` : ''}`, first);
    }
    return usable;
  }

  // -------------------------------------------------------------------------------------------
  // The Responses loop

  private async converse(servers: ParsedQueryInput['servers']): Promise<string> {
    // Direct mode: the model sees MCP tools as function tools, and the worker runs each call.
    const direct = this.input.mode === 'direct' ? functionToolsFromCatalog(this.catalog, servers.map((server) => server.label)) : null;
    let input: string | InputItem[] = this.input.query;
    let previousResponseId: string | null = null;
    for (;;) {
      if (this.step >= this.input.max_steps) {
        throw new QueryStop(`the step limit (${this.input.max_steps} model turns) was reached before a final answer`);
      }
      this.step++;
      this.setState('executing', `asking the model (turn ${this.step}) with ${servers.map((server) => server.label).join(', ')}`);
      const response = await this.callModel(servers, input, previousResponseId, direct?.tools);
      this.retries += response.attempt - 1;
      this.lastResponseId = response.response_id;
      this.absorb(response);
      if (response.status === 'failed' || response.error) {
        throw new QueryStop(`the model run failed: ${response.error?.code ?? response.status}: ${response.error?.message ?? ''}`);
      }
      if (direct) {
        const calls = response.output.filter((item) => item.type === 'function_call');
        if (!calls.length) return outputText(response);
        input = await this.runFunctionCalls(calls, direct.bindings, servers);
      } else {
        const requests = response.output.filter((item) => item.type === 'mcp_approval_request');
        if (!requests.length) return outputText(response);
        const ids = requests.map((item) => item.id);
        this.applyStandingApprovals(ids);
        await this.waitForApprovals(ids);
        input = ids.map((id) => this.approvalResponse(id));
      }
      previousResponseId = response.response_id;
    }
  }

  private callModel(
    servers: ParsedQueryInput['servers'],
    input: string | InputItem[],
    previousResponseId: string | null,
    functionTools: FunctionToolConfig[] | undefined,
  ) {
    const activities = proxyActivities<Activities>({
      startToCloseTimeout: this.input.call_timeout_ms,
      heartbeatTimeout: this.input.stream ? Math.min(60_000, this.input.call_timeout_ms) : undefined,
      retry: activityRetryPolicy(this.input.retry),
      summary: `Responses call, turn ${this.step}: ${servers.map((server) => server.label).join(', ')}${functionTools ? ' (direct mode)' : ''}`,
    });
    return activities.callResponsesApi({
      model: this.input.model,
      input,
      servers: functionTools ? [] : servers,
      ...(functionTools ? { function_tools: functionTools } : {}),
      previous_response_id: previousResponseId,
      instructions: this.input.instructions,
      stream: this.input.stream,
      metadata: this.input.metadata,
      retry: this.input.retry,
      timeout_ms: this.input.call_timeout_ms,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Direct mode: the workflow asks for approval, then runs each call as its own activity

  private async runFunctionCalls(calls: FunctionCallItem[], bindings: Record<string, ToolBinding>, servers: ParsedQueryInput['servers']): Promise<InputItem[]> {
    const approvalIds: string[] = [];
    for (const call of calls) {
      const target = this.resolveCall(call, bindings, servers);
      if (!target || !requiresApproval(target.server, target.tool.name, target.tool.read_only)) continue;
      const id = directApprovalId(call);
      this.pending.push({ id, server: target.server.label, tool: target.tool.name, arguments: parseArguments(call.arguments), requested_at: new Date().toISOString() });
      this.emit('approval_request', `${target.server.label} · ${target.tool.name} needs approval (${id})`);
      approvalIds.push(id);
    }
    if (approvalIds.length) {
      this.applyStandingApprovals(approvalIds);
      await this.waitForApprovals(approvalIds);
      this.setState('executing', `running ${calls.length} tool call(s)`);
    }
    return Promise.all(calls.map((call) => this.runFunctionCall(call, this.resolveCall(call, bindings, servers))));
  }

  private resolveCall(call: FunctionCallItem, bindings: Record<string, ToolBinding>, servers: ParsedQueryInput['servers']) {
    const binding = bindings[call.name];
    const server = binding && servers.find((each) => each.label === binding.server);
    const tool = binding && findTool(this.catalog, binding.tool, binding.server);
    return server && tool ? { server, tool } : undefined;
  }

  private async runFunctionCall(call: FunctionCallItem, target: { server: ServerConfig; tool: DiscoveredTool } | undefined): Promise<InputItem> {
    const reply = (output: string): InputItem => ({ type: 'function_call_output', call_id: call.call_id, output });
    const args = parseArguments(call.arguments);
    const record = (outcome: Pick<CallRecord, 'status' | 'output' | 'started_at' | 'completed_at'>, error: RecordedError | null) =>
      this.addCall(
        {
          id: call.call_id,
          tool: target?.tool.name ?? call.name,
          server: target?.server.label ?? 'unknown',
          arguments: args,
          ...outcome,
          error_type: error?.type ?? null,
          error_message: error?.message ?? null,
          approval_request_id: this.decisions.has(directApprovalId(call)) ? directApprovalId(call) : null,
          duration_ms: durationMs(outcome.started_at, outcome.completed_at),
        },
        error,
      );
    if (!target) {
      const message = `the model called ${call.name}, which is not in the catalog`;
      record({ status: 'failed', output: null, started_at: null, completed_at: null }, { type: 'tool_not_found', message, retryable: false });
      return reply(`Error: ${message}`);
    }
    const decision = this.decisions.get(directApprovalId(call));
    if (decision && !decision.approve) return reply(`The user denied this call${decision.reason ? `: ${decision.reason}` : ''}.`);
    const activities = proxyActivities<Activities>({
      startToCloseTimeout: this.input.call_timeout_ms,
      // A call cut off after it was sent may have run: a tool with side effects gets one attempt.
      retry: target.tool.read_only ? activityRetryPolicy(this.input.retry) : { ...activityRetryPolicy(this.input.retry), maximumAttempts: 1 },
      summary: `Call ${target.server.label} · ${target.tool.name} (direct mode)`,
    });
    try {
      const result = await activities.callToolDirect({ server: target.server, tool: target.tool, arguments: args, retry: this.input.retry, timeout_ms: this.input.call_timeout_ms });
      this.retries += result.attempt - 1;
      const error: RecordedError | null = result.is_error ? { type: 'execution_error', message: result.output, retryable: false } : null;
      record({ status: result.is_error ? 'failed' : 'completed', output: result.output, started_at: result.started_at, completed_at: result.completed_at }, error);
      return reply(result.output);
    } catch (failure) {
      if (!isActivityOrChildFailure(failure)) throw failure;
      const { error, attempts } = describeFailure(failure);
      this.retries += Math.max(0, attempts - 1);
      record({ status: 'failed', output: null, started_at: null, completed_at: new Date().toISOString() }, error);
      return reply(`Error (${error.type}): ${error.message}`);
    }
  }

  /** Takes listings, calls and approval requests out of one model turn. */
  private absorb(response: ResponsesCallResult) {
    for (const item of response.output) {
      if (item.type === 'mcp_list_tools' && !item.error) {
        // A listing inside a query is as fresh as a discovery, and costs nothing extra.
        this.catalog = {
          servers: {
            ...this.catalog.servers,
            [item.server_label]: {
              server_label: item.server_label,
              status: 'ok',
              tools: item.tools.map((tool) => discoveredToolFromListed(tool, item.server_label)),
              fetched_at: new Date().toISOString(),
              stale: false,
              error: null,
            },
          },
        };
      } else if (item.type === 'mcp_call') {
        this.recordCall(item, response.call_times[item.id]);
      } else if (item.type === 'mcp_approval_request') {
        this.pending.push({ id: item.id, server: item.server_label, tool: item.name, arguments: parseArguments(item.arguments), requested_at: new Date().toISOString() });
        this.emit('approval_request', `${item.server_label} · ${item.name} needs approval (${item.id})`);
      }
    }
  }

  private recordCall(item: McpCallItem, times: { started_at: string; completed_at: string | null } | undefined) {
    const classified = item.error ? classifyMcpCallError(item.error) : null;
    const errorMessage = item.error ? describeCallError(item) : null;
    this.addCall(
      {
        id: item.id,
        tool: item.name,
        server: item.server_label,
        arguments: parseArguments(item.arguments),
        status: item.error || item.status === 'failed' ? 'failed' : 'completed',
        output: item.output ?? null,
        error_type: classified?.type ?? null,
        error_message: errorMessage,
        approval_request_id: item.approval_request_id ?? null,
        started_at: times?.started_at ?? null,
        completed_at: times?.completed_at ?? null,
        duration_ms: durationMs(times?.started_at ?? null, times?.completed_at ?? null),
      },
      classified ? { type: classified.type, message: errorMessage ?? '', retryable: classified.retryable } : null,
    );
  }

  private addCall(record: CallRecord, error: RecordedError | null) {
    this.calls.push(record);
    if (error) this.errors.push(error);
    this.upsertSearchAttributes([{ key: MCP_TOOL_CALL_COUNT, value: this.calls.length }]);
    this.emit('tool_call', `${record.server} · ${record.tool} ${record.status}${record.duration_ms !== null ? ` in ${record.duration_ms} ms` : ''}`, record);
  }

  // -------------------------------------------------------------------------------------------
  // Approvals

  private async waitForApprovals(ids: string[]): Promise<void> {
    const describe = this.pending.filter((approval) => ids.includes(approval.id)).map((approval) => `${approval.server} · ${approval.tool}`);
    this.setState('waiting_approval', `waiting for approval of ${describe.join(', ')}: mcpflow approve ${workflowInfo().workflowId}`);
    const allAnswered = () => ids.every((id) => this.decisions.has(id));
    const timeout = this.input.approval_timeout_ms;
    const answeredInTime = timeout === undefined ? (await condition(allAnswered), true) : await condition(allAnswered, timeout);
    if (!answeredInTime) {
      for (const id of ids) {
        if (!this.decisions.has(id)) this.decide(id, { approve: false, reason: `no answer within ${Math.round(timeout! / 1000)} s; denied automatically` });
      }
    }
  }

  private approvalResponse(id: string): InputItem {
    const decision = this.decisions.get(id)!;
    const item: InputItem = { type: 'mcp_approval_response', approval_request_id: id, approve: decision.approve };
    if (decision.reason) item.reason = decision.reason;
    return item;
  }

  /** Approves at once what the session was told to trust, as long as the tool has not changed since. */
  private applyStandingApprovals(ids: string[]) {
    for (const id of ids) {
      const approval = this.pending.find((each) => each.id === id);
      if (!approval) continue;
      const current = findTool(this.catalog, approval.tool, approval.server);
      const standing = this.input.standing_approvals.find(
        (each) => each.server === approval.server && each.tool === approval.tool && each.definition_hash === current?.definition_hash,
      );
      if (standing) this.decide(id, { approve: true, reason: 'standing approval' });
    }
  }

  private validateAnswer(answer: ApprovalAnswer | undefined) {
    const parsed = ApprovalAnswerSchema.safeParse(answer ?? {});
    if (!parsed.success) throw new Error(`invalid approval answer: ${describeZodError(parsed.error)}`);
    const id = parsed.data.approval_request_id;
    const open = this.pending.filter((approval) => !this.decisions.has(approval.id));
    if (id === undefined) {
      if (!open.length) throw new Error('no approval request is pending');
      return;
    }
    if (this.decisions.has(id)) throw new Error(`approval request ${id} was already answered`);
    if (!this.pending.some((approval) => approval.id === id)) {
      throw new Error(`unknown approval request ${id}; pending: ${open.map((approval) => approval.id).join(', ') || 'none'}`);
    }
  }

  private answer(approve: boolean, answer: ApprovalAnswer | undefined): ApprovalOutcome {
    const { approval_request_id: id, reason } = ApprovalAnswerSchema.parse(answer ?? {});
    const ids = id ? [id] : this.pending.filter((approval) => !this.decisions.has(approval.id)).map((approval) => approval.id);
    for (const each of ids) this.decide(each, { approve, reason });
    return { answered: ids, approve };
  }

  private decide(id: string, decision: Decision) {
    this.decisions.set(id, decision);
    const approval = this.pending.find((each) => each.id === id);
    if (!approval) return;
    this.emit('approval_answer', `${approval.server} · ${approval.tool} ${decision.approve ? 'approved' : 'denied'}${decision.reason ? `: ${decision.reason}` : ''}`);
    if (!decision.approve) {
      const now = new Date().toISOString();
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
        completed_at: now,
        duration_ms: null,
      };
      // Runs recorded before this change pushed denied calls without counting or announcing them.
      if (patched('denied-calls-counted')) this.addCall(record, null);
      else this.calls.push(record);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Results

  private finish(outcome: Pick<QueryResult, 'success' | 'text_response' | 'error' | 'error_type' | 'stale'>): QueryResult {
    this.result = {
      query: this.input.query,
      ...outcome,
      tool_calls: this.calls,
      duration_ms: Date.now() - this.startedAt,
      retries: this.retries,
      response_id: this.lastResponseId,
    };
    this.setState(outcome.success ? 'completed' : 'failed', outcome.success ? `answered after ${this.step} model turns` : `failed: ${outcome.error}`);
    return this.result;
  }

  private fail(failure: unknown): QueryResult {
    let last: RecordedError;
    if (failure instanceof QueryStop) {
      last = { type: failure.cause?.type ?? 'unknown', message: failure.message, retryable: false };
      if (!failure.cause) this.errors.push(last);
    } else {
      const { error, attempts } = describeFailure(failure);
      this.retries += Math.max(0, attempts - 1);
      this.errors.push(error);
      last = error;
    }
    const fallback = this.input.fallback_result;
    if (fallback) {
      this.emit('error', `retries ran out (${last.type}): returning the earlier answer, marked stale`);
      const stale = this.finish({ success: fallback.success, text_response: fallback.text_response, error: last.message, error_type: last.type, stale: true });
      return stale;
    }
    const summary = errorSummary(this.errors);
    const result = this.finish({ success: false, text_response: '', error: last.message, error_type: last.type, stale: false });
    throw ApplicationFailure.create({
      type: 'QueryFailed',
      nonRetryable: true,
      message: `query failed (${last.type}): ${last.message} — ${summary.total_errors} error(s): ${Object.entries(summary.by_type)
        .map(([type, count]) => `${type} ×${count}`)
        .join(', ')}`,
      details: [{ summary, result }],
    });
  }

  // -------------------------------------------------------------------------------------------
  // What a user sees

  private registerHandlers() {
    setHandler(progressQuery, () => ({
      state: this.state,
      step: this.step,
      max_steps: this.input.max_steps,
      detail: this.detail,
      pending_approvals: this.pending.filter((approval) => !this.decisions.has(approval.id)),
      calls_so_far: this.calls.length,
      retries: this.retries,
      events: this.events,
    }));
    setHandler(statsQuery, () =>
      workflowStatistics({
        results: this.result ? [this.result] : [],
        calls: this.calls,
        errors: this.errors,
        serversConfigured: this.input.servers.length,
        toolsCached: catalogTools(this.catalog).length,
      }),
    );
    setHandler(historyQuery, (filter) => filterHistory(this.calls, HistoryFilterSchema.parse(filter ?? {})));
    setHandler(catalogQuery, () => this.catalog);
    setHandler(resultQuery, () => this.result);
    // Validators run synchronously: the SDK does not await them.
    setHandler(approveUpdate, (answer) => this.answer(true, answer), { validator: (answer) => this.validateAnswer(answer) });
    setHandler(denyUpdate, (answer) => this.answer(false, answer), { validator: (answer) => this.validateAnswer(answer) });
  }

  private setState(state: QueryState, detail: string) {
    this.state = state;
    this.detail = detail;
    setCurrentDetails(`**${STATE_WORDS[state]}** — ${detail}\n\ncalls so far: ${this.calls.length}, retries: ${this.retries}`);
    this.upsertSearchAttributes([{ key: MCP_STATE, value: state }]);
    this.emit('state', `${STATE_WORDS[state]}: ${detail}`);
    this.tellParent();
  }

  /** A session shows what its running queries wait for; it learns it from this signal. */
  private tellParent() {
    const parent = workflowInfo().parent;
    if (!parent) return;
    const change: QueryStateChange = {
      workflow_id: workflowInfo().workflowId,
      state: this.state,
      pending_approvals: this.pending.filter((approval) => !this.decisions.has(approval.id)),
    };
    // The parent may have moved on (continue-as-new); its progress is a courtesy, not a duty.
    getExternalWorkflowHandle(parent.workflowId).signal(queryStateSignal, change).catch(() => undefined);
  }

  private emit(kind: ProgressEvent['kind'], message: string, call?: CallRecord) {
    this.events.push({ seq: ++this.eventSeq, at: new Date().toISOString(), kind, message, ...(call ? { call } : {}) });
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }
}

const STATE_WORDS: Record<QueryState, string> = {
  idle: 'Idle',
  discovering: 'Discovering tools',
  executing: 'Running',
  waiting_approval: 'Waiting for approval',
  retrying: 'Retrying',
  completed: 'Completed',
  failed: 'Failed',
};

/** A reason to end the query that is not an activity failure (step limit, no usable server). */
class QueryStop extends Error {
  /** The recorded error behind the stop, if there was one. */
  constructor(message: string, override readonly cause?: RecordedError) {
    super(message);
  }
}

/** Direct mode has no API-issued approval ids; the call id makes a stable one. */
function directApprovalId(call: FunctionCallItem): string {
  return `apr_${call.call_id}`;
}
