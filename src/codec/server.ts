/**
 * A Temporal codec server: the Web UI (and `temporal` CLI with --codec-endpoint) send the
 * payloads they display to POST /decode (and /encode for what users type), as JSON
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }`, with the namespace in
 * X-Namespace. The browser calls it directly, so it answers CORS for the UI's origin. Who may
 * call it: src/codec/request-guard.ts (token, Host, Origin).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { allowedHostNames, checkHostAndOrigin, GuardError, hasToken, parseRoute, readBoundedBody } from './request-guard';
import { listen, type ListeningServer } from '../net/listen';

/** Temporal's gRPC message limit is 4 MiB; base64 JSON of that is about 5.4 MiB. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const RequestSchema = z.strictObject({
  payloads: z.array(z.object({ metadata: z.record(z.string(), Base64Schema).optional(), data: Base64Schema.optional() })).max(10_000),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  host?: string;
  port?: number;
  /** Origins allowed to call from a browser (the Web UI's), e.g. http://localhost:8080. */
  corsOrigins: readonly string[];
  /**
   * Requests need it (`Authorization: Bearer <token>` or `/<token>/decode`). `undefined` only when
   * the caller chose no token explicitly: then /decode is open to this host and /encode is off.
   */
  token: string | undefined;
  /** Host names besides loopback and `host` that the `Host` header may carry (a DNS name users browse to). */
  allowedHosts?: readonly string[];
}

export type CodecServerHandle = ListeningServer;

function fromJson(payload: { metadata?: Record<string, string>; data?: string }): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

class HttpError extends GuardError {}

export function createCodecHandler(options: CodecServerOptions) {
  const hosts = allowedHostNames(options.host, options.allowedHosts);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const origin = request.headers.origin;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    try {
      // Before anything else, CORS headers included: a rebinding page learns nothing.
      checkHostAndOrigin(request, hosts, options.corsOrigins);
    } catch (error) {
      send((error as GuardError).status, { error: (error as Error).message });
      return;
    }
    if (origin && options.corsOrigins.includes(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
      response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      response.setHeader('Vary', 'Origin');
    }
    try {
      if (request.method === 'OPTIONS') {
        response.writeHead(origin && options.corsOrigins.includes(origin) ? 204 : 403);
        response.end();
        return;
      }
      const { route, pathToken } = parseRoute(new URL(request.url ?? '/', 'http://codec').pathname);
      if (!route) throw new HttpError(404, 'POST /encode or /decode (or /<token>/decode)');
      if (request.method !== 'POST') throw new HttpError(405, `use POST for /${route}`);
      if (options.token !== undefined && !hasToken(request, pathToken, options.token)) {
        throw new HttpError(
          401,
          'missing or wrong token: send Authorization: Bearer <MCPFLOW_CODEC_TOKEN>, or use http://host:port/<token> as the codec endpoint',
        );
      }
      // Encrypting for anyone would let them plant payloads that pass for the workers' own.
      if (options.token === undefined && route === 'encode')
        throw new HttpError(403, '/encode needs a token: start the codec server with one (MCPFLOW_CODEC_TOKEN or --token)');
      let json: unknown;
      try {
        json = JSON.parse(await readBoundedBody(request, MAX_BODY_BYTES));
      } catch (error) {
        if (error instanceof GuardError) throw error;
        throw new HttpError(400, 'the body is not JSON: send {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
      }
      const parsed = RequestSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new HttpError(400, `${issue.path.join('.') || 'body'}: ${issue.message} (expected {"payloads": [{"metadata": {...}, "data": "<base64>"}]})`);
      }
      const payloads = parsed.data.payloads.map(fromJson);
      let result: Payload[];
      try {
        result = route === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      } catch (error) {
        // The codec's errors name key ids and variables, never key material.
        throw new HttpError(422, (error as Error).message);
      }
      send(200, { payloads: result.map(toJson) });
    } catch (error) {
      const status = error instanceof GuardError ? error.status : 500;
      send(status, { error: error instanceof GuardError ? error.message : 'internal error' });
    }
  };
}

export function startCodecServer(options: CodecServerOptions): Promise<CodecServerHandle> {
  return listen(createCodecHandler(options), options);
}

/** A token for a codec server started without one: URL-safe, so it can be the endpoint's path. */
export function generateCodecToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The endpoint to give the Web UI (which cannot send a header): the token as the first path segment. */
export function uiCodecEndpoint(url: string, token: string | undefined): string {
  return token === undefined ? url : `${url}/${encodeURIComponent(token)}`;
}

/** A Web UI's origin (from its URL), under both loopback names: browsers send the one typed. */
export function uiOrigins(uiBase: string | undefined): string[] {
  if (!uiBase) return [];
  const origin = new URL(uiBase).origin;
  const other = origin.includes('//127.0.0.1') ? origin.replace('//127.0.0.1', '//localhost') : origin.replace('//localhost', '//127.0.0.1');
  return [...new Set([origin, other])];
}
