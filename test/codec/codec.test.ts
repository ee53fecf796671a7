/** The AES-256-GCM payload codec and its key configuration (pure: no server needed). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError } from '../../src/codec/aes-gcm-codec';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { EncryptionConfigError, keyRingFromEnv, parseKeyList } from '../../src/codec/keys';
import { ConfigError } from '../../src/config/errors';
import { describeUndecodable, isUndecodablePayload, payloadConverter } from '../../src/core/payload-converter';

const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const MARKER = 'card-number-4111-MARKER';
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

function codec(list: string) {
  return new AesGcmPayloadCodec(parseKeyList(list, 'MCPFLOW_ENCRYPTION_KEYS'));
}

describe('AesGcmPayloadCodec', () => {
  it('encrypts the whole payload, names the key id and cipher, and decodes it back', async () => {
    const original = defaultPayloadConverter.toPayload({ city: MARKER });
    const [encrypted] = await codec(`k1:${K1}`).encode([original]);
    assert.equal(text(encrypted!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata![KEY_ID_METADATA]), 'k1');
    assert.ok(!Buffer.from(encrypted!.data!).includes(MARKER), 'no plaintext in the data');
    assert.ok(!Buffer.from(encrypted!.data!).includes('json/plain'), 'not even the original encoding');
    const [decoded] = await codec(`k1:${K1}`).decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { city: MARKER });
  });

  it('uses a fresh IV every time (same value, different ciphertext)', async () => {
    const payload = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codec(`k1:${K1}`).encode([payload, payload]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('rotation: with the new key first, old payloads still decode and new ones use the new key', async () => {
    const [old] = await codec(`k1:${K1}`).encode([defaultPayloadConverter.toPayload(MARKER)]);
    const rotated = codec(`k2:${K2},k1:${K1}`);
    assert.equal(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!), MARKER);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('new')]);
    assert.equal(text(fresh!.metadata![KEY_ID_METADATA]), 'k2');
  });

  it('a payload whose key is not configured fails with the key id and the fix', async () => {
    const [old] = await codec(`k1:${K1}`).encode([defaultPayloadConverter.toPayload(MARKER)]);
    await assert.rejects(codec(`k2:${K2}`).decode([old!]), (error: Error) => {
      assert.ok(error instanceof PayloadDecryptionError);
      assert.match(error.message, /key "k1", which is not configured \(known: k2\)/);
      assert.match(error.message, /MCPFLOW_ENCRYPTION_KEYS/);
      assert.ok(!error.message.includes(K1) && !error.message.includes(K2), 'no key material in the message');
      return true;
    });
  });

  it('a wrong key under the right id, a swapped key id or altered data fail clearly', async () => {
    const [sealed] = await codec(`k1:${K1}`).encode([defaultPayloadConverter.toPayload(MARKER)]);
    await assert.rejects(codec(`k1:${K2}`).decode([sealed!]), /cannot decrypt a payload with key "k1": the key configured under that id is not the one/);
    const swapped = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') } };
    await assert.rejects(codec(`k1:${K1},k2:${K1}`).decode([swapped]), /cannot decrypt a payload with key "k2"/);
    const altered = { ...sealed!, data: Buffer.from(sealed!.data!).fill(1, 20, 21) };
    await assert.rejects(codec(`k1:${K1}`).decode([altered]), PayloadDecryptionError);
    const truncated = { ...sealed!, data: Buffer.alloc(5) };
    await assert.rejects(codec(`k1:${K1}`).decode([truncated]), /truncated/);
  });

  it('passes unencrypted payloads through on decode (histories from before encryption)', async () => {
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    assert.deepEqual(await codec(`k1:${K1}`).decode([plain]), [plain]);
  });
});

describe('encryption keys', () => {
  it('accepts base64 and hex keys, comma or newline separated, with comments in a file', () => {
    const hex = randomBytes(32).toString('hex');
    const ring = parseKeyList(`k2:${K2}, k1:${hex}`, 'X');
    assert.equal(ring.active.id, 'k2');
    assert.deepEqual([...ring.byId.keys()], ['k2', 'k1']);
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, `# rotated 2026-11\nk2:${K2}\n\nk1:${K1}  # old\n`);
    assert.deepEqual([...keyRingFromEnv({ MCPFLOW_ENCRYPTION_KEY_FILE: file })!.byId.keys()], ['k2', 'k1']);
  });

  it('is off without either variable: payloads stay plain, an encrypted one says which key to configure', async () => {
    assert.equal(keyRingFromEnv({}), undefined);
    const [noKeys] = mcpflowDataConverter({}).payloadCodecs!;
    const plain = defaultPayloadConverter.toPayload(MARKER);
    assert.deepEqual(await noKeys!.encode([plain]), [plain]);
    const [sealed] = await mcpflowDataConverter({ MCPFLOW_ENCRYPTION_KEYS: `k1:${K1}` }).payloadCodecs![0]!.encode([plain]);
    await assert.rejects(noKeys!.decode([sealed!]), /payload encrypted with key "k1" but no key is configured here: set MCPFLOW_ENCRYPTION_KEYS/);
  });

  it('on a worker with keys, a plaintext payload becomes the refusal marker (unless MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT=1); clients still read it', async () => {
    const plain = defaultPayloadConverter.toPayload({ query: MARKER });
    const keys = { MCPFLOW_ENCRYPTION_KEYS: `k1:${K1}` };
    const [workerCodec] = mcpflowDataConverter(keys, { worker: true }).payloadCodecs!;
    const [refused] = await workerCodec!.decode([plain]);
    const value = payloadConverter.fromPayload(refused!);
    assert.ok(isUndecodablePayload(value), 'the workflow receives the marker');
    assert.match(describeUndecodable(value), /not encrypted, and this worker takes encrypted payloads only: .*MCPFLOW_ENCRYPTION_KEYS/);
    assert.ok(!text(refused!.data).includes(MARKER), 'the plaintext goes no further');
    const [sealed] = await workerCodec!.encode([plain]);
    assert.equal(text((await workerCodec!.decode([sealed!]))[0]!.data), text(plain.data), 'encrypted payloads decode as before');
    const [migrating] = mcpflowDataConverter({ ...keys, MCPFLOW_ENCRYPTION_ACCEPT_PLAINTEXT: '1' }, { worker: true }).payloadCodecs!;
    assert.deepEqual(await migrating!.decode([plain]), [plain]);
    const [client] = mcpflowDataConverter(keys).payloadCodecs!;
    assert.deepEqual(await client!.decode([plain]), [plain]);
  });

  it('rejects malformed keys with the variable name and how to make a key, never echoing the key', () => {
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [
        { MCPFLOW_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' },
        /MCPFLOW_ENCRYPTION_KEYS: key "k1" is not 32 bytes of base64 or hex: generate a key with `openssl rand -base64 32`/,
      ],
      [{ MCPFLOW_ENCRYPTION_KEYS: `${K1}` }, /an entry is not id:key/],
      [{ MCPFLOW_ENCRYPTION_KEYS: `bad id:${K1}` }, /key id "bad id" must be/],
      [{ MCPFLOW_ENCRYPTION_KEYS: `k1:${K1},k1:${K2}` }, /"k1" is listed twice/],
      [{ MCPFLOW_ENCRYPTION_KEYS: ' , ' }, /lists no key/],
      [{ MCPFLOW_ENCRYPTION_KEYS: `k1:${K1}`, MCPFLOW_ENCRYPTION_KEY_FILE: '/x' }, /not both/],
      [{ MCPFLOW_ENCRYPTION_KEY_FILE: '/nonexistent/keys' }, /MCPFLOW_ENCRYPTION_KEY_FILE=\/nonexistent\/keys: cannot read it \(ENOENT\)/],
      [{ MCPFLOW_ENCRYPTION_KEYS: `k1:${K1.slice(0, 20)}!!${K1.slice(22)}` }, /not 32 bytes/],
    ];
    for (const [env, expected] of cases) {
      assert.throws(
        () => keyRingFromEnv(env),
        (error: Error) => {
          assert.ok(error instanceof EncryptionConfigError && error instanceof ConfigError, 'a config error: exit code 2 in the CLI');
          assert.match(error.message, expected);
          assert.ok(!error.message.includes(K1.slice(0, 20)) && !error.message.includes(K2.slice(0, 20)), 'no key material in the message');
          return true;
        },
      );
    }
  });
});
