/** Helpers of the inbox's browser test: waiting for a condition, and the inbox's refusals over plain HTTP. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '../../src/codec/sdk-internals';

export interface Credentials {
  name: string;
  token: string;
}

/** Reads until it gives something defined (bounded: 30 s). */
export async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The argument of each accepted `name` update of a run, from its history: what the inbox sent. */
export async function acceptedUpdateArguments(client: Client, workflowId: string, name: string): Promise<Array<Record<string, unknown>>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const found: Array<Record<string, unknown>> = [];
  for (const event of history.events ?? []) {
    const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (input?.name !== name) continue;
    const [argument] = await decodeArrayFromPayloads(client.options.loadedDataConverter, input.args?.payloads ?? []);
    found.push(argument as Record<string, unknown>);
  }
  return found;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test set Host). */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: target.hostname, port: target.port, method, path: target.pathname, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const basic = (name: string, token: string) => `Basic ${Buffer.from(`${name}:${token}`).toString('base64')}`;

const ROUTES: Array<{ method: string; path: string; body?: string }> = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/app.js' },
  { method: 'GET', path: '/app.css' },
  { method: 'GET', path: '/api/items' },
  { method: 'GET', path: '/no-such-page' },
  { method: 'POST', path: '/api/decide', body: JSON.stringify({ decision: 'approve', items: [{ workflow_id: 'w', id: 'a' }] }) },
  { method: 'POST', path: '/api/answer', body: JSON.stringify({ workflow_id: 'w', request_id: 'input-1', action: 'decline' }) },
];

/** Every route refuses a request without the right name and token (401, Basic challenge, nothing of the page); with them it answers. */
export async function expectRefusedWithoutToken(url: string, good: Credentials): Promise<void> {
  const host = new URL(url).host;
  const wrong: Array<[string, Record<string, string>]> = [
    ['no token', {}],
    ['a wrong bearer token', { authorization: `Bearer ${good.token}x` }],
    ['the token under another name', { authorization: basic('mallory', good.token) }],
    ['a wrong token under the right name', { authorization: basic(good.name, good.token.slice(1)) }],
    ['a token of another length', { authorization: basic(good.name, 'short') }],
  ];
  for (const route of ROUTES) {
    for (const [what, headers] of wrong) {
      const answer = await send(url, route.method, route.path, { host, 'content-type': 'application/json', ...headers }, route.body);
      assert.equal(answer.status, 401, `${route.method} ${route.path} with ${what}: ${answer.body}`);
      assert.match(String(answer.headers['www-authenticate']), /^Basic realm="mcpflow inbox"/);
      assert.doesNotMatch(answer.body, /<html|function|approvals/i, 'nothing of the page or the list');
    }
  }
  const signedIn = await send(url, 'GET', '/api/items', { host, authorization: basic(good.name, good.token) });
  assert.equal(signedIn.status, 200, signedIn.body);
  assert.equal((JSON.parse(signedIn.body) as { me: string }).me, good.name);
  const bearer = await send(url, 'GET', '/', { host, authorization: `Bearer ${good.token}` });
  assert.equal(bearer.status, 200);
  assert.match(bearer.body, /<title>mcpflow inbox<\/title>/);
  // DNS rebinding: another site's name pointed at this address is refused before the token is read.
  const rebound = await send(url, 'GET', '/api/items', { host: 'inbox.attacker.example', authorization: basic(good.name, good.token) });
  assert.equal(rebound.status, 403, rebound.body);
  // A page of another origin cannot decide, even with the browser's stored credentials.
  const crossSite = await send(
    url,
    'POST',
    '/api/decide',
    { host, origin: 'http://attacker.example', 'content-type': 'application/json', authorization: basic(good.name, good.token) },
    ROUTES[5]!.body,
  );
  assert.equal(crossSite.status, 403, crossSite.body);
  // A form post (not JSON) is refused: only a same-origin script sends JSON without a preflight.
  const form = await send(
    url,
    'POST',
    '/api/decide',
    { host, 'content-type': 'application/x-www-form-urlencoded', authorization: basic(good.name, good.token) },
    'decision=approve',
  );
  assert.equal(form.status, 415, form.body);
}
