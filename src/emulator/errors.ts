import type { z } from 'zod';
import type { ErrorBody } from '../core/schemas';
import { McpflowError } from '../core/mcpflow-error';

/**
 * An error the emulator answers with an HTTP status and an OpenAI-shaped body
 * `{"error": {"message", "type", "param", "code"}}`. Thrown anywhere while serving a request and
 * turned into a response by the server.
 */
export class EmulatorApiError extends McpflowError {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): EmulatorApiError {
  return new EmulatorApiError(400, 'invalid_request_error', message, param, code);
}

/** The real API's wording for a body that is not JSON. */
export function invalidJsonError(): EmulatorApiError {
  return invalidRequest(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
      'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
  );
}

export function invalidUrlError(method: string, path: string): EmulatorApiError {
  return new EmulatorApiError(404, 'invalid_request_error', `Invalid URL (${method} ${path})`);
}

export function responseNotFoundError(id: string): EmulatorApiError {
  return new EmulatorApiError(404, 'invalid_request_error', `Response with id '${id}' not found.`, 'response_id', null);
}

export function previousResponseNotFoundError(id: string): EmulatorApiError {
  return invalidRequest(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
}

export function modelNotFoundError(model: string): EmulatorApiError {
  return new EmulatorApiError(
    404,
    'invalid_request_error',
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'model',
    'model_not_found',
  );
}

/** HTTP 424: the MCP server could not be reached or listed; the whole request fails. */
export function externalConnectorError(serverLabel: string, detail: string): EmulatorApiError {
  return new EmulatorApiError(
    424,
    'external_connector_error',
    `Error retrieving tool list from MCP server: '${serverLabel}'. ${detail}`,
    'tools',
    'external_connector_error',
  );
}

/** Shows a key the way the real API does: a few characters at each end, never the whole key. */
export function maskApiKey(key: string): string {
  if (key.length <= 8) return `${key.slice(0, 2)}${'*'.repeat(Math.max(key.length - 2, 3))}`;
  const head = key.slice(0, Math.min(5, Math.floor(key.length / 3)));
  const tail = key.slice(-4);
  return `${head}${'*'.repeat(key.length - head.length - tail.length)}${tail}`;
}

export function missingApiKeyError(): EmulatorApiError {
  return invalidApiKeyError(
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
      '(i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.',
  );
}

export function incorrectApiKeyError(key: string): EmulatorApiError {
  return invalidApiKeyError(`Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`);
}

/** Missing and wrong keys differ only in the message: same status, type and code. */
function invalidApiKeyError(message: string): EmulatorApiError {
  return new EmulatorApiError(401, 'invalid_request_error', message, null, 'invalid_api_key');
}

// ---------------------------------------------------------------------------------------------
// zod issues → the API's 400 wording ("Invalid type for 'tools[0].server_label': ...")

type Issue = z.core.$ZodIssue;

/** Converts the first (most specific) validation issue into the API's error, naming the parameter. */
export function validationError(error: z.ZodError): EmulatorApiError {
  const first = error.issues[0];
  if (!first) return invalidRequest('Invalid request body.');
  const { issue, path } = mostSpecific(first, first.path);
  const param = path.length ? formatParam(path) : null;
  const name = param ?? 'body';
  return invalidRequest(describeIssue(issue, name), param, codeOf(issue));
}

/** Follows union issues into the branch that got furthest, so the message names the deepest field. */
function mostSpecific(issue: Issue, path: readonly PropertyKey[]): { issue: Issue; path: readonly PropertyKey[] } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: readonly PropertyKey[]; depth: number; count: number } | undefined;
  for (const branch of issue.errors) {
    const head = branch[0];
    if (!head) continue;
    const resolved = mostSpecific(head, [...path, ...head.path]);
    const depth = resolved.path.length;
    if (!best || depth > best.depth || (depth === best.depth && branch.length < best.count)) {
      best = { ...resolved, depth, count: branch.length };
    }
  }
  if (!best) return { issue, path };
  // Every branch failed at the union itself: report the union (e.g. "expected a string or an array").
  if (best.depth === path.length && issue.errors.every((b) => b[0]?.code === 'invalid_type' && b[0].path.length === 0)) {
    return { issue, path };
  }
  return { issue: best.issue, path: best.path };
}

export function formatParam(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

function codeOf(issue: Issue): string {
  if (issue.code === 'invalid_type' && isMissing(issue)) return 'missing_required_parameter';
  if (issue.code === 'invalid_type') return 'invalid_type';
  if (issue.code === 'too_big' || issue.code === 'too_small') return 'invalid_value';
  return 'invalid_value';
}

function isMissing(issue: Issue): boolean {
  return issue.code === 'invalid_type' && /received undefined/.test(issue.message);
}

function describeIssue(issue: Issue, name: string): string {
  switch (issue.code) {
    case 'invalid_type':
      if (isMissing(issue)) return `Missing required parameter: '${name}'.`;
      return `Invalid type for '${name}': expected ${article(issue.expected)}, but got ${receivedOf(issue.message)} instead.`;
    case 'invalid_value':
      return `Invalid value for '${name}': supported values are: ${issue.values.map((v) => `'${String(v)}'`).join(', ')}.`;
    case 'invalid_union':
      if (issue.errors.length === 0 && 'discriminator' in issue) {
        // The input item union words its refusal as the API does (src/core/schemas.ts).
        if (issue.message.startsWith('Invalid value: ')) return issue.message;
        return `Invalid value for '${name}': this value is not supported.`;
      }
      return `Invalid type for '${name}': expected one of ${issue.errors
        .map((branch) => (branch[0]?.code === 'invalid_type' ? article(branch[0].expected) : 'another shape'))
        .join(' or ')}.`;
    case 'too_small':
      return `Invalid '${name}': value is too short or too small (minimum ${String(issue.minimum)}).`;
    case 'too_big':
      return `Invalid '${name}': value is too long or too large (maximum ${String(issue.maximum)}).`;
    case 'invalid_format':
      return `Invalid '${name}': expected a valid ${issue.format}.`;
    default:
      return `Invalid value for '${name}': ${issue.message}.`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function receivedOf(message: string): string {
  const received = /received (\w+)/.exec(message)?.[1] ?? 'another type';
  return received === 'null' ? 'null' : article(received);
}
