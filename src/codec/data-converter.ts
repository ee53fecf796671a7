/**
 * The data converter every mcpflow process uses (worker, client, CLI):
 * - Temporal's default payload converter, except that undecodable payloads reach handlers as a
 *   marker instead of failing workflow tasks (src/core/payload-converter.ts, loaded by path so
 *   the workflow bundle includes it);
 * - with encryption keys configured, payloads pass through the AES-256-GCM codec; without,
 *   payloads stay as the converter makes them, and an encrypted one met on the way fails with
 *   what to set.
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, NoKeyPayloadCodec } from './aes-gcm-codec';
import { keyRingFromEnv } from './keys';

export const PAYLOAD_CONVERTER_PATH = require.resolve('../core/payload-converter');

/** Throws EncryptionConfigError when the keys are set but malformed (never silently off). */
export function mcpflowDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = keyRingFromEnv(env);
  return { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [keys ? new AesGcmPayloadCodec(keys) : new NoKeyPayloadCodec()] };
}
