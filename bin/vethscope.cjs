#!/usr/bin/env node
// Launcher: the built CLI bundle (npm install builds it; `npm run build` rebuilds it). Help and
// usage errors come from the help texts alone (dist/cli-help.cjs, a few kB); everything else
// loads dist/cli.cjs through V8's code cache (load-bundle.cjs).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const dist = path.join(__dirname, '..', 'dist');
const bundle = path.join(dist, 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('vethscope: dist/cli.cjs is missing: run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(70);
}
const argv = process.argv.slice(2);
const help = fs.existsSync(path.join(dist, 'cli-help.cjs')) ? require(path.join(dist, 'cli-help.cjs')) : null;
const quick = help ? help.answerWithoutBackend(argv) : null;
if (quick) {
  help.printQuickAnswer(quick);
  process.exitCode = quick.status;
} else {
  require('./load-bundle.cjs').loadBundle(bundle).runCli(argv).then((status) => {
    process.exitCode = status;
  });
}
