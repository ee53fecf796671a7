/**
 * A worker with keys refuses payloads that arrive unencrypted: a client without keys would
 * otherwise start runs whose input, and everything derived from it, the server stores in clear.
 * Failing in the codec would fail the workflow task again and again; instead the payload is
 * replaced by the converter's "undecodable" marker (src/core/payload-converter.ts), which every
 * workflow input, update validator and signal handler already refuses by name (workflows/input.ts):
 * the run fails at once with a message that says what to set.
 *
 * Only payloads pass through a codec: search attributes, headers and the patch markers the SDK
 * writes do not, so they are untouched. MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT=1 lets runs started
 * before encryption was turned on finish.
 */
import type { Payload } from '@temporalio/common';
import type { UndecodablePayload } from '../core/payload-converter';
import { KEY_FILE_ENV, KEYS_ENV } from './keys';

export const ACCEPT_PLAINTEXT_ENV = 'MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT';

export const PLAINTEXT_REFUSED_REASON = `it was not encrypted, and this worker takes encrypted payloads only: start runs (and send answers) with ${KEYS_ENV} (or ${KEY_FILE_ENV}) set as on the workers`;

export function acceptsPlaintext(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env[ACCEPT_PLAINTEXT_ENV]?.trim() ?? '');
}

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.encoding;
  return raw ? Buffer.from(raw).toString('utf8').slice(0, 64) : 'none';
}

/** What the workflow receives instead of a plaintext payload: the marker, as JSON. */
export function refusedPlaintext(payload: Payload): Payload {
  const marker: UndecodablePayload = {
    mcpflow_undecodable_payload: { encoding: encodingOf(payload), bytes: payload.data?.length ?? 0, reason: PLAINTEXT_REFUSED_REASON },
  };
  return { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(marker)) };
}
