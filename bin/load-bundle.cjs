// Loads a CommonJS bundle through V8's code cache: compiling the 1 MB CLI bundle is a quarter of
// every command's start-up (Node 20 has no module compile cache of its own). The cache sits beside
// the bundle, keyed by a checksum of the bundle's text (V8 itself checks only the length): CRC-32,
// as Node 22's own compile cache keys its entries, where zlib has it (Node >= 20.15), else SHA-256.
// node:crypto alone costs ~7 ms to load, zlib ~1.5. The cache is believed only when it is a regular
// file of the bundle's owner that nobody else may write. Any problem: plain compile, no cache.
// Plain JS on purpose: it runs before anything is loaded.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/** The cache's first line: how the bundle's bytes were checksummed, the checksum, their length. */
function cacheKey(bytes) {
  const zlib = require('node:zlib');
  if (typeof zlib.crc32 === 'function') return `crc32:${zlib.crc32(bytes).toString(16)}:${bytes.length}`;
  return `sha256:${require('node:crypto').createHash('sha256').update(bytes).digest('hex')}`;
}
/** Longer than any key: a first line past this is not ours. */
const MAX_KEY = 96;

function trustedCache(cacheFile, bundleStat) {
  try {
    const st = fs.lstatSync(cacheFile);
    if (!st.isFile() || st.uid !== bundleStat.uid || (st.mode & 0o022) !== 0) return null;
    return fs.readFileSync(cacheFile);
  } catch {
    return null;
  }
}

function saveCache(cacheFile, key, data) {
  const dir = path.dirname(cacheFile);
  try {
    // Only into a folder of our own (a checkout), never into another user's or a package's files.
    if (dir.startsWith('/usr/') || fs.statSync(dir).uid !== process.getuid()) return;
    const tmp = path.join(dir, `.${path.basename(cacheFile)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${key}\n`), data]), { mode: 0o644, flag: 'wx' });
    fs.renameSync(tmp, cacheFile);
  } catch {
    /* read-only install, a race with another start: next time */
  }
}

/** `require(file)`, compiled from the code cache when it matches; the cache is (re)written at exit when it did not. */
function loadBundle(file) {
  const bundleStat = fs.statSync(file);
  const bytes = fs.readFileSync(file);
  const source = bytes.toString('utf8');
  const key = cacheKey(bytes);
  const cacheFile = `${file}.v8cache`;
  const cached = trustedCache(cacheFile, bundleStat);
  const newline = cached ? cached.subarray(0, MAX_KEY + 1).indexOf(0x0a) : -1;
  const usable = newline > 0 && cached.subarray(0, newline).toString() === key ? cached.subarray(newline + 1) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: usable });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  // After the command ran, the cache also holds the functions it compiled on the way.
  if (!usable || script.cachedDataRejected) process.once('exit', () => saveCache(cacheFile, key, script.createCachedData()));
  return mod.exports;
}

module.exports = { loadBundle };
