/**
 * Failures under encryption, on real processes (a CLI worker with MCPFLOW_ENCRYPTION_KEYS):
 * - a failure's text (here an MCP server's 401 body, as the worker reports it) is stored as
 *   ciphertext: the raw history (read without the codec) holds "Encoded failure" and an
 *   encrypted attributes payload, and the text decodes with the keys;
 * - a client without keys that starts a run on that worker gets a failed run, not a workflow
 *   task failing forever; with the keys, `mcpflow progress` says the input was not encrypted
 *   and names MCPFLOW_ENCRYPTION_KEYS.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { mcpflowDataConverter } from '../../src/codec/data-converter';
import { runQuery } from '../../workflows/query';
import { runCli } from '../cli/harness';
import { startCliWorker, type CliWorker } from '../cluster/cli-worker';
import { useOfflineStack } from '../helpers/stack';
import { uniqueTaskQueue, uniqueWorkflowId } from '../helpers/temporal';

const stack = useOfflineStack();
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const MARKER = 'MARKER-401-body-5f2a';
const taskQueue = uniqueTaskQueue('encrypted-failures');
let worker: CliWorker;
let unauthorized: Server;
let unauthorizedUrl: string;

type Failure = temporal.api.failure.v1.IFailure;

function clientWith(env: NodeJS.ProcessEnv): Client {
  return new Client({ connection: stack.env.client.connection, namespace: stack.env.namespace, dataConverter: mcpflowDataConverter(env) });
}

/** Every failure in a raw history, causes included. */
function failuresIn(node: unknown, found: Failure[] = []): Failure[] {
  if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return found;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if ((key === 'failure' || key === 'cause') && value && typeof value === 'object') found.push(value as Failure);
    failuresIn(value, found);
  }
  return found;
}

async function rawHistory(workflowId: string) {
  // The test environment's own client has no codec: this is what the server holds.
  return stack.env.client.workflow.getHandle(workflowId).fetchHistory();
}

describe('failures under encryption', () => {
  before(async () => {
    // An MCP server that refuses every request with a 401 whose body the worker's error quotes.
    unauthorized = createServer((request, response) => {
      request.resume();
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'invalid_token', error_description: MARKER }));
    });
    await new Promise<void>((resolve) => unauthorized.listen(0, '127.0.0.1', resolve));
    unauthorizedUrl = `http://127.0.0.1:${(unauthorized.address() as AddressInfo).port}/mcp`;
    worker = await startCliWorker({
      name: 'encrypted-failures',
      address: stack.env.address,
      namespace: stack.env.namespace,
      taskQueue,
      openaiBaseURL: stack.emulator.url,
      env: { MCPFLOW_ENCRYPTION_KEYS: KEYS },
    });
  });
  after(async () => {
    await worker?.stop();
    await new Promise((resolve) => unauthorized?.close(resolve));
  });

  it("stores a failure's text as ciphertext; with the keys it decodes", async () => {
    const workflowId = uniqueWorkflowId('failure-text');
    await clientWith({ MCPFLOW_ENCRYPTION_KEYS: KEYS })
      .workflow.execute(runQuery, {
        taskQueue,
        workflowId,
        args: [{ query: 'What is the weather in Paris?', mode: 'direct', servers: [{ label: 'locked', url: unauthorizedUrl, require_approval: 'never' }] }],
      })
      .catch((error: unknown) => error);
    const history = await rawHistory(workflowId);
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    const failures = failuresIn(history.events);
    assert.ok(failures.length > 0, 'the 401 left a failure in the history');
    assert.ok(!raw.includes(MARKER), 'the 401 body is nowhere in the stored history');
    for (const failure of failures) {
      assert.equal(failure.message, 'Encoded failure', 'the message moved to the encoded attributes');
      assert.equal(failure.stackTrace ?? '', '', 'so did the stack trace');
      assert.equal(Buffer.from(failure.encodedAttributes?.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
    }
    const converter = loadDataConverter(mcpflowDataConverter({ MCPFLOW_ENCRYPTION_KEYS: KEYS }));
    const messages = await Promise.all(failures.map(async (failure) => (await decodeOptionalFailureToOptionalError(converter, failure))?.message ?? ''));
    assert.ok(
      messages.some((message) => message.includes(MARKER)),
      `decoded with the keys, a failure quotes the 401 body: ${messages.join(' | ')}`,
    );
  });

  it('refuses a run started without keys: the run fails at once, and says why to whoever has the keys', async () => {
    const workflowId = uniqueWorkflowId('plaintext-start');
    const keyless = clientWith({});
    const outcome = await keyless.workflow
      .execute(runQuery, {
        taskQueue,
        workflowId,
        args: [{ query: 'What is the weather in Paris?', servers: [{ label: 'weather', url: stack.demo.servers.weather.url, require_approval: 'never' }] }],
      })
      .then(
        () => 'completed',
        (error: unknown) => error,
      );
    // Without keys the client cannot read the (encrypted) failure, and says which variable to set.
    assert.ok(outcome instanceof Error, 'the run did not complete');
    assert.match(String((outcome as Error).message) + String((outcome as WorkflowFailedError).cause?.message ?? ''), /MCPFLOW_ENCRYPTION_KEYS/);
    const description = await stack.env.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'FAILED');
    const events = (await rawHistory(workflowId)).events ?? [];
    assert.equal(events.filter((event) => event.workflowTaskFailedEventAttributes).length, 0, 'no workflow task failed');
    const progress = await runCli(['progress', workflowId, '--address', stack.env.address, '--namespace', stack.env.namespace], {
      via: 'source',
      env: { MCPFLOW_ENCRYPTION_KEYS: KEYS },
    });
    assert.match(progress.stdout + progress.stderr, /not encrypted.*MCPFLOW_ENCRYPTION_KEYS/s);
  });
});
