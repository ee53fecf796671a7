import { setTimeout as delay } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CreateResponseRequestSchema, type ErrorBody } from '../core/schemas';
import { AdminState, FaultsSchema } from './admin';
import { BackgroundRuns } from './background';
import { cancelResponse, resumeStream, startBackground, type BackgroundContext } from './background-http';
import { ConversationStore, DEFAULT_MAX_CONVERSATIONS } from './conversations';
import {
  EmulatorApiError,
  incorrectApiKeyError,
  invalidJsonError,
  invalidRequest,
  invalidUrlError,
  missingApiKeyError,
  previousResponseNotFoundError,
  responseNotFoundError,
  validationError,
} from './errors';
import { newId } from './ids';
import { McpBridge } from './mcp-bridge';
import { ignoreEvents, SseWriter } from './stream';
import { prepareTurn } from './prepare-turn';
import type { TurnHooks } from './prepared-turn';
import { PromptCache } from './prompt-cache';
import { ReasoningSeal } from './reasoning';
import { isFlex } from './service-tier';
import { runTurn } from './run-turn';
import { checkAgainstSpec } from './spec-check';
import type { AllowPrivateNetworks } from '../core/destinations';

export interface EmulatorServerOptions {
  /** Accepted API keys; when empty or absent every key is accepted. */
  apiKeys?: readonly string[];
  maxConversations?: number;
  /** Delay before answering every API request. */
  latencyMs?: number;
  /** Which private ranges the MCP bridge may reach (default loopback only). */
  allowPrivateNetworks?: AllowPrivateNetworks;
  /** The date the planner calls "today" (YYYY-MM-DD); default the demo servers' (MCPFLOW_DEMO_TODAY or the real date). */
  today?: () => string;
  /** How long a background response stays `queued` before it starts (default 50 ms). */
  backgroundQueueMs?: number;
  /** Added to every `service_tier: "flex"` model call (default 200 ms; admin faults can change it). */
  flexLatencyMs?: number;
}

