/** The offline model side and tool side most end-to-end tests share: the emulator and the demo MCP servers, in-process. */
import { after, before } from 'node:test';
import { startDemoServers, type DemoServersHandle } from '../../src/demo-servers';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { getTestEnv, teardownTestEnv, type TestEnv } from './temporal';

export interface OfflineStack {
  emulator: EmulatorHandle;
  demo: DemoServersHandle;
  env: TestEnv;
}

/** Registers before/after hooks for the file; the stack is ready inside tests. */
export function useOfflineStack(): OfflineStack {
  const stack = {} as OfflineStack;
  before(async () => {
    [stack.emulator, stack.demo, stack.env] = await Promise.all([startEmulator(), startDemoServers(), getTestEnv()]);
  });
  after(async () => {
    await Promise.all([stack.emulator?.close(), stack.demo?.close()]);
    await teardownTestEnv();
  });
  return stack;
}
