/**
 * One line for what the SDK logs about workflows as blocks: a failed workflow ('Workflow failed',
 * the error with its stack), and a failing workflow task, which the SDK logs on every attempt
 * ('Failed to process Workflow Activation', with the stack) and its core once more ('Failing
 * workflow task', the failure as a debug dump). A task failure is logged once per run and
 * message: the attempts after it fail the same way, and the Web UI shows the count. Other lines
 * of the SDK core are one line each too (coreLine).
 */
import type { LogMetadata } from '@temporalio/common';
import { errorType, formatRecord, oneLine } from './logger';

/** The message the SDK's failure converter leaves when it encodes a failure's message and stack. */
const ENCODED_FAILURE_MESSAGE = 'Encoded failure';

/** Distinct task failures remembered (oldest forgotten first): a bound on memory, not on news. */
const REMEMBERED_FAILURES = 1_000;

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return String(error);
}

/** The message inside core's `Failure { failure: Some(Failure { message: "…", … }) }` dump. */
function coreFailureMessage(dump: string): string {
  const match = /message: "((?:[^"\\]|\\.)*)"/.exec(dump);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : dump;
}

export class WorkflowLogLines {
  private readonly seen = new Set<string>();
  private readonly seenRuns = new Set<string>();

  /** The line for one of these SDK messages ('' when it repeats a failure already logged), undefined for any other message. */
  lineFor(message: string, meta: LogMetadata | undefined): string | undefined {
    if (!meta) return undefined;
    if (message === 'Workflow failed' && 'error' in meta) {
      return `Workflow failed ${formatRecord({ workflowId: str(meta.workflowId), workflowType: str(meta.workflowType), runId: str(meta.runId), errorType: sandboxErrorType(meta.error), message: oneLine(messageOf(meta.error)) })}`;
    }
    const activation = message === 'Failed to process Workflow Activation' && 'error' in meta;
    const core = message === 'Failing workflow task' && typeof meta.failure === 'string';
    if (!activation && !core) return undefined;
    const text = oneLine(activation ? lastLineOfMessage(messageOf(meta.error)) : coreFailureMessage(meta.failure as string));
    // Core sees the failure after the failure converter moved its message into the encoded
    // attributes (src/codec/failure-converter.ts): the SDK's own line for the run already said it.
    if (core && text === ENCODED_FAILURE_MESSAGE && this.seenRuns.has(str(meta.runId) ?? '')) return '';
    const key = `${str(meta.runId) ?? ''}\n${text}`;
    if (this.seen.has(key)) return '';
    this.remember(key);
    this.seenRuns.add(str(meta.runId) ?? '');
    if (this.seenRuns.size > REMEMBERED_FAILURES) this.seenRuns.delete(this.seenRuns.values().next().value!);
    return `Workflow task failed ${formatRecord({ runId: str(meta.runId), errorType: activation ? sandboxErrorType(meta.error) : undefined, message: text })} (its retries fail the same way: not logged again)`;
  }

  private remember(key: string) {
    this.seen.add(key);
    if (this.seen.size > REMEMBERED_FAILURES) this.seen.delete(this.seen.values().next().value!);
  }
}

/**
 * An error from the workflow thread arrives structured-cloned: a plain Error, its failure type
 * gone; the class it had still heads its stack.
 */
function sandboxErrorType(error: unknown): string {
  const type = errorType(error);
  if (type !== 'Error') return type;
  const stack = error && typeof error === 'object' ? (error as { stack?: unknown }).stack : undefined;
  return (typeof stack === 'string' && /^(\w+): /.exec(stack)?.[1]) || type;
}

/** A sandbox error's message can start with the bundle's source excerpt (`file:line\n  throw e;\n  ^\n\nTypeError: …`): keep what it says. */
function lastLineOfMessage(message: string): string {
  const said = /(?:^|\n)(?:[A-Za-z]*Error|ApplicationFailure): (.*)/.exec(message);
  return said ? said[1]! : message;
}

/**
 * A line of the SDK core (forwarded to this logger since src/worker/runtime.ts asks for it):
 * its fields as `key=value`, one line, each value cut to a readable length. The SDK's
 * DefaultLogger would print them as a multi-line object.
 */
export function coreLine(message: string, meta: LogMetadata): string {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'sdkComponent' || key === 'spanContexts' || value === undefined || value === null) continue;
    fields[key] = oneLine(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  }
  return `${oneLine(message)} ${formatRecord(fields)}`.trimEnd();
}
