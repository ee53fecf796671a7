/**
 * `mcpflow/client`: mcpflow's client API, the one the CLI is built on (src/client/README.md).
 *   const client = await McpflowClient.connect(resolveConnectionSettings());
 */
export { McpflowClient, newQueryWorkflowId, QUERY_TIMEOUT_MS, type ConnectOptions, type QueryOutcome, type WorkflowSummary } from './client';
export { openConnection, createClient, DEFAULT_CONNECT_TIMEOUT_MS } from './connect';
export { RunDefaultsSchema, type RunDefaults } from './run-defaults';
export {
  TemporalUnreachableError,
  NotFoundError,
  RunEndedError,
  UpdateRejectedError,
  WrongWorkflowTypeError,
  NoWorkerError,
  WorkflowTaskFailingError,
  LimitExceededError,
  translateError,
} from './errors';
export { pendingRetries, type PendingRetry } from './retries';
export { cancelRun, type CancelOutcome } from './cancel';
export { answerInput, clientIdentityOf, InvalidAnswerError } from './answers';
export {
  listRuns,
  listPendingApprovals,
  listWaiting,
  answerAll,
  type RunFilter,
  type RunRow,
  type PendingApprovalRow,
  type PendingInputRow,
  type WaitingRows,
  type BulkAnswer,
} from './pending';
export { SessionApi, type SessionQueryStart } from './sessions';
export {
  ScheduleApi,
  defaultScheduleId,
  formatMs,
  type CreateRefreshScheduleOptions,
  type CreateBatchScheduleOptions,
  type ScheduleDetails,
  type ScheduleRow,
  type ScheduleRun,
} from './schedules';
export { BatchApi, isOver, type BatchStart, type LineResult } from './batch';
export { BatchFileError, defaultBatchId, parseBatchFile, type BatchFile } from './batch-file';
// Where Temporal is: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TEMPORAL_PROFILE, as the CLI reads them.
export {
  resolveConnectionSettings,
  DEFAULT_TEMPORAL_ADDRESS,
  DEFAULT_TEMPORAL_NAMESPACE,
  type ConnectionSettings,
  type ConnectionFlags,
} from '../config/connection';
export { McpflowError } from '../core/mcpflow-error';
export { ConfigError } from '../config/errors';
export { mcpflowDataConverter } from '../codec/data-converter';
export { EncryptionConfigError } from '../codec/keys';
export { TASK_QUEUE as MCPFLOW_TASK_QUEUE } from '../core/defaults';
// The inputs and results of mcpflow's workflows, updates and queries.
export type {
  ApprovalAnswer,
  ApprovalOutcome,
  DiscoveryInput,
  DiscoveryResult,
  QueryInput,
  QueryProgress,
  ProgressEvent,
  SessionInput,
  SessionProgress,
  SessionExport,
  StandingApproval,
} from '../../workflows/messages';
export type { CallRecord, CallStatus, HistoryFilter, PendingApproval, QueryResult, WorkflowStatistics } from '../core/records';
export type { BatchInput, BatchLine, BatchProgress, BatchResult, BatchStatus, FinishedLine, FinishedPage } from '../../workflows/batch/messages';
export type { Catalog } from '../core/tools';
export type { ServerConfig, ServerConfigInput } from '../core/servers';
export type { InputAnswer, InputAnswerOutcome } from '../core/mcp-input';
