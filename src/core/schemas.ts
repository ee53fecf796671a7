/**
 * Zod schemas of the OpenAI Responses API items that carry remote MCP tools, written from the
 * official OpenAPI description (../shared/reference/openai-responses/schemas) and checked
 * against recorded traffic. One schema per thing; types come from `z.infer`.
 *
 * Objects are "loose": the API adds fields over time and a new field must not break a run.
 *
 * One import for both directions: ./response-schemas.ts (what the API answers) and
 * ./request-schemas.ts (what mcpflow sends). Streaming events live in ./stream-events.ts.
 */
export * from './tool-filters';
export { describeZodError } from './zod-errors';
export * from './response-schemas';
export * from './request-schemas';
