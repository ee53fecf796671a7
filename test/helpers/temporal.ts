/**
 * Harness for workflow tests on a real Temporal dev server.
 *
 * Under `npm test`, scripts/run-tests.mjs starts one server for the whole run and passes its
 * address in MCPFLOW_TEST_TEMPORAL_ADDRESS (and a pre-built bundle of workflows/index.ts in
 * MCPFLOW_TEST_WORKFLOW_BUNDLE). A test file run alone
 * (`node --import tsx --test test/x.test.ts`) starts its own server instead.
 *
 * Test files run in parallel against the same server: give every worker its own task queue
 * (`uniqueTaskQueue`) and every workflow its own id.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type LogLevel,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, mcpflowDataConverter, PAYLOAD_CONVERTER_PATH } from '../../src/codec/data-converter';
import { findFreePort, startDevServer, type DevServer } from '../../src/devserver/server';
import { sharedWorkflowModules } from '../../src/worker/shared-modules';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'index.ts');

export interface TestEnv {
  address: string;
  namespace: string;
  client: Client;
  connection: Connection;
  /** For Worker.create. */
  nativeConnection: NativeConnection;
}

interface OpenTestEnv extends TestEnv {
  environment: TestWorkflowEnvironment;
  /** Set when this process started its own server (no MCPFLOW_TEST_TEMPORAL_ADDRESS). */
  ownServer: DevServer | undefined;
}

let current: Promise<OpenTestEnv> | undefined;

/**
 * The SDK logs every worker state change at INFO: noise in test output. MCPFLOW_TEST_LOG_LEVEL
 * (TRACE..ERROR) brings it back.
 */
function quietRuntimeLogs(): void {
  const level = (process.env.MCPFLOW_TEST_LOG_LEVEL ?? 'WARN') as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed (by this file earlier or by the test itself): keep that one.
  }
}

// Before any test touches the Runtime (workers, connections, bundling).
quietRuntimeLogs();

async function openTestEnv(): Promise<OpenTestEnv> {
  const namespace = process.env.MCPFLOW_TEST_NAMESPACE ?? 'default';
  let address = process.env.MCPFLOW_TEST_TEMPORAL_ADDRESS;
  let ownServer: DevServer | undefined;
  if (!address) {
    ownServer = await startDevServer({ port: await findFreePort(), headless: true, namespace });
    address = ownServer.address;
  }
  try {
    const environment = await TestWorkflowEnvironment.createFromExistingServer({ address, namespace, client: { dataConverter: mcpflowDataConverter() } });
    return {
      address,
      namespace,
      client: environment.client,
      connection: environment.connection,
      nativeConnection: environment.nativeConnection,
      environment,
      ownServer,
    };
  } catch (error) {
    await ownServer?.stop();
    throw error;
  }
}

/** The process-wide test environment, connected (and started) on first use. */
export async function getTestEnv(): Promise<TestEnv> {
  current ??= openTestEnv();
  try {
    return await current;
  } catch (error) {
    current = undefined; // let a later test retry instead of failing on a cached rejection
    throw error;
  }
}

/** Closes the connections and stops the server this process started, if any. For `after()` hooks. */
export async function teardownTestEnv(): Promise<void> {
  const opening = current;
  current = undefined;
  if (!opening) return;
  let env: OpenTestEnv;
  try {
    env = await opening;
  } catch {
    return; // never opened: nothing to close
  }
  try {
    await env.environment.teardown();
  } finally {
    await env.ownServer?.stop();
  }
}

/** A task queue no other test (file) uses, so parallel test files do not steal each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** A workflow id no other test uses. */
export function uniqueWorkflowId(prefix = 'wf'): string {
  return `${prefix}-${randomUUID()}`;
}

const bundles = new Map<string, Promise<WorkflowBundleOption>>();

/**
 * Webpack runs once per workflows file per process (several seconds each), not once per worker.
 * The default workflows/index.ts comes pre-bundled from the test runner when it can.
 */
export function getWorkflowBundle(workflowsPath?: string): Promise<WorkflowBundleOption> {
  const resolved = path.resolve(REPO_ROOT, workflowsPath ?? DEFAULT_WORKFLOWS_PATH);
  const prebuilt = process.env.MCPFLOW_TEST_WORKFLOW_BUNDLE;
  if (prebuilt && resolved === DEFAULT_WORKFLOWS_PATH) return Promise.resolve({ codePath: prebuilt });
  let bundle = bundles.get(resolved);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: resolved,
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('WARN'),
      preloadModules: sharedWorkflowModules(),
    }).then(({ code }) => ({ code }));
    bundle.catch(() => bundles.delete(resolved));
    bundles.set(resolved, bundle);
  }
  return bundle;
}

export interface WithWorkerOptions {
  taskQueue: string;
  activities?: object;
  /** Workflows to register; relative paths are from the repo root. Default: workflows/index.ts. */
  workflowsPath?: string;
  /** Anything else Worker.create accepts (e.g. maxConcurrentActivityTaskExecutions). */
  workerOptions?: Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath' | 'workflowBundle'>>;
}

/**
 * Runs `fn` while a worker polls `taskQueue`; the worker shuts down when fn settles,
 * whether it resolved or threw, and fn's error is what the test sees.
 */
export async function withWorker<T>(opts: WithWorkerOptions, fn: (env: TestEnv, worker: Worker) => Promise<T>): Promise<T> {
  const env = await getTestEnv();
  const worker = await Worker.create({
    ...opts.workerOptions,
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities ?? {},
    dataConverter: mcpflowDataConverter(),
    workflowBundle: await getWorkflowBundle(opts.workflowsPath),
  });
  return worker.runUntil(() => fn(env, worker));
}

/**
 * A worker for a whole test file: polls `taskQueue` from when this resolves until `stop()` (call
 * it in after()). Rejects when the worker cannot start.
 */
export async function startFileWorker(opts: WithWorkerOptions): Promise<{ stop(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const done = withWorker(opts, async () => {
    started();
    await released;
  });
  done.catch(() => undefined);
  await Promise.race([ready, done]);
  return {
    stop: async () => {
      release();
      await done.catch(() => undefined);
    },
  };
}
