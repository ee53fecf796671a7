/**
 * Which modules the workflow sandbox evaluates once per worker instead of once per run, and how.
 *
 * The SDK's reusable V8 context evaluates every bundled module again for each workflow run it
 * creates (each run has a module cache of its own), so each run built all of zod and every zod
 * schema of src/core, workflows/messages.ts and workflows/batch/messages.ts: ~13 ms of CPU in each run's first workflow task
 * and ~2 MiB of heap for as long as the run is cached (`npm run bench -- profile`,
 * docs/benchmarks.md). The bundler's `preloadModules` evaluates modules once, before any run,
 * and shares them; these modules are pure (no per-run state: schemas, constants, functions).
 *
 * The SDK deep-freezes what it preloads, and zod 4 materializes members of a schema on first
 * read (own properties added to the instance): a frozen schema fails to parse. The last
 * preloaded module (seal-shared-modules.ts) therefore freezes each shared module's exports
 * object shallowly; the SDK's deep freeze stops at an object that is frozen already, so the
 * schemas behind the exports stay extensible while the bindings stay read-only.
 */
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Without an extension: the bundler resolves `.ts` in the source tree and `.js` in dist/. */
const SHARED = [
  'src/core/conversation',
  'src/core/defaults',
  'src/core/destinations',
  'src/core/errors',
  'src/core/failures',
  'src/core/function-tools',
  'src/core/mcp-input',
  'src/core/parser',
  'src/core/payload-converter',
  'src/core/payload-size',
  'src/core/records',
  'src/core/retry',
  'src/core/schemas',
  'src/core/search-attributes',
  'src/core/servers',
  'src/core/tool-filters',
  'src/core/tools',
  'src/core/zod-errors',
  'workflows/messages',
  'workflows/batch/messages',
];

/** `preloadModules` for bundleWorkflowCode / WorkerOptions.bundlerOptions (absolute paths; sealing last). */
export function sharedWorkflowModules(root = ROOT): string[] {
  return ['zod', ...SHARED.map((file) => path.join(root, file)), path.join(root, 'src', 'worker', 'seal-shared-modules')];
}
