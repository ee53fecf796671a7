/**
 * Streaming events of the Responses API (server-sent events with `stream: true`), read by the
 * tests that check recorded streams and the emulator's. Not part of ./schemas.ts: the worker
 * preloads that into every workflow sandbox (src/worker/shared-modules.ts), and no workflow or
 * activity parses these (activities/responses-stream.ts reads the stream through the openai SDK).
 */
import { z } from 'zod';
import { OutputItemSchema, OutputMessageContentSchema, ResponseSchema } from './response-schemas';

const sequenced = { sequence_number: z.number().int().nonnegative() };
const itemProgress = { ...sequenced, output_index: z.number().int().nonnegative(), item_id: z.string() };

export const ResponseLifecycleEventSchema = z.looseObject({
  type: z.enum(['response.created', 'response.in_progress', 'response.completed', 'response.failed', 'response.incomplete', 'response.queued']),
  ...sequenced,
  response: ResponseSchema,
});

export const OutputItemEventSchema = z.looseObject({
  type: z.enum(['response.output_item.added', 'response.output_item.done']),
  ...sequenced,
  output_index: z.number().int().nonnegative(),
  item: OutputItemSchema,
});

export const McpProgressEventSchema = z.looseObject({
  type: z.enum([
    'response.mcp_list_tools.in_progress',
    'response.mcp_list_tools.completed',
    'response.mcp_list_tools.failed',
    'response.mcp_call.in_progress',
    'response.mcp_call.completed',
    'response.mcp_call.failed',
  ]),
  ...itemProgress,
});

export const McpCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.delta'),
  ...itemProgress,
  delta: z.string(),
});
export const McpCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.done'),
  ...itemProgress,
  arguments: z.string(),
});

export const FunctionCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.delta'),
  ...itemProgress,
  delta: z.string(),
});
export const FunctionCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  ...itemProgress,
  arguments: z.string(),
});

export const ContentPartEventSchema = z.looseObject({
  type: z.enum(['response.content_part.added', 'response.content_part.done']),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  part: OutputMessageContentSchema,
});
export const OutputTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.output_text.delta'),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  delta: z.string(),
});
export const OutputTextDoneEventSchema = z.looseObject({
  type: z.literal('response.output_text.done'),
  ...itemProgress,
  content_index: z.number().int().nonnegative(),
  text: z.string(),
});
export const StreamErrorEventSchema = z.looseObject({
  type: z.literal('error'),
  ...sequenced,
  code: z.string().nullable(),
  message: z.string(),
  param: z.string().nullable(),
});

export const ResponseStreamEventSchema = z.union([
  ResponseLifecycleEventSchema,
  OutputItemEventSchema,
  McpProgressEventSchema,
  McpCallArgumentsDeltaEventSchema,
  McpCallArgumentsDoneEventSchema,
  FunctionCallArgumentsDeltaEventSchema,
  FunctionCallArgumentsDoneEventSchema,
  ContentPartEventSchema,
  OutputTextDeltaEventSchema,
  OutputTextDoneEventSchema,
  StreamErrorEventSchema,
]);
export type ResponseStreamEvent = z.infer<typeof ResponseStreamEventSchema>;
