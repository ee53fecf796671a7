/**
 * The data converter every mcpflow process uses (worker, client, CLI): with encryption keys
 * configured, payloads pass through the AES-256-GCM codec; without, payloads stay as Temporal's
 * default converter makes them, and an encrypted one met on the way fails with what to set.
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, NoKeyPayloadCodec } from './aes-gcm-codec';
import { keyRingFromEnv } from './keys';

/** Throws EncryptionConfigError when the keys are set but malformed (never silently off). */
export function mcpflowDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = keyRingFromEnv(env);
  return { payloadCodecs: [keys ? new AesGcmPayloadCodec(keys) : new NoKeyPayloadCodec()] };
}
