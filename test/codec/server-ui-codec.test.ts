/**
 * `mcpflow server` gives its Web UI a codec endpoint: with MCPFLOW_ENCRYPTION_KEYS set it starts
 * a codec server alongside (a fresh token in the endpoint's path), and `--ui-codec-endpoint`
 * names one. Read back from the UI server's own settings API, as the browser reads it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { parseKeyList } from '../../src/codec/keys';
import { findFreePort } from '../../src/devserver/ports';
import { startCli, waitForOutput } from '../cli/harness';

const KEYS = `k1:${randomBytes(32).toString('base64')}`;

const toJson = (payload: { metadata?: Record<string, Uint8Array | null | undefined> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/** Runs `mcpflow server` on free ports until fn settles; fn gets the Web UI's URL and the server's output so far. */
async function withServer(args: string[], env: Record<string, string>, fn: (uiUrl: string, output: string) => Promise<void>): Promise<void> {
  const [port, uiPort] = [await findFreePort(), await findFreePort()];
  const child = startCli(['server', '--port', String(port), '--ui-port', String(uiPort), ...args], { via: 'source', env });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const [output] = await waitForOutput(child, /[^]*Press Ctrl-C to stop/, 90_000);
    await fn(`http://127.0.0.1:${uiPort}`, output);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function uiCodecSettings(uiUrl: string): Promise<{ Endpoint?: string }> {
  const settings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
  return settings.Codec ?? {};
}

describe('mcpflow server: a codec endpoint for the Web UI', () => {
  it("with keys set, starts a codec server alongside; the UI's endpoint decrypts, the bare server refuses", async () => {
    await withServer([], { MCPFLOW_ENCRYPTION_KEYS: KEYS }, async (uiUrl, output) => {
      const endpoint = (await uiCodecSettings(uiUrl)).Endpoint;
      assert.match(endpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{20,}$/, `the UI's codec endpoint carries a token: ${endpoint}`);
      assert.ok(!output.includes(new URL(endpoint!).pathname.slice(1)), 'the token is not printed');
      assert.match(output, /UI codec: +http:\/\/127\.0\.0\.1:\d+\/… \(token in the path\)/);
      const [sealed] = await new AesGcmPayloadCodec(parseKeyList(KEYS, 'test')).encode([defaultPayloadConverter.toPayload({ city: 'Oslo' })]);
      const body = JSON.stringify({ payloads: [toJson(sealed!)] });
      const decoded = await fetch(`${endpoint!}/decode`, { method: 'POST', body, headers: { origin: uiUrl, 'content-type': 'application/json' } });
      assert.equal(decoded.status, 200);
      assert.equal(decoded.headers.get('access-control-allow-origin'), uiUrl, 'CORS for the UI');
      const { payloads } = (await decoded.json()) as { payloads: Array<{ data: string }> };
      assert.equal(Buffer.from(payloads[0]!.data, 'base64').toString(), '{"city":"Oslo"}');
      assert.equal((await fetch(`${new URL(endpoint!).origin}/decode`, { method: 'POST', body })).status, 401, 'without the token');
    });
  });

  it('--ui-codec-endpoint gives the UI that endpoint', async () => {
    const endpoint = 'http://127.0.0.1:8081/some-token';
    await withServer(['--ui-codec-endpoint', endpoint], {}, async (uiUrl) => {
      assert.equal((await uiCodecSettings(uiUrl)).Endpoint, endpoint);
    });
  });
});
