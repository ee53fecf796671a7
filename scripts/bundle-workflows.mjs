#!/usr/bin/env node
// Writes the workflow bundle that `mcpflow worker` loads when MCPFLOW_WORKFLOW_BUNDLE points at
// it (the Dockerfile runs this at image build time, so that a worker starts without webpack).
// Usage: node scripts/bundle-workflows.mjs <output.js>   (after `npm run build`)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { bundleWorkflowCode, DefaultLogger } = require('@temporalio/worker');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = process.argv[2];
if (!output) {
  console.error('usage: node scripts/bundle-workflows.mjs <output.js>');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({
  workflowsPath: path.join(repoRoot, 'dist', 'workflows', 'index.js'),
  // The same payload and failure converters as src/codec/data-converter.ts (the bundle must carry it).
  payloadConverterPath: path.join(repoRoot, 'dist', 'src', 'core', 'payload-converter.js'),
  failureConverterPath: path.join(repoRoot, 'dist', 'src', 'codec', 'failure-converter.js'),
  logger: new DefaultLogger('WARN'),
  // Evaluated once per worker, not once per run (src/worker/shared-modules.ts).
  preloadModules: require(path.join(repoRoot, 'dist', 'src', 'worker', 'shared-modules.js')).sharedWorkflowModules(),
});
writeFileSync(output, code);
console.log(`wrote ${output} (${code.length} bytes)`);
