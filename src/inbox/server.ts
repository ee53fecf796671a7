/**
 * The inbox's HTTP server: one page, its script and style, and a small JSON API.
 *
 *   GET  /             the page          GET /api/items    the snapshot (src/inbox/items.ts)
 *   GET  /app.js       its script        POST /api/decide  approve / deny items (src/inbox/decide.ts)
 *   GET  /app.css      its style         POST /api/answer  answer an MCP server's question
 *
 * Every request is checked in this order, before anything is read or answered: `Host` must name
 * this server and `Origin`, when sent, must be this server's (DNS rebinding and cross-site
 * requests; src/codec/request-guard.ts, the codec server's rules); then the token
 * (src/inbox/auth.ts), on every path. A POST must be JSON, which a cross-site form cannot send
 * without a CORS preflight this server never grants.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpflowClient } from '../client/client';
import { allowedHostNames, checkHostAndOrigin, GuardError, hostName, readBoundedBody } from '../codec/request-guard';
import { describeZodError } from '../core/zod-errors';
import { authenticate, type InboxAccess } from './auth';
import { AnswerRequestSchema, answer, decide, DecisionRequestSchema } from './decide';
import { InboxFeed } from './items';
import { PAGE_CSS, PAGE_HTML } from './page';
import { PAGE_SCRIPT } from './page-script';
import { listen, type ListeningServer } from '../net/listen';

const MAX_BODY_BYTES = 256 * 1024;

export interface InboxOptions {
  client: McpflowClient;
  access: InboxAccess;
  host?: string;
  port?: number;
  /** Host names besides loopback and `host` that the Host header may carry (the name people browse to). */
  allowedHosts?: readonly string[];
  /** The Web UI link of a run, when the UI's address is known. */
  uiUrl?: (workflowId: string) => string | undefined;
  /** How old a snapshot may be when a browser asks again (default 1.5 s). */
  snapshotMaxAgeMs?: number;
}

export type InboxHandle = ListeningServer;

/** A request the inbox refuses, with its HTTP status (the codec server's kind of error). */
class HttpError extends GuardError {}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'",
};

function send(response: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  response.end(body);
}

const sendJson = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));

async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw new HttpError(415, 'send the body as application/json');
  const body = await readBoundedBody(request, MAX_BODY_BYTES);
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

export function createInboxHandler(options: InboxOptions) {
  const hosts = allowedHostNames(options.host, options.allowedHosts);
  const feed = new InboxFeed(options.client, options.uiUrl ?? (() => undefined), options.snapshotMaxAgeMs);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      // Same origin: the page's own scheme and the Host it was loaded from (which must be one of ours), also behind a TLS proxy.
      const host = request.headers.host ?? '';
      checkHostAndOrigin(request, hosts, [`http://${host}`, `https://${host}`]);
    } catch {
      const name = hostName(request.headers.host);
      const which =
        !name || !hosts.has(name) ? `Host "${(request.headers.host ?? '').slice(0, 100)}"` : `Origin "${(request.headers.origin ?? '').slice(0, 100)}"`;
      sendJson(response, 403, { error: `${which} is not this inbox's (allowed hosts: ${[...hosts].join(', ')}; add a name with --allow-host)` });
      return;
    }
    const approver = authenticate(request, options.access);
    if (approver === undefined) {
      // Basic makes the browser ask for the name and token once, then send them with every request.
      send(response, 401, 'application/json; charset=utf-8', JSON.stringify({ error: 'sign in with your name and inbox token' }), {
        'www-authenticate': 'Basic realm="mcpflow inbox", charset="UTF-8"',
      });
      return;
    }
    try {
      const path = new URL(request.url ?? '/', 'http://inbox').pathname;
      const route = `${request.method ?? 'GET'} ${path}`;
      switch (route) {
        case 'GET /':
          return send(response, 200, 'text/html; charset=utf-8', PAGE_HTML);
        case 'GET /app.js':
          return send(response, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT);
        case 'GET /app.css':
          return send(response, 200, 'text/css; charset=utf-8', PAGE_CSS);
        case 'GET /api/items':
          return sendJson(response, 200, { me: approver, ...(await feed.current()) });
        case 'POST /api/decide': {
          const parsed = DecisionRequestSchema.safeParse(await readJson(request));
          if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
          const outcomes = await decide(options.client, parsed.data, approver);
          feed.invalidate();
          return sendJson(response, 200, { outcomes });
        }
        case 'POST /api/answer': {
          const parsed = AnswerRequestSchema.safeParse(await readJson(request));
          if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
          const outcome = await answer(options.client, parsed.data, approver);
          feed.invalidate();
          return sendJson(response, 200, { outcomes: [outcome] });
        }
        default:
          throw new HttpError(404, 'not found: the inbox serves /, /api/items, /api/decide and /api/answer');
      }
    } catch (error) {
      if (error instanceof GuardError) sendJson(response, error.status, { error: error.message });
      else sendJson(response, 500, { error: 'internal error' });
    }
  };
}

export function startInbox(options: InboxOptions): Promise<InboxHandle> {
  return listen(createInboxHandler(options), options);
}
