/**
 * The OAuth token store: one JSON file, readable by its owner only (0600, in a 0700 directory),
 * that `mcpflow auth <label>` writes and the worker reads (and updates when it refreshes a token).
 * Tokens never enter workflow inputs or history: a workflow names the server, the worker looks
 * its tokens up here. Entries are keyed by the MCP server's URL (the protected resource), so
 * the same server under another label in another config finds its tokens.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, statSync, readFileSync } from 'node:fs';
import { lstat, mkdir, open, readFile, readlink, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { McpflowError } from '../core/mcpflow-error';

/** What the OAuth client library stores and reads back (RFC 6749 token response, plus the issuer stamp). */
export const StoredTokensSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
  issuer: z.string().optional(),
});
export type StoredTokens = z.infer<typeof StoredTokensSchema>;

export const StoredServerSchema = z.strictObject({
  /** The label used at sign-in, for messages only. */
  label: z.string(),
  server_url: z.string(),
  /** The authorization server, as the server's protected resource metadata named it and its metadata's `issuer` confirmed. */
  issuer: z.string(),
  redirect_url: z.string(),
  /** The client registration (dynamic or configured): client_id, and what the server returned. */
  client: z.looseObject({ client_id: z.string().min(1) }),
  tokens: StoredTokensSchema,
  /** When the access token stops working (ms since the epoch), from `expires_in`; absent: unknown. */
  expires_at: z.number().optional(),
  /** The validated discovery (protected resource and authorization server metadata): the worker never discovers anew. */
  discovery: z.looseObject({ authorizationServerUrl: z.string() }),
  updated_at: z.string(),
});
export type StoredServer = z.infer<typeof StoredServerSchema>;

const TokenStoreFileSchema = z.strictObject({
  version: z.literal(1),
  servers: z.record(z.string(), StoredServerSchema),
});
type TokenStoreFile = z.infer<typeof TokenStoreFileSchema>;

/** The store cannot be used as it is (unreadable, readable by others, malformed): the message says how to fix it. */
export class TokenStoreError extends McpflowError {}

type Env = Record<string, string | undefined>;

/** `MCPFLOW_TOKEN_STORE`, else `$XDG_STATE_HOME/mcpflow/oauth-tokens.json`, else `~/.local/state/mcpflow/oauth-tokens.json`. */
export function tokenStorePath(env: Env = process.env): string {
  if (env.MCPFLOW_TOKEN_STORE) return path.resolve(env.MCPFLOW_TOKEN_STORE);
  const state = env.XDG_STATE_HOME || path.join(homedir(), '.local', 'state');
  return path.join(state, 'mcpflow', 'oauth-tokens.json');
}

/** The entry key of a server: its URL without a fragment (RFC 8707 resource identifiers have none). */
export function serverKey(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.hash = '';
  return url.href;
}

const EMPTY: TokenStoreFile = { version: 1, servers: {} };

function checkMode(file: string, mode: number): void {
  // Like ssh with a private key: a token file others can read is refused, not used.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TokenStoreError(`the token store ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}`);
  }
}

function parse(file: string, text: string): TokenStoreFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenStoreError(`the token store ${file} is not valid JSON: delete it and sign in again with \`mcpflow auth <label>\``);
  }
  const parsed = TokenStoreFileSchema.safeParse(json);
  if (!parsed.success)
    throw new TokenStoreError(`the token store ${file} is not in mcpflow's format: delete it and sign in again with \`mcpflow auth <label>\``);
  return parsed.data;
}

function isMissing(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT';
}

export interface StoreSnapshot {
  servers: Record<string, StoredServer>;
  /** Changes when the file is written (by the CLI or another worker): cached state derived from it is stale. */
  version: string;
}

export async function readTokenStore(file: string): Promise<StoreSnapshot> {
  try {
    const info = await stat(file);
    checkMode(file, info.mode);
    return { servers: parse(file, await readFile(file, 'utf8')).servers, version: `${info.mtimeMs}:${info.size}:${info.ino}` };
  } catch (error) {
    if (isMissing(error)) return { servers: {}, version: 'missing' };
    throw error;
  }
}

const syncCache = new Map<string, StoreSnapshot>();

/**
 * The store read synchronously, cached until the file changes: for code paths that cannot wait
 * (collecting the secret values to redact). Never throws: a store that cannot be read has no values.
 */
export function readTokenStoreSync(file: string): StoreSnapshot {
  try {
    const info = statSync(file);
    const version = `${info.mtimeMs}:${info.size}:${info.ino}`;
    const cached = syncCache.get(file);
    if (cached?.version === version) return cached;
    checkMode(file, info.mode);
    const snapshot = { servers: parse(file, readFileSync(file, 'utf8')).servers, version };
    syncCache.set(file, snapshot);
    return snapshot;
  } catch {
    return { servers: {}, version: 'unreadable' };
  }
}

/** Writes in this process, one at a time per file: two refreshes must not lose each other's tokens. */
const writing = new Map<string, Promise<unknown>>();

/**
 * Reads the store, lets `change` edit one server's entry (undefined removes it), writes it back
 * atomically (a temporary file created 0600, then renamed over the old one).
 */
export function updateTokenStore(file: string, serverUrl: string, change: (current: StoredServer | undefined) => StoredServer | undefined): Promise<void> {
  const previous = writing.get(file) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(async () => {
      const { servers } = await readTokenStore(file);
      const key = serverKey(serverUrl);
      const updated = change(servers[key]);
      const content: TokenStoreFile = { ...EMPTY, servers: { ...servers } };
      if (updated) content.servers[key] = StoredServerSchema.parse(updated);
      else delete content.servers[key];
      await writeAtomically(file, `${JSON.stringify(content, null, 2)}\n`);
    });
  writing.set(file, next);
  return next.finally(() => {
    if (writing.get(file) === next) writing.delete(file);
  });
}

/**
 * The file a path names after following its symlinks (also a dangling one's target, to create).
 * A store kept elsewhere through a link (a dotfiles repository, a mounted secret directory) is
 * edited where it lives: renaming over the link would replace the link and leave the old tokens
 * in its target.
 */
async function followLinks(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (isMissing(error)) return current;
      throw error;
    }
    if (!info.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new TokenStoreError(`${file}: too many levels of symbolic links`);
}

async function writeAtomically(link: string, text: string): Promise<void> {
  const file = await followLinks(link);
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
    // A umask cannot widen 0600, but a file replaced by hand might have been wider: make sure.
    chmodSync(file, 0o600);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Every token value stored for this server (to hide in outputs and messages). */
export function storedSecretValues(file: string, serverUrl: string): string[] {
  let key: string;
  try {
    key = serverKey(serverUrl);
  } catch {
    return [];
  }
  const entry = readTokenStoreSync(file).servers[key];
  if (!entry) return [];
  const secret = entry.client.client_secret;
  return [
    entry.tokens.access_token,
    ...(entry.tokens.refresh_token ? [entry.tokens.refresh_token] : []),
    ...(typeof secret === 'string' && secret ? [secret] : []),
  ];
}
