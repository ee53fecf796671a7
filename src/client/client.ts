/**
 * McpflowClient: the typed API the CLI is built on, usable from any program. It starts
 * queries and discoveries, answers approvals, and reads progress, statistics, history and the
 * catalog. Every method turns the SDK's errors into the ones in ./errors.
 */
import { randomUUID } from 'node:crypto';
import { QueryNotRegisteredError, WorkflowFailedError, type Client, type Connection, type WorkflowHandle, type WorkflowUpdateHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { ConnectionSettings } from '../config/connection';
import type { CallRecord, HistoryFilter, QueryResult, WorkflowStatistics } from '../core/records';
import type { Catalog } from '../core/tools';
import { failedQueryResult } from '../core/line-outcome';
import {
  catalogQuery,
  historyQuery,
  progressQuery,
  statsQuery,
  type ApprovalAnswer,
  type ApprovalOutcome,
  type DiscoveryInput,
  type DiscoveryResult,
  type QueryInput,
  type QueryProgress,
} from '../../workflows/messages';
import type { discoverTools } from '../../workflows/discovery';
import type { runQuery } from '../../workflows/query';
import { TASK_QUEUE } from '../core/defaults';
import { MCP_SERVERS, SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { createClient, DEFAULT_CONNECT_TIMEOUT_MS, openConnection } from './connect';
import { decideApproval } from './answers';
import { NotFoundError, RunEndedError, translateError, UpdateRejectedError } from './errors';
import { assertWorkerPolls, livePollers, whyUnanswered } from './unanswered';
import { pendingRetries, type PendingRetry } from './retries';
import { BatchApi } from './batch';
import { ScheduleApi } from './schedules';
import { SessionApi } from './sessions';
import { parseRunDefaults, withRunDefaults, type RunDefaults } from './run-defaults';

/** How long a query, or an update until a worker accepts it, may wait before we say no worker runs. */
export const QUERY_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  /** Task queue of the mcpflow worker. Default "mcpflow". */
  taskQueue?: string;
  connectTimeoutMs?: number;
  /** The model and model options of runs whose input names none (./run-defaults.ts); checked here, naming the field. */
  defaults?: RunDefaults;
}

/** The end of a runQuery: its result, also when the run failed (the failure carries it). */
export interface QueryOutcome {
  workflow_id: string;
  succeeded: boolean;
  result: QueryResult | null;
  /** Why the run failed, when it did. */
  error: string | null;
}

export interface WorkflowSummary {
  workflow_id: string;
  type: string;
  status: string;
  task_queue: string;
  start_time: string;
  close_time: string | null;
}

export function newQueryWorkflowId(): string {
  return `mcpflow-query-${randomUUID().slice(0, 8)}`;
}

export class McpflowClient {
  readonly sessions: SessionApi;
  readonly schedules: ScheduleApi;
  readonly batches: BatchApi;
  /** Written into the input of each run this client starts, where the input has none (./run-defaults.ts). */
  readonly runDefaults: RunDefaults;

  constructor(
    readonly temporal: Client,
    readonly connection: Connection,
    readonly settings: Pick<ConnectionSettings, 'address' | 'namespace'>,
    readonly taskQueue: string = TASK_QUEUE,
    runDefaults: RunDefaults = {},
  ) {
    this.runDefaults = parseRunDefaults(runDefaults);
    this.sessions = new SessionApi(this);
    this.schedules = new ScheduleApi(this);
    this.batches = new BatchApi(this);
  }

  static async connect(settings: ConnectionSettings, options: ConnectOptions = {}): Promise<McpflowClient> {
    const defaults = parseRunDefaults(options.defaults ?? {}); // a bad option fails before anything connects
    const connection = await openConnection(settings, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    return new McpflowClient(createClient(connection, settings.namespace), connection, settings, options.taskQueue ?? TASK_QUEUE, defaults);
  }

  get namespace(): string {
    return this.settings.namespace;
  }

  private searchAttributesCheck: Promise<boolean> | undefined;

  /**
   * Whether the namespace has mcpflow's search attributes (`mcpflow server`/`dev` create them;
   * elsewhere `temporal operator search-attribute create`). Without them, runs start without
   * search attributes instead of failing every workflow task.
   */
  searchAttributesAvailable(): Promise<boolean> {
    this.searchAttributesCheck ??= this.connection.operatorService.listSearchAttributes({ namespace: this.namespace }).then(
      (response) => Object.keys(SEARCH_ATTRIBUTES).every((name) => name in (response.customAttributes ?? {})),
      () => false,
    );
    return this.searchAttributesCheck;
  }

  /** Start options and input flag for the search attributes of a run over these servers. */
  async searchAttributesFor(labels: string[]) {
    const enabled = await this.searchAttributesAvailable();
    return { search_attributes: enabled, typedSearchAttributes: enabled ? [{ key: MCP_SERVERS, value: labels }] : [] };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /** Starts runQuery; resolves with its workflow id once Temporal has it. */
  async startQuery(input: QueryInput, options: { workflowId?: string } = {}): Promise<string> {
    const workflowId = options.workflowId ?? newQueryWorkflowId();
    const { search_attributes, typedSearchAttributes } = await this.searchAttributesFor(input.servers.map((server) => server.label));
    await this.call(workflowId, () =>
      this.temporal.workflow.start<typeof runQuery>('runQuery', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ ...withRunDefaults(input, this.runDefaults), search_attributes }],
        typedSearchAttributes,
        staticSummary: `mcpflow query: ${truncate(input.query, 120)}`,
      }),
    );
    return workflowId;
  }

  /** Waits for a runQuery to end; a failed run still gives its partial result. */
  async waitForQuery(workflowId: string): Promise<QueryOutcome> {
    try {
      const result = await this.call(workflowId, () => this.temporal.workflow.getHandle<typeof runQuery>(workflowId).result());
      return { workflow_id: workflowId, succeeded: result.success, result, error: result.error };
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      return { workflow_id: workflowId, succeeded: false, result: failedQueryResult(error.cause) ?? null, error: error.cause?.message ?? error.message };
    }
  }

  /** Records the client's identity as the approver unless the answer names one (./answers.ts). */
  approve(workflowId: string, answer: ApprovalAnswer = {}): Promise<ApprovalOutcome> {
    return decideApproval(this, true, workflowId, answer);
  }

  deny(workflowId: string, answer: ApprovalAnswer = {}): Promise<ApprovalOutcome> {
    return decideApproval(this, false, workflowId, answer);
  }

  /**
   * Runs an update: `start` must wait for the ACCEPTED stage, which needs a worker, so it gets a
   * deadline (NoWorkerError when it passes); the outcome is then awaited without one. The server
   * answers an update to a closed workflow with "not found": say what really happened.
   */
  async update<T>(workflowId: string, start: () => Promise<WorkflowUpdateHandle<T>>): Promise<T> {
    try {
      const handle = await this.acceptedUpdate(workflowId, start);
      return await this.call(workflowId, () => handle.result());
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      const description = await this.describe(workflowId);
      throw new UpdateRejectedError(`workflow ${workflowId} is ${description.status.toLowerCase()}: it takes no more answers`);
    }
  }

  /** Starts an update and waits, at most QUERY_TIMEOUT_MS, until a worker accepted (or rejected) it. */
  async acceptedUpdate<T>(workflowId: string, start: () => Promise<WorkflowUpdateHandle<T>>): Promise<WorkflowUpdateHandle<T>> {
    await assertWorkerPolls(this, workflowId, 'update');
    const deadline = Date.now() + QUERY_TIMEOUT_MS;
    try {
      return await this.call(workflowId, () => this.connection.withDeadline(deadline, start));
    } catch (error) {
      // The SDK retries RESOURCE_EXHAUSTED (10 updates in flight) until the deadline: with a worker polling, that is the likelier cause.
      throw (await whyUnanswered(this, workflowId, 'update', error, deadline)) ?? error;
    }
  }

  progress(workflowId: string): Promise<QueryProgress> {
    return this.query(workflowId, progressQuery);
  }

  /** Works on a runQuery and on an mcpSession (both answer `stats`). */
  stats(workflowId: string): Promise<WorkflowStatistics> {
    return this.query(workflowId, statsQuery);
  }

  history(workflowId: string, filter: HistoryFilter = {}): Promise<CallRecord[]> {
    return this.query(workflowId, historyQuery, filter);
  }

  catalog(workflowId: string): Promise<Catalog> {
    return this.query(workflowId, catalogQuery);
  }

  async describe(workflowId: string): Promise<WorkflowSummary> {
    const description = await this.call(workflowId, () => this.handle(workflowId).describe());
    return {
      workflow_id: description.workflowId,
      type: description.type,
      status: description.status.name,
      task_queue: description.taskQueue,
      start_time: description.startTime.toISOString(),
      close_time: description.closeTime?.toISOString() ?? null,
    };
  }

  /** Activities of this workflow that failed and wait for their next attempt. */
  async pendingRetries(workflowId: string): Promise<PendingRetry[]> {
    return pendingRetries(await this.call(workflowId, () => this.handle(workflowId).describe()), this.temporal.options.loadedDataConverter);
  }

  /** Whether a worker polls this client's task queue now; undefined when the server would not say. */
  async workerPolling(taskQueue = this.taskQueue): Promise<boolean | undefined> {
    const live = await livePollers(this, taskQueue, Date.now() + QUERY_TIMEOUT_MS);
    return live === undefined ? undefined : live > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Discovery

  async discover(input: DiscoveryInput, options: { workflowId?: string } = {}): Promise<{ workflow_id: string; result: DiscoveryResult }> {
    const workflowId = options.workflowId ?? `mcpflow-discover-${randomUUID().slice(0, 8)}`;
    const { typedSearchAttributes } = await this.searchAttributesFor(input.servers.map((server) => server.label));
    const result = await this.call(workflowId, () =>
      this.temporal.workflow.execute<typeof discoverTools>('discoverTools', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [withRunDefaults(input, this.runDefaults)],
        typedSearchAttributes,
        staticSummary: `mcpflow discover: ${input.servers.map((server) => server.label).join(', ')}`,
      }),
    );
    return { workflow_id: workflowId, result };
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing shared with SessionApi and ScheduleApi

  handle(workflowId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(workflowId);
  }

  /** Runs an SDK call, translating its errors (not found, unreachable, rejected update). */
  async call<T>(id: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateError(error, { id, namespace: this.namespace, address: this.settings.address });
    }
  }

  /** A run that ended before it registered its query handlers (its input was refused) says why. */
  private async unanswerable(workflowId: string, name: string, error: Error): Promise<Error> {
    const description = await this.describe(workflowId).catch(() => undefined);
    if (!description || description.status === 'RUNNING') return error;
    const cause = await this.handle(workflowId)
      .result()
      .then(
        () => undefined,
        (failure: unknown) => (failure instanceof WorkflowFailedError ? (failure.cause?.message ?? failure.message) : String(failure)),
      );
    return new RunEndedError(`workflow ${workflowId} ${description.status.toLowerCase()} before it could answer '${name}'${cause ? `: ${cause}` : ''}`);
  }

  /**
   * A workflow query with a deadline: a query needs a worker, and without one the server
   * would keep the caller waiting.
   */
  async query<R, A extends unknown[]>(workflowId: string, definition: QueryDefinition<R, A>, ...args: A): Promise<R> {
    await assertWorkerPolls(this, workflowId, 'query');
    const deadline = Date.now() + QUERY_TIMEOUT_MS;
    try {
      return await this.call(workflowId, () => this.connection.withDeadline(deadline, () => this.handle(workflowId).query(definition, ...args)));
    } catch (error) {
      if (error instanceof QueryNotRegisteredError) throw await this.unanswerable(workflowId, definition.name, error);
      throw (await whyUnanswered(this, workflowId, 'query', error, deadline)) ?? error;
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
