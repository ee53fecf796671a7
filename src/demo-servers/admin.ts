/**
 * The admin endpoint (`/admin/...`, JSON) that tests and `mcpflow dev` use to steer a running demo
 * server from outside its process. Every body is validated with the schemas in schemas.ts; a bad
 * one gets 400 and a message naming the field.
 *
 *   GET    /admin/info          ServerInfo
 *   GET    /admin/faults        FaultStatus
 *   POST   /admin/faults        FaultSettings -> FaultStatus       (PUT is accepted too)
 *   GET    /admin/tools         { tools: string[] }
 *   POST   /admin/tools         AddTool -> 201 { tools }            (409 if the name exists)
 *   DELETE /admin/tools/:name   -> { tools }                        (404 if not listed)
 *   GET    /admin/counters      Counters
 *   POST   /admin/reset         -> { ok: true }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, sendJson } from './http-util';
import { AddToolSchema, FaultSettingsSchema, InvalidInputError, parseOrThrow, type ServerInfo } from './schemas';
import { ToolConflictError, type DemoServerState } from './state';
import { DEMO_TODAY } from './today';

const MAX_ADMIN_BODY = 64 * 1024;

export interface AdminContext {
  state: DemoServerState;
  url: string;
  adminUrl: string;
}

export function serverInfo(ctx: AdminContext): ServerInfo {
  return {
    label: ctx.state.kind,
    url: ctx.url,
    adminUrl: ctx.adminUrl,
    today: DEMO_TODAY,
    tools: ctx.state.toolNames(),
    faults: ctx.state.faults.status(),
  };
}

/** Reads a JSON body; an empty body counts as `{}` so `POST /admin/reset` needs none. */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req, MAX_ADMIN_BODY);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError('invalid request body: not valid JSON');
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: `method not allowed; use ${allow}` }, { allow });
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: AdminContext, path: string): Promise<void> {
  const { state } = ctx;
  const method = req.method ?? 'GET';

  if (path === '/info' || path === '' || path === '/') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return sendJson(res, 200, serverInfo(ctx));
  }
  if (path === '/faults') {
    if (method === 'GET') return sendJson(res, 200, state.faults.status());
    if (method !== 'POST' && method !== 'PUT') return methodNotAllowed(res, 'GET, POST, PUT');
    const settings = parseOrThrow(FaultSettingsSchema, await jsonBody(req), 'fault settings');
    return sendJson(res, 200, state.faults.apply(settings));
  }
  if (path === '/tools') {
    if (method === 'GET') return sendJson(res, 200, { tools: state.toolNames() });
    if (method !== 'POST') return methodNotAllowed(res, 'GET, POST');
    state.addTool(parseOrThrow(AddToolSchema, await jsonBody(req), 'tool'));
    return sendJson(res, 201, { tools: state.toolNames() });
  }
  if (path.startsWith('/tools/')) {
    if (method !== 'DELETE') return methodNotAllowed(res, 'DELETE');
    const name = decodeURIComponent(path.slice('/tools/'.length));
    if (!state.removeTool(name)) return sendJson(res, 404, { error: `no tool "${name}" on the ${state.kind} server` });
    return sendJson(res, 200, { tools: state.toolNames() });
  }
  if (path === '/counters') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return sendJson(res, 200, state.counters());
  }
  if (path === '/reset') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    await readBody(req, MAX_ADMIN_BODY); // drain whatever was sent; reset takes no arguments
    state.reset();
    return sendJson(res, 200, { ok: true });
  }
  sendJson(res, 404, { error: `unknown admin path /admin${path}` });
}

/** `path` is the part after `/admin`, without the query string. */
export async function handleAdminRequest(req: IncomingMessage, res: ServerResponse, ctx: AdminContext, path: string): Promise<void> {
  try {
    await route(req, res, ctx, path);
  } catch (error) {
    if (error instanceof InvalidInputError) return sendJson(res, 400, { error: error.message });
    if (error instanceof ToolConflictError) return sendJson(res, 409, { error: error.message });
    if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
    if (error instanceof URIError) return sendJson(res, 400, { error: 'invalid tool name in path: bad percent-encoding' });
    throw error;
  }
}
