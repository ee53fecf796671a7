/**
 * The worker's log sink. The SDK logs every failed activity attempt with the whole error
 * object (a 30-line block with stack and cause); an operator needs one line: which workflow,
 * which server and tool, which attempt, what kind of error. The same for a failed workflow (a
 * 20-line block), and a workflow task that keeps failing gets one line per distinct failure
 * instead of two blocks per retry (./workflow-log.ts). Everything else goes through the SDK's
 * DefaultLogger unchanged (colours only on a terminal).
 */
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { coreLine, WorkflowLogLines } from './workflow-log';

const MAX_MESSAGE_CHARS = 200;

/** The fields of the one-line record of a failed activity attempt, in print order. */
export interface ActivityFailureRecord {
  workflowId?: string;
  activityType?: string;
  server?: string;
  tool?: string;
  attempt?: number;
  errorType: string;
  nonRetryable?: boolean;
  durationMs?: number;
  message: string;
}

/** ApplicationFailure type, else the error class name (also for errors from the workflow sandbox, another realm). */
export function errorType(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type) return error.type;
  if (error && typeof error === 'object') {
    const { type, name } = error as { type?: unknown; name?: unknown };
    if (typeof type === 'string' && type) return type;
    if (typeof name === 'string' && name) return name;
  }
  return typeof error;
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS)}…` : flat;
}

/**
 * The record of an SDK "Activity failed" log entry. The message is the failure's message as the
 * activities build it (secret values already replaced, the same text history stores); no stack,
 * no cause chain, no details payload.
 */
export function activityFailureRecord(meta: LogMetadata): ActivityFailureRecord {
  const error = meta.error;
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return {
    workflowId: str(meta.workflowId),
    activityType: str(meta.activityType),
    server: str(meta.server),
    tool: str(meta.tool),
    attempt: num(meta.attempt),
    errorType: errorType(error),
    nonRetryable: error instanceof ApplicationFailure && error.nonRetryable ? true : undefined,
    durationMs: num(meta.durationMs),
    message: oneLine(error instanceof Error ? error.message : String(error)),
  };
}

/** `key=value` pairs; values with spaces or quotes are JSON-quoted so the line stays parseable. */
export function formatRecord(record: object): string {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const text = String(value);
      return `${key}=${/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)}`;
    })
    .join(' ');
}

export class McpflowWorkerLogger implements Logger {
  private readonly inner: DefaultLogger;
  private readonly workflowLines = new WorkflowLogLines();

  constructor(
    level: LogLevel,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.inner = new DefaultLogger(level);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message === 'Activity failed' && meta && 'error' in meta) {
      if (!this.enabled(level)) return;
      this.write(`${new Date().toISOString()} [${level}] Activity failed ${formatRecord(activityFailureRecord(meta))}`);
      return;
    }
    const line = this.workflowLines.lineFor(message, meta);
    if (line !== undefined) {
      if (line && this.enabled(level)) this.write(`${new Date().toISOString()} [${level}] ${line}`);
      return;
    }
    if (meta?.sdkComponent === 'core') {
      if (this.enabled(level)) this.write(`${new Date().toISOString()} [${level}] ${coreLine(message, meta)}`);
      return;
    }
    this.inner.log(level, message, meta);
  }

  private enabled(level: LogLevel): boolean {
    const order: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
    return order.indexOf(level) >= order.indexOf(this.inner.level);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
