#!/usr/bin/env -S node --no-memory-reducer
// Launcher: the built CLI bundle (npm install builds it; `npm run build` rebuilds it). Help and
// usage errors come from the help texts alone (dist/cli-help.cjs, a few kB); everything else
// loads dist/cli.cjs through V8's code cache (load-bundle.cjs). --no-memory-reducer: a capture idles
// here for as long as it runs, and V8 would run full GCs of the heap every few seconds meanwhile (a V8
// flag set at run time instead would cost every start 20 ms: node's built-ins would lose their code cache).
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
  require('./load-bundle.cjs').loadBundle(bundle, argv[0]).runCli(argv).then((status) => {
    process.exitCode = status;
  });
}
