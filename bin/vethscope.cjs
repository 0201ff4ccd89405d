#!/usr/bin/env node
// Launcher: the built CLI bundle (npm install builds it; `npm run build` rebuilds it).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('vethscope: dist/cli.cjs is missing: run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(70);
}
require('./load-bundle.cjs').loadBundle(bundle).runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
