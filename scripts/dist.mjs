#!/usr/bin/env node
// `npm run dist`: AppImage + deb with electron-builder. The deb carries the privileged
// helper exactly as `npm run deb` does (scripts/build-deb.mjs: /usr/lib/vethscope/vethscope-helper,
// its polkit action and the vethscope group's rules, postinst/postrm); the AppImage cannot hold a
// root-owned file, so the app elevates the installed helper or names the one command that
// installs it (electron/backend/helper-client/elevation.ts). It needs the Electron binary
// (electron-builder downloads it when absent); without network that download fails with
// ENOTFOUND, so check first and say plainly what is missing instead of a stack trace.
// electron-builder lives in build/packaging/ (installed there on first use): its native
// rebuild tool needs Node 22, and keeping it out of the main install keeps `npm install`
// free of engine warnings on Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './start.mjs';
import { buildHelperBundle, loadInstallTexts, stageSystemFiles } from './build-deb.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function die(message) {
  process.stderr.write(`vethscope dist: ${message}\n`);
  process.exit(1);
}

/**
 * electron-builder's configuration with the helper's files added to the deb: fpm mappings from a
 * staging tree under `tmp`, and the maintainer scripts by absolute path.
 */
export async function packagingConfig(tmp) {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'build/electron-builder.json'), 'utf8'));
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const t = await loadInstallTexts(tmp);
  const staged = path.join(tmp, 'system');
  const files = stageSystemFiles(staged, t, await buildHelperBundle(path.join(tmp, 'helper.cjs')), version);
  // The action comes from build/*.policy (the same text: test/unit/install/system-files.test.ts).
  const systemMaps = files.filter((p) => p !== t.systemLayout.polkitActionPath).map((p) => `${path.join(staged, p)}=${p}`);
  config.deb.fpm = [...(config.deb.fpm ?? []), ...policyMappings(path.join(ROOT, 'build')), ...systemMaps];
  for (const k of ['afterInstall', 'afterRemove']) config.deb[k] = path.join(ROOT, config.deb[k]);
  return config;
}

/** fpm mappings installing each polkit policy where polkitd reads it. */
export function policyMappings(buildDir) {
  return readdirSync(buildDir)
    .filter((f) => f.endsWith('.policy'))
    .map((f) => `${path.join(buildDir, f)}=/usr/share/polkit-1/actions/${f}`);
}

async function main() {
  const electron = findElectron(ROOT);
  const cache = process.env.ELECTRON_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache', 'electron');
  const cachedZip = existsSync(cache) && readdirSync(cache).some((f) => f.startsWith('electron-v') && f.endsWith('.zip'));
  if (electron.error && !cachedZip) {
    die(
      `packaging needs the Electron binary, and it is not available: ${electron.error}.\n` +
        `electron-builder would download it now (github.com), which fails without network access (ENOTFOUND).\n` +
        `Fix: on a machine with network access run \`npm install\` (without ELECTRON_SKIP_BINARY_DOWNLOAD) or put ` +
        `electron-v<version>-linux-x64.zip in ${cache}, then run npm run dist again.`,
    );
  }
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) die(`the build failed (exit ${build.status})`);
  for (const f of ['dist/main.cjs', 'dist/preload.cjs', 'dist/cli.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(path.join(ROOT, f))) die(`${f} is missing after the build`);
  }
  if (!existsSync(path.join(ROOT, 'dist/helper.cjs'))) process.stderr.write('vethscope dist: warning: dist/helper.cjs is missing: the app run as root cannot capture\n');
  const tmp = mkdtempSync(path.join(tmpdir(), 'vethscope-dist-'));
  const config = await packagingConfig(tmp);
  const configFile = path.join(tmp, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const packaging = path.join(ROOT, 'build/packaging');
  const builder = path.join(packaging, 'node_modules/.bin/electron-builder');
  if (!existsSync(builder)) {
    const ci = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', packaging], { cwd: ROOT, stdio: 'inherit' });
    if (ci.status !== 0) die(`installing electron-builder into build/packaging failed (exit ${ci.status})`);
  }
  const r = spawnSync(builder, ['--linux', '--config', configFile, '--projectDir', ROOT], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) die(`electron-builder failed (exit ${r.status}); see its output above`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main(); // no top-level await: tests require() this module
