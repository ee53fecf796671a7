/**
 * The local dev server's Web UI shows payloads decrypted when encryption keys are set: a codec
 * server runs next to it, on a free loopback port, with a fresh token that only the UI's
 * endpoint carries (as its first path segment; src/codec/request-guard.ts).
 */
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import { keyRingFromEnv } from '../codec/keys';
import { generateCodecToken, startCodecServer, uiCodecEndpoint, uiOrigins } from '../codec/server';

export interface LocalUiCodec {
  /** What the UI is given: the codec server's URL with the token as its path. */
  endpoint: string;
  close(): Promise<void>;
}

/** Undefined when no keys are set (nothing to decrypt). Throws EncryptionConfigError on malformed keys. */
export async function startLocalUiCodec(uiUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalUiCodec | undefined> {
  const keys = keyRingFromEnv(env);
  if (!keys) return undefined;
  const token = generateCodecToken();
  const handle = await startCodecServer({ codec: new AesGcmPayloadCodec(keys), host: '127.0.0.1', port: 0, corsOrigins: uiOrigins(uiUrl), token });
  return { endpoint: uiCodecEndpoint(handle.url, token), close: () => handle.close() };
}

/** The endpoint as it may be printed: scheme, host and port, never the token. */
export function describeCodecEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return url.pathname.length > 1 ? `${url.origin}/… (token in the path)` : url.origin;
  } catch {
    return '(not a URL)';
  }
}
