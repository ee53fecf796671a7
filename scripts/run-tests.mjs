#!/usr/bin/env node
// Test runner behind `npm test`: one Temporal dev server and one workflow bundle for the whole
// run, then `node --test` over test/**/*.test.ts.
//
// Usage: node scripts/run-tests.mjs [file-or-dir-or-substring ...] [--node-test-flag ...]
//   node scripts/run-tests.mjs test/devserver         every test file under test/devserver
//   node scripts/run-tests.mjs emulator               every test file whose path contains "emulator"
//   node scripts/run-tests.mjs --test-name-pattern=x  flags starting with "--" go to node --test
// Env: MCPFLOW_TEST_CONCURRENCY (default 2), MCPFLOW_TEST_LOG_LEVEL (worker logs, default WARN).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { require as tsxRequire } from 'tsx/cjs/api';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = path.join(repoRoot, 'test');
const tmpDir = path.join(testRoot, '.tmp');
const workflowsIndex = path.join(repoRoot, 'workflows', 'index.ts');
/** Directories that hold helpers, fixtures or output, never test files to run. */
const SKIPPED_DIRS = new Set(['node_modules', '.tmp', 'fixtures']);

const { ensureTemporalCli } = tsxRequire('../src/devserver/cli-path.ts', import.meta.url);
const { findFreePort, startDevServer } = tsxRequire('../src/devserver/server.ts', import.meta.url);
const { sharedWorkflowModules } = tsxRequire('../src/worker/shared-modules.ts', import.meta.url);

function listTestFiles(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...listTestFiles(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
      files.push(full);
    }
  }
  return files;
}

/** A filter is an existing file or directory, else a substring of the repo-relative path. */
function selectTestFiles(filters) {
  const all = listTestFiles(testRoot).sort();
  if (filters.length === 0) return all;
  const selected = new Set();
  for (const filter of filters) {
    const asPath = path.resolve(filter);
    if (existsSync(asPath) && statSync(asPath).isDirectory()) {
      for (const file of listTestFiles(asPath)) selected.add(file);
    } else if (existsSync(asPath) && statSync(asPath).isFile()) {
      selected.add(asPath);
    } else {
      const needle = filter.split(path.sep).join('/');
      for (const file of all) {
        if (path.relative(repoRoot, file).split(path.sep).join('/').includes(needle)) selected.add(file);
      }
    }
  }
  return [...selected].sort();
}

/** Bundling runs webpack (seconds); doing it once here saves it in every test file. */
async function bundleWorkflows() {
  if (!existsSync(workflowsIndex)) return undefined;
  const require = createRequire(import.meta.url);
  const { bundleWorkflowCode, DefaultLogger } = require('@temporalio/worker');
  const started = Date.now();
  try {
    // The same payload and failure converters as src/codec/data-converter.ts (the bundle must carry it).
    const payloadConverterPath = path.join(repoRoot, 'src', 'core', 'payload-converter.ts');
    const failureConverterPath = path.join(repoRoot, 'src', 'codec', 'failure-converter.ts');
    const { code } = await bundleWorkflowCode({
      workflowsPath: workflowsIndex,
      payloadConverterPath,
      failureConverterPath,
      logger: new DefaultLogger('WARN'),
      preloadModules: sharedWorkflowModules(),
    });
    mkdirSync(tmpDir, { recursive: true });
    const bundlePath = path.join(tmpDir, 'workflow-bundle.js');
    writeFileSync(bundlePath, code);
    console.log(`run-tests: bundled workflows/index.ts in ${Date.now() - started} ms`);
    return bundlePath;
  } catch (error) {
    // Not fatal: tests that use the workflows bundle them again and fail with the same error in context.
    console.error(`run-tests: could not bundle workflows/index.ts (tests will bundle it themselves):\n${error?.message ?? error}`);
    return undefined;
  }
}

function runNodeTest(files, nodeTestFlags, env) {
  const concurrency = process.env.MCPFLOW_TEST_CONCURRENCY ?? '2';
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...nodeTestFlags, ...files];
  // Its own process group, so that a signal reaches every test file and every server a test
  // started (see stopTestRun), not just the node --test parent.
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'inherit', detached: process.platform !== 'win32' });
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', (error) => {
      console.error(`run-tests: could not start node --test: ${error.message}`);
      resolve(1);
    });
  });
  return { child, exit };
}

function stopTestRun(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const nodeTestFlags = argv.filter((arg) => arg.startsWith('--'));
  const filters = argv.filter((arg) => !arg.startsWith('--'));
  const files = selectTestFiles(filters);
  if (files.length === 0) {
    console.error(`run-tests: no test files match ${filters.length ? filters.join(' ') : 'test/**/*.test.ts'}`);
    return 1;
  }

  let server;
  let testRun;
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) {
      // A second Ctrl-C: the tests did not stop in time, end them now.
      if (testRun) stopTestRun(testRun.child, 'SIGKILL');
      return;
    }
    interrupted = true;
    console.error(`run-tests: ${signal}, stopping...`);
    // The test run is in its own process group: a terminal's Ctrl-C does not reach it by itself.
    if (testRun && testRun.child.exitCode === null) stopTestRun(testRun.child, signal);
    else void server?.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const cliPath = await ensureTemporalCli({ log: (line) => console.error(`run-tests: ${line}`) });
    if (interrupted) return 130;
    server = await startDevServer({ cliPath, port: await findFreePort(), headless: true });
    if (interrupted) return 130;
    console.log(`run-tests: Temporal dev server on ${server.address} (${cliPath}), ${files.length} test file(s)`);
    const bundlePath = await bundleWorkflows();
    if (interrupted) return 130;

    const env = {
      ...process.env,
      TEMPORAL_CLI_PATH: cliPath,
      MCPFLOW_TEST_TEMPORAL_ADDRESS: server.address,
      MCPFLOW_TEST_NAMESPACE: server.namespace,
      // Tests pin the demo's "today" (its fixed meetings and forecasts); the demo itself uses the real date.
      MCPFLOW_DEMO_TODAY: process.env.MCPFLOW_DEMO_TODAY ?? '2026-11-26',
    };
    if (bundlePath) env.MCPFLOW_TEST_WORKFLOW_BUNDLE = bundlePath;
    else delete env.MCPFLOW_TEST_WORKFLOW_BUNDLE;

    testRun = runNodeTest(
      files.map((file) => path.relative(repoRoot, file)),
      nodeTestFlags,
      env,
    );
    const code = await testRun.exit;
    return interrupted ? 130 : code;
  } finally {
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`run-tests: ${error?.message ?? error}`);
    process.exit(1);
  },
);
