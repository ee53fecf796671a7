/**
 * @modelcontextprotocol/server-everything (streamableHttp mode, a stateful server with sessions)
 * behind the emulator: its tools are listed and `echo` is called through a scripted request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { McpCallItemSchema, ResponseSchema } from '../../src/core/schemas';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { clientFor } from './helpers';

const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function waitForListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on port/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything exited with ${code}: ${output}`));
    });
  });
}

void describe('emulator with @modelcontextprotocol/server-everything', () => {
  let emulator: EmulatorHandle;
  let child: ChildProcess;
  let serverUrl: string;

  before(async () => {
    const port = await freePort();
    child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForListening(child);
    serverUrl = `http://127.0.0.1:${port}/mcp`;
    emulator = await startEmulator();
  });

  after(async () => {
    await emulator?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  void it('lists its tools and calls echo', async () => {
    const response = await clientFor(emulator).responses.create({
      model: 'gpt-4o-mini',
      input: 'Echo hello from mcpflow',
      tools: [{ type: 'mcp', server_label: 'everything', server_url: serverUrl, require_approval: 'never' }],
      metadata: { mcpflow_script: JSON.stringify({ calls: [{ server: 'everything', tool: 'echo', arguments: { message: 'hello from mcpflow' } }] }) },
    });
    ResponseSchema.parse(response);
    const listing = response.output[0];
    assert.ok(listing?.type === 'mcp_list_tools');
    const names = listing.tools.map((tool) => tool.name);
    assert.ok(names.includes('echo') && names.length > 3, names.join(', '));
    const call = McpCallItemSchema.parse(response.output[1]);
    assert.equal(call.name, 'echo');
    assert.equal(call.error, null);
    assert.match(call.output ?? '', /hello from mcpflow/);
    assert.match(response.output_text, /hello from mcpflow/);
    assert.deepEqual(emulator.stats().mcpToolCalls, { everything: { echo: 1 } });
  });
});
