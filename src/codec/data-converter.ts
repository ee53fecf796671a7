/**
 * The data converter every mcpflow process uses (worker, client, CLI):
 * - Temporal's default payload converter, except that undecodable payloads reach handlers as a
 *   marker instead of failing workflow tasks (src/core/payload-converter.ts, loaded by path so
 *   the workflow bundle includes it);
 * - failures with their message and stack trace in an encoded payload (src/codec/failure-converter.ts);
 * - with encryption keys configured, payloads pass through the AES-256-GCM codec; without,
 *   payloads stay as the converter makes them, and an encrypted one met on the way fails with
 *   what to set. A worker with keys also refuses plaintext input (src/codec/plaintext-refusal.ts).
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, NoKeyPayloadCodec } from './aes-gcm-codec';
import { keyRingFromEnv } from './keys';
import { acceptsPlaintext } from './plaintext-refusal';

export const PAYLOAD_CONVERTER_PATH = require.resolve('../core/payload-converter');
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export interface DataConverterRole {
  /** A worker with keys refuses unencrypted payloads (unless MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT=1); clients read them. */
  worker?: boolean;
}

/** Throws EncryptionConfigError when the keys are set but malformed (never silently off). */
export function mcpflowDataConverter(env: NodeJS.ProcessEnv = process.env, role: DataConverterRole = {}): DataConverter {
  const keys = keyRingFromEnv(env);
  const codec = keys ? new AesGcmPayloadCodec(keys, { refusePlaintext: Boolean(role.worker) && !acceptsPlaintext(env) }) : new NoKeyPayloadCodec();
  return { payloadConverterPath: PAYLOAD_CONVERTER_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: [codec] };
}
