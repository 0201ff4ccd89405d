#!/usr/bin/env node
// `npm start`: build if needed, then the desktop window when Electron can run here,
// otherwise browser mode (`vethscope serve`), saying plainly why.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['dist/cli.cjs', 'dist/helper.cjs', 'dist/main.cjs', 'dist/preload.cjs', 'dist/renderer/index.html'];
const SOURCES = ['electron', 'shared', 'renderer'];
const SOURCE_FILE = /\.(ts|tsx|css|html)$/;

/** Where `require('electron')` says the binary is, or why there is none. */
export function findElectron(root = ROOT) {
  try {
    const binary = createRequire(path.join(root, 'package.json'))('electron');
    if (typeof binary !== 'string') return { error: 'the electron package did not return a binary path' };
    return existsSync(binary) ? { binary } : { error: `the Electron binary ${binary} does not exist` };
  } catch (err) {
    // electron's index.js throws "failed to install correctly" when its binary was never downloaded.
    const never = /failed to install correctly/.test(String(err.message));
    const why = never ? 'its download did not happen or failed' : String(err.message).split('\n')[0];
    return { error: `no Electron binary (${why}; \`npm install\` fetches it where the network allows, then \`npm start\` opens the window)` };
  }
}

/** Pure decision: desktop window or browser mode, and why. */
export function decideLaunch({ electron, env, uid }) {
  if (electron.error) return { mode: 'browser', reason: electron.error };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { mode: 'browser', reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  // Chromium refuses to sandbox its renderers as root, and we will not turn the sandbox off.
  if (uid === 0) return { mode: 'browser', reason: 'running as root: the Electron renderer sandbox cannot run as root (start vethscope as your own user)' };
  return { mode: 'electron', binary: electron.binary };
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (SOURCE_FILE.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Missing or older than any source file: build. */
export function needsBuild(root = ROOT) {
  const outs = OUTPUTS.map((f) => path.join(root, f));
  if (!outs.every(existsSync)) return true;
  const oldest = Math.min(...outs.map((f) => statSync(f).mtimeMs));
  return SOURCES.some((d) => existsSync(path.join(root, d)) && newestMtime(path.join(root, d)) > oldest);
}

/**
 * Whether we are in the terminal's foreground process group (/proc/self/stat: pgrp is field 5,
 * tpgid field 8). Then Ctrl+C signalled the whole group, our child included.
 */
export function inForegroundGroup(stat = readFileSync('/proc/self/stat', 'utf8')) {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(f[2]);
  const tpgid = Number(f[5]);
  return tpgid > 0 && tpgid === pgrp;
}

/**
 * Whether a signal we received should be passed on to the child (which shares our process
 * group). A SIGINT from the terminal's Ctrl+C already reached it: a second one would make
 * it skip its clean shutdown. Anything else (SIGTERM, a SIGINT from kill) reached only us.
 */
export function shouldForward(signal, foreground) {
  return !(signal === 'SIGINT' && foreground);
}

function run(command, args) {
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => {
      if (shouldForward(sig, inForegroundGroup())) child.kill(sig);
    });
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`vethscope: ${path.basename(command)} ended by ${signal}\n`);
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

async function main() {
  // VETHSCOPE_NO_BUILD=1: run the bundles as they are (tests that start npm start).
  if (!process.env.VETHSCOPE_NO_BUILD && needsBuild()) {
    process.stderr.write('vethscope: building (npm run build)…\n');
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`vethscope: the build failed (exit ${r.status}); fix it and run npm start again\n`);
      process.exitCode = 1;
      return;
    }
  }
  if (!existsSync(path.join(ROOT, 'dist/renderer/index.html'))) {
    process.stderr.write('vethscope: dist/renderer/index.html is missing: the renderer is not built, the window/page will be empty\n');
  }
  const decision = decideLaunch({ electron: findElectron(), env: process.env, uid: process.getuid?.() });
  if (decision.mode === 'electron') {
    run(decision.binary, [path.join(ROOT, 'dist/main.cjs'), ...process.argv.slice(2)]);
    return;
  }
  process.stderr.write(`vethscope: not opening the desktop window: ${decision.reason}.\nvethscope: starting browser mode instead; open the URL below.\n`);
  run(process.execPath, [path.join(ROOT, 'bin/vethscope.cjs'), 'serve', ...process.argv.slice(2)]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main(); // no top-level await: tests require() this module
