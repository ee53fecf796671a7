/**
 * A Temporal PayloadCodec that encrypts every payload with AES-256-GCM before it leaves the
 * process (workflow inputs and results, activity arguments and results, signals, updates,
 * queries, memos), so that the Temporal server stores only ciphertext. Search attributes are
 * not payloads a codec sees: mcpflow keeps only states, counts and server labels there.
 *
 * An encrypted payload is the whole original payload (metadata and data, protobuf-encoded)
 * encrypted; its own metadata says how: encoding `binary/encrypted`, the cipher, and the key
 * id, which is also bound into the GCM tag so that it cannot be swapped.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { KEY_FILE_ENV, KEYS_ENV, type KeyRing } from './keys';
import { refusedPlaintext } from './plaintext-refusal';
import { McpflowError } from '../core/mcpflow-error';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const CIPHER = 'AES256-GCM';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadDecryptionError extends McpflowError {}

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export interface AesGcmCodecOptions {
  /** Replace unencrypted payloads met on decode by a refusal (a worker's codec: src/codec/plaintext-refusal.ts). */
  refusePlaintext?: boolean;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly options: AesGcmCodecOptions = {},
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (isEncrypted(payload)) return this.decrypt(payload);
      return this.options.refusePlaintext ? refusedPlaintext(payload) : payload;
    });
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.active;
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [CIPHER_METADATA]: utf8(CIPHER), [KEY_ID_METADATA]: utf8(id) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError(`an encrypted payload names no key id (metadata "${KEY_ID_METADATA}"): it was not written by mcpflow's codec`);
    const cipherName = text(payload.metadata?.[CIPHER_METADATA]);
    if (cipherName !== CIPHER) throw new PayloadDecryptionError(`payload encrypted with "${cipherName ?? 'unknown'}"; mcpflow decrypts ${CIPHER} only`);
    const key = this.keys.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload encrypted with key "${id}", which is not configured (known: ${[...this.keys.byId.keys()].join(', ')}): add "${id}:<key>" to ${KEYS_ENV} (after rotation, old keys stay listed for decryption)`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key "${id}") is truncated: ${data.length} bytes`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `cannot decrypt a payload with key "${id}": the key configured under that id is not the one it was encrypted with, or the payload was altered`,
      );
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/**
 * The codec of a process without keys: plain payloads pass, an encrypted one fails with what
 * to configure, instead of the payload converter's "unknown encoding".
 */
export class NoKeyPayloadCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      if (isEncrypted(payload)) {
        throw new PayloadDecryptionError(
          `payload encrypted with key "${text(payload.metadata?.[KEY_ID_METADATA]) ?? 'unknown'}" but no key is configured here: set ${KEYS_ENV} (or ${KEY_FILE_ENV}) as on the workers (which refuse input sent without them)`,
        );
      }
    }
    return payloads;
  }
}