export interface EmulatorServer {
  server: Server;
  admin: AdminState;
  conversations: ConversationStore;
  /** Background responses still running: aborted when the emulator closes or resets. */
  backgroundRuns: BackgroundRuns;
  promptCache: PromptCache;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** The HTTP side: routing, auth, faults, and turning errors into OpenAI-shaped bodies. */
export function createEmulatorServer(options: EmulatorServerOptions = {}): EmulatorServer {
  const admin = new AdminState(options.latencyMs ?? 0, options.flexLatencyMs);
  const conversations = new ConversationStore(options.maxConversations ?? DEFAULT_MAX_CONVERSATIONS);
  const apiKeys = new Set(options.apiKeys ?? []);
  const promptCache = new PromptCache();
  const hooks: TurnHooks = {
    onToolListing: (label) => admin.recordToolListing(label),
    onToolCall: (label, tool) => admin.recordToolCall(label, tool),
    reasoningSeal: new ReasoningSeal(),
    promptCache,
    flexLatencyMs: () => admin.flexLatencyMs,
    ...(options.today ? { today: options.today } : {}),
  };
  const backgroundRuns = new BackgroundRuns();
  const backgroundContext: BackgroundContext = {
    conversations,
    runs: backgroundRuns,
    hooks,
    queueMs: options.backgroundQueueMs ?? 50,
    onCompleted: (stored) => remember(stored, true),
    sendJson: (res, status, body, headers) => sendJson(res, status, body, headers),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Last resort: a bug must still give the client an answer and keep the server up.
      if (!res.headersSent) sendError(res, new EmulatorApiError(500, 'server_error', `Internal emulator error: ${String(error)}`), {});
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/admin/')) return handleAdmin(req, res, method, url.pathname);

    const headers = { 'x-request-id': newId('req'), 'openai-processing-ms': '1' };
    try {
      if (admin.latencyMs > 0) await delay(admin.latencyMs);
      checkApiKey(req);
      const fault = admin.takeFault();
      if (fault?.kind === 'drop') {
        admin.requestsServed += 1;
        req.socket.destroy();
        return;
      }
      if (fault) throw fault.error;
      await route(req, res, method, url, headers);
    } catch (error) {
      if (error instanceof EmulatorApiError) sendError(res, error, headers);
      else throw error;
    }
  }

  function checkApiKey(req: IncomingMessage): void {
    if (apiKeys.size === 0) return;
    const header = req.headers['authorization'];
    const key = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() : undefined;
    if (!key) throw missingApiKeyError();
    if (!apiKeys.has(key)) throw incorrectApiKeyError(key);
  }

  async function route(req: IncomingMessage, res: ServerResponse, method: string, url: URL, headers: Record<string, string>): Promise<void> {
    const path = url.pathname;
    const normalized = path.replace(/\/+$/, '');
    if (normalized === '/v1/responses' && method === 'POST') return createResponse(req, res, headers);
    const cancel = /^\/v1\/responses\/([^/]+)\/cancel$/.exec(normalized);
    if (cancel?.[1] && method === 'POST') {
      await readBody(req);
      return sendJson(res, 200, cancelResponse(storedOrNotFound(cancel[1])), headers);
    }
    const match = /^\/v1\/responses\/([^/]+)$/.exec(normalized);
    if (match?.[1] && method === 'GET') {
      const stored = storedOrNotFound(match[1]);
      if (url.searchParams.get('stream') === 'true') return resumeStream(stored, res, headers, url.searchParams);
      return sendJson(res, 200, stored.response, headers);
    }
    if (match?.[1] && method === 'DELETE') {
      const id = decodeURIComponent(match[1]);
      if (!conversations.delete(id)) throw responseNotFoundError(id);
      return sendJson(res, 200, { id, object: 'response.deleted', deleted: true }, headers);
    }
    throw invalidUrlError(method, path);
  }

  function storedOrNotFound(rawId: string) {
    const id = decodeURIComponent(rawId);
    const stored = conversations.get(id);
    if (!stored) throw responseNotFoundError(id);
    return stored;
  }

  async function createResponse(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<void> {
    const body = parseJson(await readBody(req));
    // What the real API refuses (unknown fields, wrong types and values), worded as it words it;
    // then the emulator's own reading, which may refuse what it cannot serve.
    checkAgainstSpec(body);
    const parsed = CreateResponseRequestSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const request = parsed.data;
    const previous = request.previous_response_id ? conversations.get(request.previous_response_id) : undefined;
    if (request.previous_response_id && !previous) throw previousResponseNotFoundError(request.previous_response_id);
    if (request.previous_response_id && (previous?.response.status === 'in_progress' || previous?.response.status === 'queued')) {
      throw invalidRequest(`Previous response with id '${request.previous_response_id}' is still in progress.`, 'previous_response_id');
    }
    const background = request['background'] === true;
    if (background && request.store === false) throw invalidRequest('Background mode requires store to be true.', 'background');
    const flexFault = isFlex(request) ? admin.takeFlexFault() : undefined;
    if (flexFault) throw flexFault;

    const bridge = new McpBridge(options.allowPrivateNetworks);
    let ownsBridge = true;
    try {
      const prepared = await prepareTurn(request, previous, bridge, hooks, (id) => conversations.findItem(id));
      if (background) {
        ownsBridge = false;
        return await startBackground(backgroundContext, prepared, bridge, res, headers, request.stream === true);
      }
      if (request.stream) {
        const writer = new SseWriter(res);
        writer.start(headers);
        try {
          const stored = await runTurn(prepared, bridge, writer, hooks);
          remember(stored, request.store);
        } catch (error) {
          // Headers are gone: the API reports a late failure as an `error` event.
          writer.emit({ type: 'error', code: 'server_error', message: String(error), param: null });
        }
        writer.end();
        return;
      }
      const stored = await runTurn(prepared, bridge, ignoreEvents, hooks);
      remember(stored, request.store);
      sendJson(res, 200, stored.response, headers);
    } finally {
      if (ownsBridge) await bridge.closeAll();
    }
  }

  function remember(stored: Parameters<ConversationStore['set']>[1], store: boolean | null | undefined): void {
    admin.responsesCreated += 1;
    admin.recordUsage(stored.response.usage);
    // `store: false` responses cannot be retrieved or continued, as with the real API.
    if (store !== false) conversations.set(stored.response.id, stored);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    try {
      if (path === '/admin/stats' && method === 'GET') return sendJson(res, 200, admin.stats(conversations.size), {});
      if (path === '/admin/reset' && method === 'POST') {
        await readBody(req);
        admin.reset();
        backgroundRuns.abortAll();
        promptCache.clear();
        conversations.clear();
        return sendJson(res, 200, { ok: true }, {});
      }
      if (path === '/admin/forget' && method === 'POST') {
        // Stored responses past the API's retention: previous_response_id and GET find nothing.
        await readBody(req);
        const forgotten = conversations.size;
        conversations.clear();
        return sendJson(res, 200, { ok: true, forgotten }, {});
      }
      if (path === '/admin/faults' && method === 'POST') {
        const parsed = FaultsSchema.safeParse(parseJson(await readBody(req)));
        if (!parsed.success) throw validationError(parsed.error);
        admin.setFaults(parsed.data);
        return sendJson(res, 200, { ok: true }, {});
      }
      throw invalidUrlError(method, path);
    } catch (error) {
      if (error instanceof EmulatorApiError) return sendError(res, error, {});
      throw error;
    }
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendError(res: ServerResponse, error: EmulatorApiError, headers: Record<string, string>): void {
    const body: ErrorBody = error.toBody();
    sendJson(res, error.status, body, { ...headers, ...error.headers });
  }

  // Count every answered API request once, whatever its outcome.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').startsWith('/admin/')) return;
    res.once('finish', () => {
      admin.requestsServed += 1;
    });
  });

  return { server, admin, conversations, backgroundRuns, promptCache };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJsonError();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(invalidRequest('The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
