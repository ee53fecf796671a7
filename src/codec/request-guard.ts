/**
 * Who may call the codec server. It decrypts for whoever asks, so:
 * - a token is required (`Authorization: Bearer <token>`, or the token as the first path segment,
 *   `http://127.0.0.1:8081/<token>`, for the Web UI, which sends no header of its own unless it
 *   has its own login);
 * - `Host` must name this server (a loopback name or the configured host): a page on another
 *   site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name;
 * - `Origin`, when a browser sends one, must be a configured CORS origin.
 * Tokens are compared through their SHA-256, in constant time and whatever their lengths.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { McpflowError } from '../core/mcpflow-error';

/** Names of this machine that DNS cannot re-point (resolved locally). */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export class GuardError extends McpflowError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request's body as text; past `maxBytes` it is refused (413) before more is held. */
export async function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new GuardError(413, `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The host names `Host` may carry: loopback names, the listen address unless a wildcard, and extra names. */
export function allowedHostNames(listenHost: string | undefined, extra: readonly string[] = []): Set<string> {
  const names = new Set([...LOOPBACK_HOSTS, ...extra.map((name) => name.toLowerCase())]);
  const listen = (listenHost ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  if (!WILDCARD_HOSTS.has(listen)) names.add(listen);
  return names;
}

/** The name in a Host header, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase();
}

export function checkHostAndOrigin(request: IncomingMessage, hosts: ReadonlySet<string>, corsOrigins: readonly string[]): void {
  const name = hostName(request.headers.host);
  if (!name || !hosts.has(name)) {
    throw new GuardError(
      403,
      `Host "${(request.headers.host ?? '').slice(0, 100)}" is not this codec server's (allowed: ${[...hosts].join(', ')}; add a name with --allow-host)`,
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !corsOrigins.includes(origin)) {
    throw new GuardError(403, `Origin "${origin.slice(0, 100)}" is not allowed (allowed: ${corsOrigins.join(', ') || 'none'}; see --cors-origin)`);
  }
}

/** Splits `/<token>/decode` into the token segment (if any) and the route. */
export function parseRoute(pathname: string): { pathToken?: string; route?: 'encode' | 'decode' } {
  const match = /^\/(?:([^/]+)\/)?(encode|decode)\/?$/.exec(pathname);
  if (!match) return {};
  let pathToken: string | undefined;
  try {
    pathToken = match[1] ? decodeURIComponent(match[1]) : undefined;
  } catch {
    pathToken = match[1];
  }
  return { route: match[2] as 'encode' | 'decode', ...(pathToken !== undefined ? { pathToken } : {}) };
}

export function hasToken(request: IncomingMessage, pathToken: string | undefined, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  // Both are checked (no short-circuit on which one is present): the UI may send its own login's bearer and the path token.
  const byHeader = bearer !== undefined && tokensEqual(bearer, token);
  const byPath = pathToken !== undefined && tokensEqual(pathToken, token);
  return byHeader || byPath;
}
