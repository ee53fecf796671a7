/**
 * What an MCP 2026-07-28 server may ask of a direct-mode call, as plain JSON the workflow keeps:
 * an `InputRequiredResult` (multi round-trip elicitation) and a task handle (tasks extension).
 * Shared by the activities that read the server's answer and the workflow that waits durably;
 * the wire side is the MCP SDK 2.x client's (activities/mcp/2026/ keeps the tasks extension's schemas).
 *
 * Only elicitation is declared in the client capabilities mcpflow sends, so a server may not put
 * sampling or roots requests in `inputRequests` (MRTR, "Server Requirements"); one that does is
 * refused with a clear error instead of being answered.
 */
import { z } from 'zod';
import { jsonBytes } from './payload-size';

/** The elicitation content values the schema allows: `{ [key]: string | number | boolean | string[] }`. */
export const ElicitContentSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));
export type ElicitContent = z.infer<typeof ElicitContentSchema>;

const ChoiceSchema = z.looseObject({ const: z.string(), title: z.string() });

/**
 * `PrimitiveSchemaDefinition`: string (with `enum`, titled `oneOf` or a `format`), number or
 * integer, boolean, or a multi-select array of strings. A server that asks for anything else
 * (nested objects, other keywords doing the work) breaks the revision and is refused.
 */
export const PrimitiveSchemaDefinitionSchema = z.union([
  z.looseObject({
    type: z.literal('string'),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    format: z.enum(['email', 'uri', 'date', 'date-time']).optional(),
    enum: z.array(z.string()).optional(),
    oneOf: z.array(ChoiceSchema).optional(),
  }),
  z.looseObject({ type: z.enum(['number', 'integer']), minimum: z.number().optional(), maximum: z.number().optional() }),
  z.looseObject({ type: z.literal('boolean') }),
  z.looseObject({
    type: z.literal('array'),
    minItems: z.number().int().nonnegative().optional(),
    maxItems: z.number().int().nonnegative().optional(),
    // Untitled (`type: "string"`, `enum`) or titled (`anyOf` of `const`/`title`) choices.
    items: z
      .looseObject({ type: z.literal('string').optional(), enum: z.array(z.string()).optional(), anyOf: z.array(ChoiceSchema).optional() })
      .refine((items) => items.enum !== undefined || items.anyOf !== undefined, 'a multi-select needs items.enum or items.anyOf'),
  }),
]);
export type PrimitiveSchemaDefinition = z.infer<typeof PrimitiveSchemaDefinitionSchema>;

/** `ElicitRequestFormParams.requestedSchema`: flat, primitive properties only. */
export const RequestedSchemaSchema = z.looseObject({
  $schema: z.string().optional(),
  type: z.literal('object'),
  properties: z.record(z.string(), PrimitiveSchemaDefinitionSchema),
  required: z.array(z.string()).optional(),
});
export type RequestedSchema = z.infer<typeof RequestedSchemaSchema>;

/** `ElicitRequest` (method `elicitation/create`): form mode (mode absent or "form") or URL mode. */
export const ElicitRequestSchema = z.object({
  method: z.literal('elicitation/create'),
  params: z.union([
    z.looseObject({ mode: z.literal('url'), message: z.string(), url: z.url() }),
    z.looseObject({ mode: z.literal('form').optional(), message: z.string(), requestedSchema: RequestedSchemaSchema }),
  ]),
});
export type ElicitRequest = z.infer<typeof ElicitRequestSchema>;

/** `ElicitResult`: what goes back to the server in `inputResponses[key]`. */
export const ElicitResultSchema = z.object({
  action: z.enum(['accept', 'decline', 'cancel']),
  content: ElicitContentSchema.optional(),
});
export type ElicitResult = z.infer<typeof ElicitResultSchema>;

