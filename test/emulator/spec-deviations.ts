/**
 * Where the real API departs from its own description (each one seen in the recorded traffic
 * named, checked by spec.test.ts), and the check every emulator test uses: the problems the
 * description finds in a value, apart from these.
 */
import assert from 'node:assert/strict';
import { specProblems } from './spec-validator';

/** Where the real API departs from its own description; each one is seen in the recorded traffic named. */
export const DEVIATIONS = [
  {
    schemas: ['Response', 'ResponseStreamEvent'],
    problem: /\/user: must be string$/,
    why: 'user is null when not sent',
    recorded: 'no-approval.1-response.json',
  },
  {
    schemas: ['Response', 'ResponseStreamEvent'],
    problem: /\/tools\/\d+\/server_description: must be string$/,
    why: 'an mcp tool is echoed with server_description: null',
    recorded: 'no-approval.1-response.json',
  },
  {
    schemas: ['Response', 'ResponseStreamEvent'],
    problem: /\/usage\/input_tokens_details: must have required property 'cache_write_tokens'$/,
    why: 'usage details carry cached_tokens only',
    recorded: 'no-approval.1-response.json',
  },
  {
    schemas: ['Response', 'ResponseStreamEvent'],
    problem: /^(\/response)?\/usage: must be object$/,
    why: "usage is null until response.completed (and in a cancelled response, as the description's own cancel example shows)",
    recorded: 'no-approval-stream.1-response.sse.txt',
  },
  {
    schemas: ['CreateResponse'],
    problem: /\/input\/\d+: must have required property 'request_id'$/,
    why: "the description requires request_id on mcp_approval_response; the API's own follow-up sends none",
    recorded: 'approval.2-request.json',
  },
] as const;

export function unexpected(schema: string, value: unknown): string[] {
  return specProblems(schema, value).filter(
    (problem) => !DEVIATIONS.some((deviation) => (deviation.schemas as readonly string[]).includes(schema) && deviation.problem.test(problem)),
  );
}

/** Fails naming each problem when `value` is not a valid `schema` of the description (deviations aside). */
export function assertValid(schema: 'Response' | 'ResponseStreamEvent' | 'ErrorResponse' | 'CreateResponse', value: unknown, what: string = schema): void {
  assert.deepEqual(unexpected(schema, value), [], `${what}: ${JSON.stringify(value).slice(0, 400)}`);
}
