/**
 * What an mcpSession answers: its queries, updates (with their validators) and the queryState
 * signal of its children, registered on a Session (./index.ts) through the members they need.
 */
import { setHandler, workflowInfo } from '@temporalio/workflow';
import { filterHistory, HistoryFilterSchema, type QueryResult } from '../../src/core/records';
import { hostedModeProblem, ServerConfigSchema } from '../../src/core/servers';
import { findTool } from '../../src/core/tools';
import { checkArgs, parseSignal } from '../input';
import {
  addServerUpdate,
  catalogQuery,
  childQueryId,
  executeQueryUpdate,
  ExecuteQueryArgsSchema,
  exportQuery,
  historyQuery,
  QueryStateChangeSchema,
  queryStateSignal,
  RefreshToolsArgsSchema,
  refreshToolsUpdate,
  RememberApprovalArgsSchema,
  rememberApprovalUpdate,
  RemoveServerArgsSchema,
  removeServerUpdate,
  sessionProgressQuery,
  statsQuery,
  type ActiveQuery,
  type ExecuteQueryArgs,
  type QueryStarted,
  type SessionExport,
  type SessionRefreshResult,
  type SessionState,
} from '../messages';
import type { ParsedSessionInput } from './child';
import type { SessionHistory } from './history';
import type { SessionTools } from './tools';

/** A session's mode is fixed when it starts. */
const SESSION_HOSTED_FIX = 'this session runs in hosted mode: start a direct-mode session for it (mcpflow session start <new id> --mode direct)';

export interface Tracked extends ActiveQuery {
  waiting: boolean;
  /** Started by an earlier run: its end is learned from awaitQueryResult. */
  carried: boolean;
}

/** The members of a Session its handlers use. */
export interface HandledSession {
  readonly input: ParsedSessionInput;
  readonly state: SessionState;
  readonly tools: SessionTools;
  readonly history: SessionHistory;
  readonly active: Map<string, Tracked>;
  /** Updates taken, signals and child ends so far (./draining.ts). */
  arrivals: number;
  refreshTools(force: boolean): Promise<SessionRefreshResult>;
  executeQuery(args: ExecuteQueryArgs): Promise<QueryResult | QueryStarted>;
  assertCanWork(): void;
  busyState(): SessionState;
  setState(state: SessionState): void;
  publish(): void;
}

function statistics(session: HandledSession) {
  return session.history.statistics(session.tools.servers.size, session.tools.toolCount());
}

function exportHistory(session: HandledSession): SessionExport {
  return {
    exported_at: new Date().toISOString(),
    servers: session.tools.labels(),
    call_history: session.history.calls,
    results: session.history.results,
    errors: session.history.errors,
    statistics: statistics(session),
  };
}

/** Counts the updates the run took (in handlers, which replay runs too; validators it does not). */
function counted<A extends unknown[], R>(session: HandledSession, handler: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    session.arrivals++;
    return handler(...args);
  };
}

export function registerSessionHandlers(session: HandledSession) {
  setHandler(sessionProgressQuery, () => ({
    state: session.state,
    servers: session.tools.labels(),
    tools_cached: session.tools.toolCount(),
    catalog_fetched_at: session.tools.fetchedAt(),
    queries_run: session.history.queryCount,
    active_queries: [...session.active.values()].map(({ workflow_id, query, started_at }) => ({ workflow_id, query, started_at })),
    standing_approvals: session.tools.standingApprovals,
  }));
  setHandler(statsQuery, () => statistics(session));
  setHandler(historyQuery, (filter) => filterHistory(session.history.calls, HistoryFilterSchema.parse(filter ?? {})));
  setHandler(catalogQuery, () => session.tools.catalog);
  setHandler(exportQuery, () => exportHistory(session));

  setHandler(
    addServerUpdate,
    counted(session, (server) => {
      session.tools.addServer(ServerConfigSchema.parse(server));
      session.publish();
      return session.tools.labels();
    }),
    {
      validator: (server) => {
        const parsed = checkArgs(ServerConfigSchema, server, 'server');
        // The model's platform cannot reach a program on the worker's machine: refused here, before any query fails on it.
        const problem = session.input.mode === 'hosted' ? hostedModeProblem([parsed], SESSION_HOSTED_FIX) : undefined;
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    removeServerUpdate,
    counted(session, (args) => {
      session.tools.removeServer(args.label);
      session.publish();
      return session.tools.labels();
    }),
    {
      validator: (args) => {
        const { label } = checkArgs(RemoveServerArgsSchema, args, 'removeServer arguments');
        if (!session.tools.servers.has(label)) throw new Error(`no server labelled ${label}; servers: ${session.tools.labels().join(', ') || 'none'}`);
      },
    },
  );
  setHandler(
    refreshToolsUpdate,
    counted(session, (args) => session.refreshTools(RefreshToolsArgsSchema.parse(args ?? {}).force_refresh)),
    {
      validator: (args) => {
        checkArgs(RefreshToolsArgsSchema, args ?? {}, 'refreshTools arguments');
        session.assertCanWork();
      },
    },
  );
  setHandler(
    executeQueryUpdate,
    counted(session, (args) => session.executeQuery(ExecuteQueryArgsSchema.parse(args))),
    {
      validator: (args) => {
        const { query_id: id } = checkArgs(ExecuteQueryArgsSchema, args, 'executeQuery arguments');
        session.assertCanWork();
        if (id && session.active.has(childQueryId(workflowInfo().workflowId, id))) throw new Error(`a query with id ${id} is already running in this session`);
      },
    },
  );
  setHandler(
    rememberApprovalUpdate,
    counted(session, (args) => session.tools.remember(args.server, args.tool, args.ttl_ms)),
    {
      validator: (args) => {
        const { server, tool } = checkArgs(RememberApprovalArgsSchema, args, 'rememberApproval arguments');
        if (!findTool(session.tools.catalog, tool, server)) throw new Error(`${server} has no tool ${tool} in the catalog: refresh the tools first`);
      },
    },
  );
  setHandler(queryStateSignal, (change) => {
    session.arrivals++;
    // Anyone can signal a workflow: a malformed payload must not fail the workflow task.
    const parsed = parseSignal(QueryStateChangeSchema, change, 'queryState');
    const active = parsed ? session.active.get(parsed.workflow_id) : undefined;
    if (!parsed || !active) return;
    active.waiting = parsed.state === 'waiting_approval';
    session.setState(session.busyState());
  });
}