/** `inputRequests` and `requestState` of an InputRequiredResult, as the workflow keeps them. */
export const InputRequiredSchema = z.object({
  kind: z.literal('input_required'),
  /** Keys are the server's; only elicitation requests get this far (see the module comment). */
  input_requests: z.record(z.string(), ElicitRequestSchema),
  /** Opaque: echoed back exactly, never read. */
  request_state: z.string().optional(),
});
export type InputRequired = z.infer<typeof InputRequiredSchema>;

/** The tasks extension's statuses (`TaskStatus`). */
export const TaskStatusSchema = z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** A task as the workflow follows it: the handle plus what the latest `tasks/get` said. */
export const TaskHandleSchema = z.object({
  kind: z.literal('task'),
  task_id: z.string().min(1),
  status: TaskStatusSchema,
  status_message: z.string().optional(),
  /** The server's suggested polling interval; absent = mcpflow's default. */
  poll_interval_ms: z.number().int().nonnegative().optional(),
  /** Only for `input_required`: the elicitations to answer through `tasks/update`. */
  input_requests: z.record(z.string(), ElicitRequestSchema).optional(),
  /** Only for `failed`: the JSON-RPC error's message. */
  error_message: z.string().optional(),
});
export type TaskHandle = z.infer<typeof TaskHandleSchema>;

/** A retry that carried `requestState` was refused: the state expired or no longer verifies. */
export const RequestStateRejectedSchema = z.object({
  kind: z.literal('request_state_rejected'),
  message: z.string(),
});

export const CallInteractionSchema = z.discriminatedUnion('kind', [InputRequiredSchema, TaskHandleSchema, RequestStateRejectedSchema]);
export type CallInteraction = z.infer<typeof CallInteractionSchema>;

/** What the server asked, bounded: `inputRequests` are shown in `progress` (several calls may ask at once: 32 KiB each keeps the answer far under 2 MiB) and kept in history. */
export const MAX_INPUT_REQUESTS_BYTES = 32 * 1024;
/** `requestState` travels through history twice (result, then the retry's input). */
export const MAX_REQUEST_STATE_BYTES = 256 * 1024;
/** A server that keeps asking: after this many rounds for one call, the call fails. */
export const MAX_INPUT_ROUNDS = 10;

/** One question waiting for a person, as `progress` shows it. */
export const PendingInputSchema = z.object({
  /** mcpflow's id for `mcpflow answer <workflowId> <id>` (unique within the run). */
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  call_id: z.string(),
  /** The server's key in `inputRequests`. */
  key: z.string(),
  mode: z.enum(['form', 'url']),
  message: z.string(),
  requested_schema: RequestedSchemaSchema.optional(),
  url: z.string().optional(),
  requested_at: z.string(),
  /** Set when the person is asked again because the server forgot the earlier round. */
  asked_again: z.boolean().optional(),
});
export type PendingInput = z.infer<typeof PendingInputSchema>;

/** The `answer` update's argument. */
export const InputAnswerSchema = z.strictObject({
  /** Which question; absent = the only one pending. */
  request_id: z.string().min(1).optional(),
  action: z.enum(['accept', 'decline', 'cancel']),
  content: ElicitContentSchema.optional(),
  /** Who answers (a client's identity, an inbox user, an MCP client); recorded with the answer. */
  approver: z.string().min(1).max(200).optional(),
});
export type InputAnswer = z.infer<typeof InputAnswerSchema>;

export interface InputAnswerOutcome {
  answered: string;
  action: InputAnswer['action'];
}

/** A task a run follows, as `progress` shows it. */
export const TaskProgressSchema = z.object({
  call_id: z.string(),
  server: z.string(),
  tool: z.string(),
  task_id: z.string(),
  status: TaskStatusSchema,
  status_message: z.string().optional(),
  polls: z.number().int().nonnegative(),
  started_at: z.string(),
  updated_at: z.string(),
});
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

