/**
 * Encryption keys for payloads, from MCPFLOW_ENCRYPTION_KEYS or the file named by
 * MCPFLOW_ENCRYPTION_KEY_FILE (one or the other). Format: `id:key` entries, comma- or
 * newline-separated, the key 32 bytes in base64 (or 64 hex digits); `#` starts a comment in
 * the file. The FIRST key encrypts new payloads; every listed key decrypts, which is how keys
 * rotate: put the new key first and keep the old ones listed until no history needs them.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors';

export const KEYS_ENV = 'MCPFLOW_ENCRYPTION_KEYS';
export const KEY_FILE_ENV = 'MCPFLOW_ENCRYPTION_KEY_FILE';
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
export const GENERATE_KEY_HINT = 'generate a key with `openssl rand -base64 32` (or `mcpflow codec-server --generate-key`)';

/** A configuration error (exit code 2 in the CLI) that names the variable and the fix. */
export class EncryptionConfigError extends ConfigError {}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  /** Encrypts new payloads. */
  active: EncryptionKey;
  /** Every configured key by id (the active one included). */
  byId: ReadonlyMap<string, Buffer>;
}

function parseKey(value: string, where: string, id: string): Buffer {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  // Buffer.from(base64) ignores junk silently: re-encoding tells whether the text was base64.
  const canonical = /^[0-9a-fA-F]{64}$/.test(text) || bytes.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '');
  if (!canonical || bytes.length !== KEY_BYTES) {
    throw new EncryptionConfigError(`${where}: key "${id}" is not ${KEY_BYTES} bytes of base64 or hex: ${GENERATE_KEY_HINT}`);
  }
  return bytes;
}

/** Parses the `id:key` list; `where` names its source in errors (never the key itself). */
export function parseKeyList(text: string, where: string): KeyRing {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EncryptionConfigError(`${where} lists no key: write id:key, for example k1:<base64>; ${GENERATE_KEY_HINT}`);
  const byId = new Map<string, Buffer>();
  const ordered: EncryptionKey[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new EncryptionConfigError(`${where}: an entry is not id:key (for example k1:<base64 key>); ids are letters, digits, ".", "_" or "-"`);
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID.test(id)) throw new EncryptionConfigError(`${where}: key id "${id.slice(0, 64)}" must be 1-64 letters, digits, ".", "_" or "-"`);
    if (byId.has(id)) throw new EncryptionConfigError(`${where}: key id "${id}" is listed twice`);
    const key = parseKey(entry.slice(colon + 1), where, id);
    byId.set(id, key);
    ordered.push({ id, key });
  }
  return { active: ordered[0]!, byId };
}

/** The configured key ring, or undefined when encryption is off (neither variable set). */
export function keyRingFromEnv(env: NodeJS.ProcessEnv = process.env): KeyRing | undefined {
  const inline = env[KEYS_ENV]?.trim();
  const file = env[KEY_FILE_ENV]?.trim();
  if (inline && file) throw new EncryptionConfigError(`set ${KEYS_ENV} or ${KEY_FILE_ENV}, not both`);
  if (inline) return parseKeyList(inline, KEYS_ENV);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EncryptionConfigError(`${KEY_FILE_ENV}=${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseKeyList(text, `${KEY_FILE_ENV} (${file})`);
}
