/**
 * Zod schemas of everything the demo servers' admin interface accepts and returns. They are the
 * single source of the types used by the in-process handle, the HTTP endpoint and the admin client,
 * so all three validate the same way.
 */
import { z } from 'zod';
import { McpflowError } from '../core/mcpflow-error';

export const DEMO_SERVER_KINDS = ['weather', 'calendar', 'database'] as const;
export const DemoServerKindSchema = z.enum(DEMO_SERVER_KINDS);
export type DemoServerKind = z.infer<typeof DemoServerKindSchema>;

/** What an injected failure of a tools/call request looks like from the client side. */
export const FaultKindSchema = z.enum(['tool_error', 'jsonrpc_error', 'http_500', 'http_429', 'connection_drop']);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FailNextSchema = z.strictObject({
  /** How many of the next tools/call requests fail; 0 clears. */
  count: z.number().int().min(0).max(100_000),
  kind: FaultKindSchema,
  /** Only calls to this tool consume the fault (others run normally); omit for any tool. */
  tool: z.string().min(1).optional(),
  /** `retry-after` header value for http_429, in whole seconds (default 1). */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  /** JSON-RPC error code for jsonrpc_error (default -32603, internal error). */
  jsonrpcCode: z.number().int().optional(),
});
export type FailNext = z.infer<typeof FailNextSchema>;

/**
 * A change to a server's faults. Only the fields present change: `failNext: null` clears the
 * pending failures, `unavailableForMs: 0` ends an outage, `latencyMs: 0` removes the delay.
 */
export const FaultSettingsSchema = z.strictObject({
  /** Added before each tools/call is handled (faulted or not). */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  failNext: FailNextSchema.nullable().optional(),
  /** From now on, for this long, every request on /mcp (initialize and tools/list too) gets HTTP 503. */
  unavailableForMs: z.number().int().min(0).max(86_400_000).optional(),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** The faults in force right now (failNext.count is what remains; unavailableForMs what is left of the outage). */
export const FaultStatusSchema = z.object({
  latencyMs: z.number(),
  failNext: FailNextSchema.nullable(),
  unavailableForMs: z.number(),
});
export type FaultStatus = z.infer<typeof FaultStatusSchema>;

export const AddToolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "-" or "."'),
  description: z.string().min(1).max(2000),
  title: z.string().min(1).max(200).optional(),
});
export type AddTool = z.infer<typeof AddToolSchema>;

export const ToolListSchema = z.object({ tools: z.array(z.string()) });
export type ToolList = z.infer<typeof ToolListSchema>;

/**
 * `executed`: per tool name, the calls whose handler really ran (not the faulted ones, not the
 * ones the SDK rejected for bad arguments). `faulted`: injected failures per fault kind, plus
 * `unavailable` for requests refused during an outage.
 */
export const CountersSchema = z.object({
  executed: z.record(z.string(), z.number().int()),
  faulted: z.record(z.string(), z.number().int()),
  totalExecuted: z.number().int(),
});
export type Counters = z.infer<typeof CountersSchema>;

export const ServerInfoSchema = z.object({
  label: DemoServerKindSchema,
  url: z.string(),
  adminUrl: z.string(),
  today: z.string(),
  tools: z.array(z.string()),
  faults: FaultStatusSchema,
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const AdminErrorSchema = z.object({ error: z.string() });

/** One line naming each offending field, e.g. `failNext.count: Too small: expected number to be >=0`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
}

/** Parses with `schema`, throwing an Error whose message names the offending fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(`invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

export class InvalidInputError extends McpflowError {}
