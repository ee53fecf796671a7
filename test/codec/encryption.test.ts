/**
 * Payload encryption end to end: a CLI worker and a client with MCPFLOW_ENCRYPTION_KEYS run a
 * query; the history the server stores holds no plaintext (read raw, without the codec); the
 * `mcpflow history` command shows it decoded with the key, and fails clearly without it or with
 * a wrong one; after a key rotation the old run still decodes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { runQuery } from '../../workflows/query';
import { runCli } from '../cli/harness';
import { startCliWorker, type CliWorker } from '../cluster/cli-worker';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const stack = useOfflineStack();
const OLD = `k1:${randomBytes(32).toString('base64')}`;
const NEW = `k2:${randomBytes(32).toString('base64')}`;
const MARKER = 'MARKER-7c1e-secret-plan';
const taskQueue = uniqueTaskQueue('encrypted');
let worker: CliWorker;
let workflowId: string;
let toolArguments: Record<string, unknown>;

/**
 * Every payload's encoding in a raw (not decoded) history, except search attributes: the server
 * indexes those, so no codec sees them (mcpflow keeps only states, counts and labels there).
 */
function payloadEncodings(
  node: unknown,
  where = 'history',
  found: Array<{ where: string; encoding: string }> = [],
): Array<{ where: string; encoding: string }> {
  if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return found;
  const record = node as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && metadata.encoding instanceof Uint8Array && 'data' in record) found.push({ where, encoding: Buffer.from(metadata.encoding).toString() });
  for (const [key, value] of Object.entries(record)) if (key !== 'searchAttributes') payloadEncodings(value, `${where}.${key}`, found);
  return found;
}

function clientWith(keys: string): Client {
  return new Client({
    connection: stack.env.client.connection,
    namespace: stack.env.namespace,
    dataConverter: mcpflowDataConverter({ MCPFLOW_ENCRYPTION_KEYS: keys }),
  });
}

function startWorker(keys: string): Promise<CliWorker> {
  return startCliWorker({
    name: 'encrypted',
    address: stack.env.address,
    namespace: stack.env.namespace,
    taskQueue,
    openaiBaseURL: stack.emulator.url,
    env: { MCPFLOW_ENCRYPTION_KEYS: keys },
  });
}

function cli(args: string[], keys: string | undefined) {
  return runCli([...args, '--address', stack.env.address, '--namespace', stack.env.namespace], { via: 'source', env: { MCPFLOW_ENCRYPTION_KEYS: keys } });
}

describe('payload encryption', () => {
  before(async () => {
    worker = await startWorker(OLD);
    const client = clientWith(OLD);
    workflowId = uniqueWorkflowId('encrypted');
    const result = await client.workflow.execute(runQuery, {
      taskQueue,
      workflowId,
      args: [
        { query: `What's the weather in Paris? (${MARKER})`, servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] },
      ],
    });
    assert.equal(result.success, true);
    toolArguments = result.tool_calls[0]!.arguments;
  });
  after(() => worker?.stop());

  it("stores no plaintext in the server's history: every payload is encrypted", async () => {
    // The test environment's own client has no codec: this is what the server holds.
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    assert.ok(!raw.includes(MARKER), 'the query text is not in the stored history');
    for (const value of Object.values(toolArguments)) {
      assert.ok(!raw.includes(JSON.stringify(value)), `the tool argument ${JSON.stringify(value)} is not in the stored history`);
    }
    const encodings = payloadEncodings(history);
    assert.ok(encodings.length >= 4, `payloads found: ${encodings.length}`);
    // patched() markers carry only the patch id, written by the SDK's core past any codec.
    const plain = encodings.filter(
      (payload) => payload.encoding !== ENCRYPTED_ENCODING && !/markerRecordedEventAttributes\.details\.patch-data\./.test(payload.where),
    );
    assert.deepEqual(plain, [], 'every payload outside search attributes and patch markers is encrypted');
  });

  it('`mcpflow history` with the key shows the tool call decoded', async () => {
    const run = await cli(['history', workflowId, '--json'], OLD);
    assert.equal(run.code, 0, run.stderr);
    const calls = JSON.parse(run.stdout) as Array<{ tool: string; arguments: Record<string, unknown> }>;
    assert.equal(calls[0]!.tool, 'get_current_weather');
    assert.deepEqual(calls[0]!.arguments, toolArguments);
  });

  it('after rotation (new key first, old key kept, workers first) the old run still decodes; without the old key it does not', async () => {
    // Workers learn the new key before clients encrypt with it: they decode what clients send.
    await worker.stop();
    worker = await startWorker(`${NEW},${OLD}`);
    const stored = clientWith(`${NEW},${OLD}`).workflow.getHandle(workflowId);
    assert.deepEqual((await stored.result()).tool_calls[0]!.arguments, toolArguments, 'the result stored under k1 decodes');
    await assert.rejects(clientWith(NEW).workflow.getHandle(workflowId).result(), /payload encrypted with key "k1", which is not configured \(known: k2\)/);
    const run = await cli(['history', workflowId, '--json'], `${NEW},${OLD}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as Array<{ arguments: unknown }>)[0]!.arguments, toolArguments);
  });

  it('without the key, or with a wrong one, the CLI fails with a clear message', async () => {
    const missing = await cli(['history', workflowId, '--json'], undefined);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /payload encrypted with key "k[12]" but no key is configured here: set MCPFLOW_ENCRYPTION_KEYS/);
    const wrong = await cli(['history', workflowId, '--json'], `k1:${randomBytes(32).toString('base64')}`);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /cannot decrypt a payload with key "k1"/);
    assert.doesNotMatch(missing.stderr + wrong.stderr, new RegExp(MARKER));
  });
});