/** The question a pending input shows for one `inputRequests` entry. */
export function pendingInputOf(request: ElicitRequest, base: Omit<PendingInput, 'mode' | 'message' | 'requested_schema' | 'url'>): PendingInput {
  const params = request.params;
  if (params.mode === 'url') return { ...base, mode: 'url', message: params.message, url: params.url };
  return { ...base, mode: 'form', message: params.message, requested_schema: params.requestedSchema };
}

/**
 * Checks an answer against the question: form-mode `accept` needs content that matches the
 * requested schema; URL mode and decline/cancel carry no content. Returns the problems, empty
 * when fine. Hand-written for the revision's restricted schema (flat, primitive properties) rather
 * than with Ajv: this runs in the `answer` update's validator, and every workflow run would
 * otherwise load Ajv (about 1 MiB of heap per cached run, measured with node --expose-gc).
 */
export function answerProblems(question: PendingInput, answer: InputAnswer): string[] {
  if (answer.action !== 'accept') return answer.content === undefined ? [] : [`a "${answer.action}" answer carries no content: drop --json`];
  if (question.mode === 'url') return answer.content === undefined ? [] : ['a URL-mode request takes no content: answer with --accept once the page is done'];
  if (answer.content === undefined) return ['an "accept" answer needs content: --json \'{...}\' matching the requested schema'];
  if (jsonBytes(answer.content) > MAX_INPUT_REQUESTS_BYTES) return [`the answer is larger than ${MAX_INPUT_REQUESTS_BYTES} bytes`];
  const schema = question.requested_schema ?? { type: 'object' as const, properties: {} };
  const problems: string[] = [];
  for (const field of schema.required ?? []) if (!(field in answer.content)) problems.push(`${field}: required`);
  for (const [field, value] of Object.entries(answer.content)) {
    const property = schema.properties[field];
    if (!property) problems.push(`${field}: not asked for (fields: ${Object.keys(schema.properties).join(', ') || 'none'})`);
    else problems.push(...valueProblems(property, value).map((problem) => `${field}: ${problem}`));
  }
  return problems;
}

function valueProblems(schema: PrimitiveSchemaDefinition, value: ElicitContent[string]): string[] {
  switch (schema.type) {
    case 'boolean':
      return typeof value === 'boolean' ? [] : ['must be true or false'];
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`must be a ${schema.type}`];
      if (schema.type === 'integer' && !Number.isInteger(value)) return ['must be an integer'];
      if (schema.minimum !== undefined && value < schema.minimum) return [`must be at least ${schema.minimum}`];
      if (schema.maximum !== undefined && value > schema.maximum) return [`must be at most ${schema.maximum}`];
      return [];
    }
    case 'array': {
      if (!Array.isArray(value)) return ['must be a list of strings'];
      const allowed = schema.items.enum ?? schema.items.anyOf?.map((choice) => choice.const) ?? [];
      const problems = value.filter((item) => !allowed.includes(item)).map((item) => `"${item}" is not one of ${allowed.join(', ')}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`choose at least ${schema.minItems}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`choose at most ${schema.maxItems}`);
      return problems;
    }
    case 'string': {
      if (typeof value !== 'string') return ['must be a string'];
      const allowed = schema.enum ?? schema.oneOf?.map((choice) => choice.const);
      if (allowed && !allowed.includes(value)) return [`must be one of ${allowed.join(', ')}`];
      const length = [...value].length;
      if (schema.minLength !== undefined && length < schema.minLength) return [`at least ${schema.minLength} characters`];
      if (schema.maxLength !== undefined && length > schema.maxLength) return [`at most ${schema.maxLength} characters`];
      if (schema.format && !FORMATS[schema.format](value)) return [`must be ${FORMAT_WORDS[schema.format]}`];
      return [];
    }
  }
}

const FORMATS: Record<'email' | 'uri' | 'date' | 'date-time', (value: string) => boolean> = {
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
  uri: (value) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$/.test(value),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)),
  'date-time': (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)),
};
const FORMAT_WORDS = {
  email: 'an email address',
  uri: 'a URI (scheme:...)',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time (ISO 8601 with a zone)',
};
