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
/** Longer than any first line of ours (the key, then the commands the cache has seen): past this it is not ours. */
const MAX_HEADER = 512;
/**
 * The cache keeps what the commands that wrote it compiled, and V8 will not add to a cache it
 * accepted: after `topology` made it, every capture compiled its own code again (13 ms of a
 * 200 ms capture). So a command the cache has not seen rewrites it once, with both.
 */
const MAX_COMMANDS = 16;
const COMMAND = /^[a-z][a-z-]{0,23}$/;

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

/** The cache's first line: `KEY` or `KEY ran=CMD,CMD`; null when it is not one of ours. */
function parseHeader(cached) {
  const newline = cached ? cached.subarray(0, MAX_HEADER + 1).indexOf(0x0a) : -1;
  if (newline <= 0) return null;
  const [key, ran = ''] = cached.subarray(0, newline).toString('latin1').split(' ', 2);
  const commands = ran.startsWith('ran=') ? ran.slice(4).split(',').filter((c) => COMMAND.test(c)) : [];
  return { key, commands, data: cached.subarray(newline + 1) };
}

/**
 * `require(file)`, compiled from the code cache when it matches; the cache is (re)written at exit
 * when it did not, or when `command` (the CLI's first argument) is one it has not seen yet.
 */
function loadBundle(file, command = '') {
  const bundleStat = fs.statSync(file);
  const bytes = fs.readFileSync(file);
  const source = bytes.toString('utf8');
  const key = cacheKey(bytes);
  const cacheFile = `${file}.v8cache`;
  const header = parseHeader(trustedCache(cacheFile, bundleStat));
  const usable = header && header.key === key ? header.data : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: usable });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const fresh = !usable || script.cachedDataRejected;
  const seen = fresh ? [] : header.commands;
  const tag = COMMAND.test(command) ? command : null;
  const learns = tag !== null && !seen.includes(tag) && seen.length < MAX_COMMANDS;
  // After the command ran, the cache also holds the functions it compiled on the way.
  if (fresh || learns) {
    const commands = learns ? [...seen, tag] : seen;
    const line = commands.length ? `${key} ran=${commands.join(',')}` : key;
    process.once('exit', () => saveCache(cacheFile, line, script.createCachedData()));
  }
  return mod.exports;
}

module.exports = { loadBundle };
