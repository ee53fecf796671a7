/**
 * One workflow bundle for the user's workflows and mcpflow's: a worker has one `workflowsPath`,
 * so McpflowPlugin replaces the user's with a small entry module that re-exports both.
 *
 * The entry is a file because the SDK's bundler takes a path. It lives in a cache directory
 * inside mcpflow's package (node_modules/.cache/mcpflow), from where `@temporalio/workflow` and
 * the preloaded `zod` resolve to the same copies as the worker's (webpack looks up from the
 * entry's directory); if that directory is read-only, next to the user's workflows.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_ROOT = path.join(__dirname, '..', '..');
const GENERATED = /^(\.mcpflow-)?workflows-[0-9a-f]{16}\.js$/;

/** mcpflow's workflows: `workflows/index` (.ts in the source tree, .js in dist). */
export const MCPFLOW_WORKFLOWS_PATH = require.resolve(path.join(PACKAGE_ROOT, 'workflows'));

/** The workflowsPath of a worker that runs `userWorkflowsPath`'s workflows and mcpflow's. */
export function workflowsEntryFor(userWorkflowsPath: string | undefined): string {
  if (userWorkflowsPath === undefined) return MCPFLOW_WORKFLOWS_PATH;
  const user = path.resolve(userWorkflowsPath);
  // The worker hands the plugin's entry to the bundler, which asks the plugin again.
  if (user === MCPFLOW_WORKFLOWS_PATH || GENERATED.test(path.basename(user))) return user;
  const source = [
    "// Written by McpflowPlugin (mcpflow/worker): the user's workflows and mcpflow's in one bundle.",
    // CommonJS works for ESM and CommonJS workflow files alike. A user workflow named like one of
    // mcpflow's (runQuery, discoverTools, mcpSession, refreshSession, runBatch, batchLines) is shadowed.
    `module.exports = { ...require(${JSON.stringify(user)}), ...require(${JSON.stringify(MCPFLOW_WORKFLOWS_PATH)}) };`,
    '',
  ].join('\n');
  const name = `workflows-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`;
  const candidates = [path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'mcpflow'), path.dirname(user)];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      mkdirSync(candidate, { recursive: true });
      // The bundler's entry module sits next to this file in its in-memory file system, and webpack
      // follows symlinks (a linked node_modules): the real path keeps both in one place.
      const directory = realpathSync(candidate);
      const file = path.join(directory, candidate === path.dirname(user) ? `.mcpflow-${name}` : name);
      if (readIfExists(file) !== source) writeFileSync(file, source);
      return file;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `McpflowPlugin: cannot write the workflow entry that joins ${user} and mcpflow's workflows (${(lastError as Error).message}); ` +
      'make one of these directories writable, or bundle ahead of time (bundleWorkflowCode with `plugins: [plugin]`) and pass `workflowBundle`',
  );
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
