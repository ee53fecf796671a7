/**
 * Who may use the inbox, and under which name their decisions are recorded.
 *
 * - Tokens are named, one per person: every request must carry one (HTTP Basic with the name as
 *   user and the token as password, which the browser asks for and then sends with every request,
 *   the page included; or `Authorization: Bearer <token>` for scripts). The name is the approver.
 * - Without tokens the inbox serves loopback only, and the approver is the OS user who started it.
 * - Tokens are kept as SHA-256 digests and compared with timingSafeEqual over digests, against
 *   every configured token whatever matched, so neither a token's length nor which name exists
 *   shows in the time an answer takes. Tokens are never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import type { IncomingMessage } from 'node:http';
import type { InboxSection } from '../config/schema';
import { McpflowError } from '../core/mcpflow-error';

export type InboxAccess = { kind: 'tokens'; tokens: ReadonlyMap<string, Buffer> } | { kind: 'local'; name: string };

export class InboxAuthError extends McpflowError {}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether an address can only be reached from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** A new token: URL-safe, 32 random bytes. */
export function generateInboxToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenDigestHex(token: string): string {
  return sha256(token).toString('hex');
}

/** The config's `inbox.tokens`: digests as they are, `{ env }` references read and hashed now. */
export function tokensFromConfig(tokens: InboxSection['tokens'], env: NodeJS.ProcessEnv = process.env): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  for (const [name, entry] of Object.entries(tokens ?? {})) {
    if ('sha256' in entry) result.set(name, Buffer.from(entry.sha256, 'hex'));
    else {
      const value = env[entry.env];
      if (!value) throw new InboxAuthError(`inbox.tokens.${name} refers to ${entry.env}, which is not set: set it, or write the token's { "sha256": ... }`);
      result.set(name, sha256(value));
    }
  }
  return result;
}

/**
 * `--token-file`: one `name:token` per line (blank lines and `#` comments skipped). It holds the
 * tokens themselves, so it must not be readable by other users.
 */
export function tokensFromFile(file: string): Map<string, Buffer> {
  const mode = statSync(file).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new InboxAuthError(`the token file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}`);
  }
  const result = new Map<string, Buffer>();
  for (const [index, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Za-z0-9._@-]{1,64})\s*:\s*(\S{16,})$/.exec(line);
    // The line is not quoted back: it may hold a token.
    if (!match) throw new InboxAuthError(`${file} line ${index + 1}: write name:token (a name of letters, digits, . _ @ -; a token of 16+ characters)`);
    if (result.has(match[1]!)) throw new InboxAuthError(`${file} line ${index + 1}: the name ${match[1]} is given twice`);
    result.set(match[1]!, sha256(match[2]!));
  }
  return result;
}

/** The name decisions carry on loopback without tokens. */
export function localName(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

/** Tokens when there are any; none only on loopback. */
export function resolveInboxAccess(host: string, tokens: ReadonlyMap<string, Buffer>): InboxAccess {
  if (tokens.size > 0) return { kind: 'tokens', tokens };
  if (!isLoopbackHost(host)) {
    throw new InboxAuthError(
      `--host ${host} is reachable from other machines: the inbox needs named tokens there (--token-file, or inbox.tokens in the config; mcpflow inbox --generate-token <name> makes one)`,
    );
  }
  return { kind: 'local', name: localName() };
}

function credentials(request: IncomingMessage): { name?: string; token: string } | undefined {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer) return { token: bearer };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // An empty user name: the token alone says who it is.
  return colon < 0 ? undefined : { ...(colon > 0 ? { name: decoded.slice(0, colon) } : {}), token: decoded.slice(colon + 1) };
}

/** The name of who sends this request, or undefined when it carries no valid token. */
export function authenticate(request: IncomingMessage, access: InboxAccess): string | undefined {
  if (access.kind === 'local') return access.name;
  const given = credentials(request);
  if (!given) return undefined;
  const digest = sha256(given.token);
  let found: string | undefined;
  // Every token is compared, whichever matches: the time does not say which names exist.
  for (const [name, expected] of access.tokens) {
    const equal = timingSafeEqual(digest, expected);
    if (equal && (given.name === undefined || given.name === name) && found === undefined) found = name;
  }
  return found;
}
