/** `mcpflow codec-server` over HTTP: the Temporal codec server protocol, CORS, token, Host and Origin checks, bad input. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { parseKeyList } from '../../src/codec/keys';
import { startCodecServer, type CodecServerHandle } from '../../src/codec/server';
import { runCli, startCli, waitForOutput } from '../cli/harness';

const KEY = randomBytes(32).toString('base64');
const UI = 'http://localhost:8233';
const TOKEN = 'codec-token-for-tests';
let server: CodecServerHandle;

const payloadJson = (value: unknown) => {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(payload.data!).toString('base64'),
  };
};

function post(route: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${server.url}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('codec server', () => {
  before(async () => {
    server = await startCodecServer({ codec: new AesGcmPayloadCodec(parseKeyList(`k1:${KEY}`, 'test')), corsOrigins: [UI], token: TOKEN });
  });
  after(() => server.close());

  it("encodes and decodes payloads in the protocol's JSON, with CORS for the UI origin", async () => {
    const encoded = await post('encode', { payloads: [payloadJson({ city: 'Reykjavik' })] });
    assert.equal(encoded.status, 200);
    assert.equal(encoded.headers.get('access-control-allow-origin'), UI);
    const sealed = (await encoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    assert.equal(Buffer.from(sealed.payloads[0]!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(sealed.payloads[0]!.data, 'base64').includes('Reykjavik'));
    const decoded = (await (await post('decode', sealed)).json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    assert.equal(Buffer.from(decoded.payloads[0]!.data, 'base64').toString(), '{"city":"Reykjavik"}');
  });

  it("answers the browser's preflight for the UI origin only", async () => {
    const preflight = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const other = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('requires the bearer token', async () => {
    assert.equal((await post('decode', { payloads: [] }, {})).status, 401);
    assert.equal((await post('decode', { payloads: [] }, { authorization: 'Bearer wrong' })).status, 401);
  });

  it('rejects malformed requests with a clear 4xx and survives them', async () => {
    const notJson = await post('decode', '{nope');
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: string }).error, /not JSON/);
    const badShape = await post('decode', { payloads: [{ data: 'not base64!' }] });
    assert.equal(badShape.status, 400);
    assert.match(((await badShape.json()) as { error: string }).error, /payloads\.0\.data: must be base64/);
    const undecryptable = await post('decode', { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: '' }] });
    assert.equal(undecryptable.status, 422);
    assert.match(((await undecryptable.json()) as { error: string }).error, /names no key id/);
    assert.equal((await post('other', {})).status, 404);
    const ok = await post('decode', { payloads: [payloadJson(1)] });
    assert.equal(ok.status, 200, 'still serving');
  });
});

/** A raw HTTP request with the headers given, Host included (fetch would set Host itself). */
function rawPost(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('codec server: closed to other sites and to callers without the token', () => {
  let sealed: { payloads: unknown[] };
  before(async () => {
    server = await startCodecServer({ codec: new AesGcmPayloadCodec(parseKeyList(`k1:${KEY}`, 'test')), corsOrigins: [UI], token: TOKEN });
    sealed = (await (await post('encode', { payloads: [payloadJson({ secret: 'Reykjavik' })] })).json()) as { payloads: unknown[] };
  });
  after(() => server.close());

  it('refuses a DNS-rebinding-shaped request (foreign Host and Origin), even with the token, and sends no CORS headers', async () => {
    const port = new URL(server.url).port;
    const rebound = await rawPost(
      server.url,
      '/decode',
      { host: `rebind.attacker.example:${port}`, origin: `http://rebind.attacker.example:${port}`, authorization: `Bearer ${TOKEN}` },
      sealed,
    );
    assert.equal(rebound.status, 403);
    assert.match((JSON.parse(rebound.body) as { error: string }).error, /Host "rebind\.attacker\.example/);
    assert.doesNotMatch(rebound.body, /Reykjavik/);
    assert.equal(rebound.headers['access-control-allow-origin'], undefined);
    const foreignOrigin = await rawPost(
      server.url,
      '/decode',
      { host: `127.0.0.1:${port}`, origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` },
      sealed,
    );
    assert.equal(foreignOrigin.status, 403);
    assert.match((JSON.parse(foreignOrigin.body) as { error: string }).error, /Origin "http:\/\/evil\.example" is not allowed/);
    const localhost = await rawPost(server.url, '/decode', { host: `localhost:${port}`, authorization: `Bearer ${TOKEN}` }, sealed);
    assert.equal(localhost.status, 200, 'a loopback name with the token is served');
    assert.match(localhost.body, /eyJzZWNyZXQiOiJSZXlramF2aWsifQ==/);
  });

  it('answers 401 without the token, to /decode and to /encode', async () => {
    const decode = await post('decode', sealed, {});
    assert.equal(decode.status, 401);
    assert.doesNotMatch(await decode.text(), /eyJzZWNyZXQi/);
    assert.equal((await post('encode', { payloads: [payloadJson({ planted: true })] }, {})).status, 401);
    assert.equal((await post(`${'x'.repeat(TOKEN.length)}/decode`, sealed, {})).status, 401, 'a wrong token in the path');
  });

  it("takes the token as the endpoint's first path segment (what the Web UI can send)", async () => {
    const decoded = await post(`${TOKEN}/decode`, sealed, {});
    assert.equal(decoded.status, 200);
    assert.match(await decoded.text(), /eyJzZWNyZXQiOiJSZXlramF2aWsifQ==/);
  });

  it('without a token (chosen explicitly), /encode is off', async () => {
    const open = await startCodecServer({ codec: new AesGcmPayloadCodec(parseKeyList(`k1:${KEY}`, 'test')), corsOrigins: [UI], token: undefined });
    try {
      const encode = await fetch(`${open.url}/encode`, { method: 'POST', body: JSON.stringify({ payloads: [payloadJson(1)] }) });
      assert.equal(encode.status, 403);
      assert.equal((await fetch(`${open.url}/decode`, { method: 'POST', body: JSON.stringify(sealed) })).status, 200);
    } finally {
      await open.close();
    }
  });
});

describe('mcpflow codec-server (CLI)', () => {
  it('generates and prints a token when none is given, and requires it', async () => {
    const child = startCli(['codec-server', '--port', '0'], { via: 'source', env: { MCPFLOW_ENCRYPTION_KEYS: `k1:${KEY}` } });
    try {
      const [, url, token] = await waitForOutput(child, /codec server on (http:\/\/\S+) [^]*Token \(generated[^)]*\): (\S+)\n/);
      const body = JSON.stringify({ payloads: [] });
      assert.equal((await fetch(`${url!}/decode`, { method: 'POST', body })).status, 401);
      assert.equal((await fetch(`${url!}/decode`, { method: 'POST', body, headers: { authorization: `Bearer ${token!}` } })).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses to start without keys (exit 2, names the variables) and generates a usable key', async () => {
    const noKeys = await runCli(['codec-server', '--port', '0'], { via: 'source' });
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /MCPFLOW_ENCRYPTION_KEYS .*MCPFLOW_ENCRYPTION_KEY_FILE/);
    const generated = await runCli(['codec-server', '--generate-key'], { via: 'source' });
    assert.equal(generated.code, 0);
    const line = generated.stdout.trim();
    assert.doesNotThrow(() => parseKeyList(line, 'generated'));
    const badKey = await runCli(['codec-server', '--port', '0'], { via: 'source', env: { MCPFLOW_ENCRYPTION_KEYS: 'k1:short' } });
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /MCPFLOW_ENCRYPTION_KEYS: key "k1" is not 32 bytes/);
  });
});
