/**
 * mcpSession: the seed's MCPWorkflow and RobustMCPWorkflow as one long-lived workflow. It holds
 * the servers, the tool catalog with its TTL, the standing approvals, and the history and
 * statistics of every query it ran (each query is a runQuery child). History in memory is
 * bounded; older records fold into totals, and the session continues as new when Temporal
 * suggests it, carrying catalog, records and totals.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  allHandlersFinished,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { addTotals, EMPTY_TOTALS, filterHistory, HistoryFilterSchema, statisticsFromTotals, totalsOf, type CallRecord, type QueryResult, type StatisticsTotals } from '../src/core/records';
import type { RecordedError } from '../src/core/errors';
import { clipText, MAX_KEPT_OUTPUT_CHARS } from '../src/core/limits';
import { describeZodError } from '../src/core/schemas';
import { ServerConfigSchema, type ServerConfig } from '../src/core/servers';
import { catalogTools, diffCatalogs, EMPTY_CATALOG, findTool, isCatalogFresh, type Catalog } from '../src/core/tools';
import { refreshCatalog } from './discovery';
import { parseInput } from './input';
import {
  addServerUpdate,
  catalogQuery,
  executeQueryUpdate,
  ExecuteQueryArgsSchema,
  childQueryId,
  exportQuery,
  historyQuery,
  queryStateSignal,
  RefreshToolsArgsSchema,
  refreshToolsUpdate,
  rememberApprovalUpdate,
  RemoveServerArgsSchema,
  removeServerUpdate,
  SessionInputSchema,
  sessionProgressQuery,
  statsQuery,
  type ActiveQuery,
  type ExecuteQueryArgs,
  type QueryStateChange,
  type SessionCarry,
  type SessionExport,
  type SessionInput,
  type SessionRefreshResult,
  type SessionResult,
  toSessionResult,
  type SessionState,
  type StandingApproval,
} from './messages';
import { runQuery } from './query';
import { MCP_SERVERS, MCP_STATE, MCP_TOOL_CALL_COUNT, searchAttributeWriter } from './search-attributes';
import type { z } from 'zod';

type ParsedSessionInput = z.infer<typeof SessionInputSchema>;

export async function mcpSession(rawInput: SessionInput): Promise<SessionExport> {
  const input = parseInput(SessionInputSchema, rawInput, 'mcpSession');
  const session = new Session(input);
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.continue_as_new_after_events);
  // Refuse new work, and let running updates (a query may wait days for an approval) finish.
  session.draining = true;
  await condition(allHandlersFinished);
  return continueAsNew<typeof mcpSession>(session.nextRunInput());
}

class Session {
  private state: SessionState = 'idle';
  private readonly servers = new Map<string, ServerConfig>();
  private catalog: Catalog;
  private results: SessionResult[];
  private calls: CallRecord[];
  private errors: RecordedError[];
  private standingApprovals: StandingApproval[];
  private queryCount: number;
  private baseTotals: StatisticsTotals;
  private readonly active = new Map<string, ActiveQuery & { waiting: boolean }>();
  private refreshing: Promise<SessionRefreshResult> | null = null;
  /** Set when the session is about to continue as new: new queries and refreshes wait for the next run. */
  draining = false;

  private readonly upsertSearchAttributes: ReturnType<typeof searchAttributeWriter>;

  constructor(private readonly input: ParsedSessionInput) {
    this.upsertSearchAttributes = searchAttributeWriter(input.search_attributes);
    for (const server of input.servers) this.servers.set(server.label, server);
    const carried: SessionCarry | undefined = input.carried;
    this.catalog = carried?.catalog ?? EMPTY_CATALOG;
    this.results = carried?.results ?? [];
    this.calls = carried?.calls ?? [];
    this.errors = carried?.errors ?? [];
    this.standingApprovals = carried?.standing_approvals ?? [];
    this.queryCount = carried?.query_count ?? 0;
    this.baseTotals = carried?.base_totals ?? EMPTY_TOTALS;
    this.registerHandlers();
    this.publish();
  }

  nextRunInput(): SessionInput {
    return {
      ...this.input,
      servers: [...this.servers.values()],
      carried: {
        catalog: this.catalog,
        results: this.results,
        calls: this.calls,
        errors: this.errors,
        standing_approvals: this.standingApprovals,
        query_count: this.queryCount,
        base_totals: this.baseTotals,
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Servers and tools

  private addServer(raw: unknown): string[] {
    const server = ServerConfigSchema.parse(raw);
    this.servers.set(server.label, server);
    // A new or changed server has no trustworthy listing yet, and nothing on it is trusted yet.
    const { [server.label]: _dropped, ...rest } = this.catalog.servers;
    this.catalog = { servers: rest };
    this.standingApprovals = this.standingApprovals.filter((approval) => approval.server !== server.label);
    this.publish();
    return [...this.servers.keys()];
  }

  private removeServer(label: string): string[] {
    this.servers.delete(label);
    const { [label]: _dropped, ...rest } = this.catalog.servers;
    this.catalog = { servers: rest };
    this.standingApprovals = this.standingApprovals.filter((approval) => approval.server !== label);
    this.publish();
    return [...this.servers.keys()];
  }

  /** One refresh at a time: a second caller shares the one in flight. */
  private refreshTools(force: boolean): Promise<SessionRefreshResult> {
    this.refreshing ??= this.doRefresh(force).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(force: boolean): Promise<SessionRefreshResult> {
    const servers = [...this.servers.values()];
    const now = new Date().toISOString();
    if (!force && isCatalogFresh(this.catalog, servers.map((server) => server.label), Date.now(), this.input.cache_ttl_ms)) {
      return { catalog: this.catalog, diff: { added: [], removed: [], changed: [] }, servers: [], discovered_at: now, from_cache: true, invalidated_approvals: [] };
    }
    this.setState('discovering');
    try {
      const previous = this.catalog;
      const refreshed = await refreshCatalog(servers, previous, this.input);
      const diff = diffCatalogs(previous, refreshed.catalog);
      this.catalog = refreshed.catalog;
      for (const server of refreshed.servers) if (server.error) this.errors.push(server.error);
      // A tool whose definition changed (or vanished) is not the tool that was approved.
      const touched = new Set([...diff.changed, ...diff.removed].map((tool) => `${tool.server_label}/${tool.name}`));
      const invalidated = this.standingApprovals.filter((approval) => touched.has(`${approval.server}/${approval.tool}`));
      this.standingApprovals = this.standingApprovals.filter((approval) => !invalidated.includes(approval));
      return { ...refreshed, diff, discovered_at: now, from_cache: false, invalidated_approvals: invalidated };
    } finally {
      this.setState(this.active.size ? this.busyState() : 'idle');
    }
  }

  private rememberApproval(server: string, tool: string): StandingApproval[] {
    const found = findTool(this.catalog, tool, server);
    if (!found) throw ApplicationFailure.create({ type: 'tool_not_found', message: `${server} has no tool ${tool} in the catalog` });
    this.standingApprovals = [
      ...this.standingApprovals.filter((approval) => !(approval.server === server && approval.tool === tool)),
      { server, tool, definition_hash: found.definition_hash },
    ];
    return this.standingApprovals;
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  private async executeQuery(args: ExecuteQueryArgs): Promise<QueryResult> {
    const workflowId = childQueryId(workflowInfo().workflowId, args.query_id ?? `query-${this.queryCount + 1}`);
    if (this.active.has(workflowId)) {
      throw ApplicationFailure.create({ type: 'invalid_arguments', nonRetryable: true, message: `a query ${workflowId} is already running: choose another query_id` });
    }
    this.queryCount++;
    this.active.set(workflowId, { workflow_id: workflowId, query: args.query, started_at: new Date().toISOString(), waiting: false });
    this.setState('executing');
    let result: QueryResult;
    try {
      await this.refreshTools(args.force_refresh ?? false);
      result = await this.runChild(workflowId, args);
    } finally {
      this.active.delete(workflowId);
    }
    this.record(result);
    this.setState(this.active.size ? this.busyState() : result.success ? 'idle' : 'error');
    return result;
  }

  private async runChild(workflowId: string, args: ExecuteQueryArgs): Promise<QueryResult> {
    const { force_refresh: _force, query_id: _id, ...queryOptions } = args;
    try {
      return await executeChild(runQuery, {
        workflowId,
        args: [
          {
            ...queryOptions,
            servers: this.listedServers(),
            mode: this.input.mode,
            model: this.input.model,
            retry: this.input.retry,
            call_timeout_ms: this.input.call_timeout_ms,
            search_attributes: this.input.search_attributes,
            cache_ttl_ms: this.input.cache_ttl_ms,
            catalog: this.catalog,
            standing_approvals: this.standingApprovals,
            fallback_result: this.lastSuccessFor(args.query),
          },
        ],
      });
    } catch (failure) {
      if (!(failure instanceof ChildWorkflowFailure)) throw failure;
      return failedResult(args.query, failure);
    }
  }

  /**
   * The servers whose listing worked: the session has just refreshed, so a child need not list
   * (and retry) an unreachable one again. None worked: all of them, and the child says why.
   */
  private listedServers(): ServerConfig[] {
    const all = [...this.servers.values()];
    const listed = all.filter((server) => this.catalog.servers[server.label]?.status === 'ok');
    return listed.length ? listed : all;
  }

  private lastSuccessFor(query: string): QueryResult | undefined {
    const earlier = [...this.results].reverse().find((result) => result.query === query && result.success && !result.stale);
    return earlier ? { ...earlier, tool_calls: [] } : undefined;
  }

  private record(result: QueryResult) {
    this.results.push(toSessionResult(result));
    // The full output stays in the query's own history; the session keeps enough to read.
    this.calls.push(...result.tool_calls.map((call) => ({ ...call, output: call.output && clipText(call.output, MAX_KEPT_OUTPUT_CHARS) })));
    for (const call of result.tool_calls) {
      if (call.error_type) this.errors.push({ type: call.error_type, message: call.error_message ?? '', retryable: false });
    }
    if (result.error_type && (!result.success || result.stale)) {
      this.errors.push({ type: result.error_type, message: result.error ?? '', retryable: false });
    }
    this.trimHistory();
    this.upsertSearchAttributes([{ key: MCP_TOOL_CALL_COUNT, value: this.baseTotals.calls + this.calls.length }]);
  }

  /** Keeps at most max_history results and calls in memory; what falls out stays in the totals. */
  private trimHistory() {
    const limit = this.input.max_history;
    const droppedResults = this.results.length > limit ? this.results.splice(0, this.results.length - limit) : [];
    const droppedCalls = this.calls.length > limit ? this.calls.splice(0, this.calls.length - limit) : [];
    const droppedErrors = this.errors.length > limit ? this.errors.splice(0, this.errors.length - limit) : [];
    if (droppedResults.length || droppedCalls.length || droppedErrors.length) {
      this.baseTotals = addTotals(this.baseTotals, totalsOf(droppedResults, droppedCalls, droppedErrors));
    }
  }

  // -------------------------------------------------------------------------------------------
  // What a user sees

  private statistics() {
    return statisticsFromTotals(
      addTotals(this.baseTotals, totalsOf(this.results, this.calls, this.errors)),
      this.servers.size,
      catalogTools(this.catalog).length,
    );
  }

  private exportHistory(): SessionExport {
    return {
      exported_at: new Date().toISOString(),
      servers: [...this.servers.keys()],
      call_history: this.calls,
      results: this.results,
      errors: this.errors,
      statistics: this.statistics(),
    };
  }

  private registerHandlers() {
    setHandler(sessionProgressQuery, () => ({
      state: this.state,
      servers: [...this.servers.keys()],
      tools_cached: catalogTools(this.catalog).length,
      catalog_fetched_at: Object.values(this.catalog.servers).map((server) => server.fetched_at ?? '').sort()[0] || null,
      queries_run: this.queryCount,
      active_queries: [...this.active.values()].map(({ waiting: _waiting, ...query }) => query),
      standing_approvals: this.standingApprovals,
    }));
    setHandler(statsQuery, () => this.statistics());
    setHandler(historyQuery, (filter) => filterHistory(this.calls, HistoryFilterSchema.parse(filter ?? {})));
    setHandler(catalogQuery, () => this.catalog);
    setHandler(exportQuery, () => this.exportHistory());

    setHandler(addServerUpdate, (server) => this.addServer(server), {
      validator: (server) => {
        const parsed = ServerConfigSchema.safeParse(server);
        if (!parsed.success) throw new Error(`invalid server: ${describeZodError(parsed.error)}`);
      },
    });
    setHandler(removeServerUpdate, (args) => this.removeServer(args.label), {
      validator: (args) => {
        const parsed = RemoveServerArgsSchema.safeParse(args);
        if (!parsed.success) throw new Error(`invalid removeServer arguments: ${describeZodError(parsed.error)}`);
        if (!this.servers.has(parsed.data.label)) throw new Error(`no server labelled ${parsed.data.label}; servers: ${[...this.servers.keys()].join(', ') || 'none'}`);
      },
    });
    setHandler(refreshToolsUpdate, (args) => this.refreshTools(RefreshToolsArgsSchema.parse(args ?? {}).force_refresh), {
      validator: (args) => {
        const parsed = RefreshToolsArgsSchema.safeParse(args ?? {});
        if (!parsed.success) throw new Error(`invalid refreshTools arguments: ${describeZodError(parsed.error)}`);
        this.assertCanWork();
      },
    });
    setHandler(executeQueryUpdate, (args) => this.executeQuery(ExecuteQueryArgsSchema.parse(args)), {
      validator: (args) => {
        const parsed = ExecuteQueryArgsSchema.safeParse(args);
        if (!parsed.success) throw new Error(`invalid executeQuery arguments: ${describeZodError(parsed.error)}`);
        this.assertCanWork();
        const id = parsed.data.query_id;
        if (id && this.active.has(childQueryId(workflowInfo().workflowId, id))) throw new Error(`a query with id ${id} is already running in this session`);
      },
    });
    setHandler(rememberApprovalUpdate, (args) => this.rememberApproval(args.server, args.tool), {
      validator: (args) => {
        if (!args || typeof args.server !== 'string' || typeof args.tool !== 'string') throw new Error('give { server, tool }');
        if (!findTool(this.catalog, args.tool, args.server)) throw new Error(`${args.server} has no tool ${args.tool} in the catalog: refresh the tools first`);
      },
    });
    setHandler(queryStateSignal, (change: QueryStateChange | undefined) => {
      // Anyone can signal a workflow: a malformed payload must not fail the workflow task.
      const active = typeof change?.workflow_id === 'string' ? this.active.get(change.workflow_id) : undefined;
      if (!active) return;
      active.waiting = change?.state === 'waiting_approval';
      this.setState(this.busyState());
    });
  }

  /** While queries run: waiting when any of them waits for an approval. */
  private busyState(): SessionState {
    return [...this.active.values()].some((query) => query.waiting) ? 'waiting' : 'executing';
  }

  private assertCanWork() {
    if (!this.servers.size) throw new Error('the session has no servers: add one with addServer first');
    if (this.draining) throw new Error('the session is continuing as new: send this again in a moment');
  }

  private setState(state: SessionState) {
    this.state = state;
    this.publish();
  }

  private publish() {
    const waiting = [...this.active.values()].filter((query) => query.waiting).map((query) => query.workflow_id);
    setCurrentDetails(
      `**Session ${this.state}** — servers: ${[...this.servers.keys()].join(', ') || 'none'}; ` +
        `${catalogTools(this.catalog).length} tools cached; ${this.queryCount} queries run` +
        (waiting.length ? `\n\nwaiting for approval in: ${waiting.join(', ')}` : ''),
    );
    this.upsertSearchAttributes([
      { key: MCP_STATE, value: this.state },
      { key: MCP_SERVERS, value: [...this.servers.keys()] },
    ]);
  }
}

/** A failed child carries its partial result in the failure details (see runQuery). */
function failedResult(query: string, failure: ChildWorkflowFailure): QueryResult {
  const cause = failure.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { result?: QueryResult } | undefined;
    if (details?.result) return details.result;
  }
  const message = cause?.message ?? failure.message;
  return {
    query,
    success: false,
    text_response: '',
    tool_calls: [],
    duration_ms: 0,
    retries: 0,
    error: message,
    error_type: cause instanceof ApplicationFailure && cause.type === 'invalid_arguments' ? 'invalid_arguments' : 'unknown',
    stale: false,
    response_id: null,
  };
}
