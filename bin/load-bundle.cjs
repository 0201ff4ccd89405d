// Loads a CommonJS bundle through V8's code cache: compiling the 1 MB CLI bundle is a quarter of
// every command's start-up (Node 20 has no module compile cache of its own). The cache sits beside
// the bundle, keyed by the bundle's SHA-256 (V8 itself checks only the length), and is believed only
// when it is a regular file of the bundle's owner that nobody else may write. Any problem: plain
// compile, no cache. Plain JS on purpose: it runs before anything is loaded.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const HEADER = 65; // 64 hex digits of the bundle's SHA-256, then a newline

function trustedCache(cacheFile, bundleStat) {
  try {
    const st = fs.lstatSync(cacheFile);
    if (!st.isFile() || st.uid !== bundleStat.uid || (st.mode & 0o022) !== 0) return null;
    return fs.readFileSync(cacheFile);
  } catch {
    return null;
  }
}

function saveCache(cacheFile, digest, data) {
  const dir = path.dirname(cacheFile);
  try {
    // Only into a folder of our own (a checkout), never into another user's or a package's files.
    if (dir.startsWith('/usr/') || fs.statSync(dir).uid !== process.getuid()) return;
    const tmp = path.join(dir, `.${path.basename(cacheFile)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${digest}\n`), data]), { mode: 0o644, flag: 'wx' });
    fs.renameSync(tmp, cacheFile);
  } catch {
    /* read-only install, a race with another start: next time */
  }
}

/** `require(file)`, compiled from the code cache when it matches; the cache is (re)written at exit when it did not. */
function loadBundle(file) {
  const bundleStat = fs.statSync(file);
  const source = fs.readFileSync(file, 'utf8');
  const digest = crypto.createHash('sha256').update(source).digest('hex');
  const cacheFile = `${file}.v8cache`;
  const cached = trustedCache(cacheFile, bundleStat);
  const usable = cached && cached.length > HEADER && cached.subarray(0, HEADER - 1).toString() === digest ? cached.subarray(HEADER) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: usable });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  // After the command ran, the cache also holds the functions it compiled on the way.
  if (!usable || script.cachedDataRejected) process.once('exit', () => saveCache(cacheFile, digest, script.createCachedData()));
  return mod.exports;
}

module.exports = { loadBundle };
