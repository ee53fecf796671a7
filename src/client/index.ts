/** mcpflow's client API: `const client = await McpflowClient.connect(resolveConnectionSettings())`. */
export { McpflowClient, newQueryWorkflowId, QUERY_TIMEOUT_MS, type ConnectOptions, type QueryOutcome, type WorkflowSummary } from './client';
export { openConnection, createClient, DEFAULT_CONNECT_TIMEOUT_MS } from './connect';
export { TemporalUnreachableError, NotFoundError, UpdateRejectedError, WrongWorkflowTypeError, NoWorkerError, translateError } from './errors';
export { pendingRetries, type PendingRetry } from './retries';
export { SessionApi, type SessionQueryStart } from './sessions';
export { ScheduleApi, defaultScheduleId, formatMs, type CreateRefreshScheduleOptions, type ScheduleDetails, type ScheduleRow, type ScheduleRun } from './schedules';
export { BatchApi, isOver, type BatchStart, type LineResult } from './batch';
export { BatchFileError, defaultBatchId, parseBatchFile, type BatchFile } from './batch-file';
