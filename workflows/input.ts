/**
 * Workflow inputs and update arguments are checked with their zod schema: a bad input fails the
 * run at once, a bad update is refused by its validator, each naming the field. A payload that
 * was not even JSON arrives as a marker (src/core/payload-converter.ts) and is refused by name.
 */
import { log, patched } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeUndecodable, isUndecodablePayload } from '../src/core/payload-converter';
import { ServerConfigSchema, workflowInputServerProblem, workflowInputServersProblem, type ServerConfig } from '../src/core/servers';
import { describeZodError } from '../src/core/zod-errors';
import { WORKER_SERVER_REGISTRY } from './patches';
import { mcpflowFailure } from '../src/core/failures';

/** What makes a payload unreadable before its schema is asked: not JSON, or raw bytes (binary/plain), which a zod object would take for an empty object. */
function unreadable(payload: unknown): string | undefined {
  if (isUndecodablePayload(payload)) return describeUndecodable(payload);
  if (payload instanceof Uint8Array) return `a binary payload (${payload.length} bytes)`;
  return undefined;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const unread = unreadable(input);
  const problem = unread ? `it is ${unread}: send JSON` : undefined;
  const parsed = problem ? undefined : schema.safeParse(input);
  if (parsed?.success) {
    // Every workflow input with servers (runQuery, discoverTools, mcpSession, runBatch) obeys the registry rule.
    const serverProblem = inputServersProblem(parsed.data);
    if (serverProblem && patched(WORKER_SERVER_REGISTRY)) {
      throw mcpflowFailure('invalid_arguments', `invalid ${what} input: ${serverProblem}`, { retryable: false });
    }
    return parsed.data;
  }
  throw mcpflowFailure('invalid_arguments', `invalid ${what} input: ${problem ?? describeZodError(parsed!.error)}`, { retryable: false });
}

function inputServersProblem(data: unknown): string | undefined {
  const servers = data && typeof data === 'object' && 'servers' in data && Array.isArray(data.servers) ? (data.servers as ServerConfig[]) : undefined;
  return servers ? workflowInputServersProblem(servers) : undefined;
}

/** An update validator's check: the parsed arguments, or an error (the update is refused, history untouched). */
export function checkArgs<S extends z.ZodType>(schema: S, args: unknown, what: string): z.infer<S> {
  const unread = unreadable(args);
  if (unread) throw new Error(`invalid ${what}: it is ${unread}; send JSON`);
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new Error(`invalid ${what}: ${describeZodError(parsed.error)}`);
  // A session's addServer: the same rule as a workflow input (a refused update leaves no history: no patch).
  const serverProblem = (schema as z.ZodType) === ServerConfigSchema ? workflowInputServerProblem(parsed.data as ServerConfig) : undefined;
  if (serverProblem) throw new Error(`invalid ${what}: ${serverProblem}`);
  return parsed.data;
}

/**
 * A signal has no validator: its handler parses the payload itself and ignores (with a log line,
 * never a failed workflow task) whatever does not fit. Anyone can signal a workflow.
 */
export function parseSignal<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.infer<S> | undefined {
  const problem = unreadable(payload);
  const parsed = problem ? undefined : schema.safeParse(payload);
  if (parsed?.success) return parsed.data;
  log.warn(`ignored a ${what} signal: ${problem ?? describeZodError(parsed!.error)}`);
  return undefined;
}
