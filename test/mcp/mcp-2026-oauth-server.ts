/**
 * An OAuth-protected MCP server on revision 2026-07-28 only, for the tests, on loopback: the MCP
 * SDK 2.x server (`createMcpHandler` with `legacy: 'reject'`, so a 2025 `initialize` never
 * gets through) behind `requireBearerAuth`, and a token endpoint that refreshes (rotating refresh
 * tokens). The tool `whoami` answers with the client the token was issued to; the server records
 * every request's method, era and bearer token so a test can see what went over the wire.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, McpServer, OAuthError, OAuthErrorCode, requireBearerAuth, type AuthInfo } from '@modelcontextprotocol/server';

interface Issued {
  clientId: string;
  expiresAt: number;
}

export interface Seen {
  method: string;
  era: 'modern' | 'legacy';
  status: number;
  token?: string;
}

export interface OAuth2026Server {
  url: string;
  /** The authorization server's issuer (also its token endpoint's origin). */
  issuer: string;
  tokenEndpoint: string;
  seen: Seen[];
  counts: { refreshes: number; calls: number };
  /** Issues a token pair for `clientId`, as a sign-in would have. */
  issue(clientId: string): { access_token: string; refresh_token: string; expires_in: number; token_type: 'Bearer' };
  /** Every access token issued so far stops working (the server side of an expiry). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export async function startOAuth2026Server(): Promise<OAuth2026Server> {
  const access = new Map<string, Issued>();
  const refresh = new Map<string, string>();
  const seen: Seen[] = [];
  const counts = { refreshes: 0, calls: 0 };
  const issue = (clientId: string) => {
    const accessToken = `at26-${randomBytes(12).toString('hex')}`;
    const refreshToken = `rt26-${randomBytes(12).toString('hex')}`;
    access.set(accessToken, { clientId, expiresAt: Date.now() + 3_600_000 });
    refresh.set(refreshToken, clientId);
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: 3600, token_type: 'Bearer' as const };
  };

  const verifier = {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const entry = access.get(token);
      if (!entry || entry.expiresAt <= Date.now()) throw new OAuthError(OAuthErrorCode.InvalidToken, 'unknown or expired token');
      return { token, clientId: entry.clientId, scopes: ['mcp:tools'], expiresAt: Math.floor(entry.expiresAt / 1000) };
    },
  };
  const gate = requireBearerAuth({ verifier });
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'secure-2026', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.registerTool('whoami', { description: 'Who the token says you are' }, async (ctx) => {
        counts.calls++;
        return { content: [{ type: 'text', text: `you are ${ctx.http?.authInfo?.clientId ?? 'nobody'}` }] };
      });
      return server;
    },
    { legacy: 'reject' },
  );

  const http = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (req.url === '/token') return token(body, res);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === 'POST' ? body : undefined,
    });
    const message = body ? (JSON.parse(body) as { method?: string; params?: { _meta?: Record<string, unknown> } }) : {};
    const record: Seen = {
      method: message.method ?? '',
      era: message.params?._meta?.['io.modelcontextprotocol/protocolVersion'] ? 'modern' : 'legacy',
      status: 0,
      token: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
    };
    seen.push(record);
    const auth = await gate(request);
    const response = auth instanceof Response ? auth : await handler.fetch(request, { authInfo: auth });
    record.status = response.status;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  function token(body: string, res: ServerResponse) {
    const form = new URLSearchParams(body);
    const clientId = refresh.get(form.get('refresh_token') ?? '');
    res.setHeader('content-type', 'application/json');
    if (form.get('grant_type') !== 'refresh_token' || !clientId || clientId !== form.get('client_id')) {
      return void res.writeHead(400).end(JSON.stringify({ error: 'invalid_grant', error_description: 'unknown refresh token' }));
    }
    refresh.delete(form.get('refresh_token')!);
    counts.refreshes++;
    res.writeHead(200).end(JSON.stringify(issue(clientId)));
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    issuer: `${origin}/`,
    tokenEndpoint: `${origin}/token`,
    seen,
    counts,
    issue,
    expireAccessTokens: () => {
      for (const entry of access.values()) entry.expiresAt = 0;
    },
    close: async () => {
      await handler.close();
      await new Promise<void>((resolve) => (http as Server).close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
