#!/usr/bin/env node
// `npm install`'s last step for this package: fetch Electron's binary when it can be
// fetched, and never fail the install when it cannot (no network, a proxy, a CI box).
// package.json's allowScripts keeps npm from running Electron's own downloader, whose
// failure would fail the whole install; we run the same downloader here, tolerantly.
// Without a binary, `npm start` uses browser mode and says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installer = path.join(ROOT, 'node_modules', 'electron', 'install.js');

function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set)';
  if (!existsSync(installer)) return 'skipped (electron is not installed: npm install --omit=dev?)';
  const r = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), encoding: 'utf8', timeout: 180_000 });
  if (r.status === 0) return 'ready';
  const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONN|timed out|certificate/i.test(l));
  return `not available (${why ?? (r.error ? r.error.message : `exit ${r.status}`)}); npm start will use browser mode`;
}

process.stderr.write(`vethscope: Electron binary: ${fetchElectron()}\n`);
