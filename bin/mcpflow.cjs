#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the `prepare` script).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const compiled = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(compiled)) {
  console.error('mcpflow is not built yet: run `npm run build` (npm install does it for you).');
  process.exit(1);
}
require(compiled);
