#!/usr/bin/env node
// `npm run deb`: release/vethscope_<version>_all.deb with Debian's dpkg-deb, no Electron
// needed: the command line, browser mode, the privileged helper at its fixed root-owned
// path, the polkit action naming exactly it, the vethscope group's rules, a man page.
//   node scripts/build-deb.mjs [--out DIR] [--no-lintian]
// Bundles target node 18 (Debian 12's nodejs); the package depends on nodejs (>= 18).
// The texts of the helper, the polkit files and the sudoers rule come from
// electron/install/system-files.ts, the same functions install-helper uses.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { common as nodeBundle } from './bundle-options.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE = '/usr/bin/node';

function die(message) {
  process.stderr.write(`vethscope deb: ${message}\n`);
  process.exit(1);
}

/** electron/install's layout and system-file texts, bundled on the fly (this script is plain JS). */
export async function loadInstallTexts(tmp) {
  const entry = path.join(tmp, 'install-texts-entry.ts');
  writeFileSync(entry, `export * from ${JSON.stringify(path.join(ROOT, 'electron/install/system-files.ts'))};\nexport * from ${JSON.stringify(path.join(ROOT, 'electron/install/layout.ts'))};\nexport { manifestText } from ${JSON.stringify(path.join(ROOT, 'electron/install/manifest.ts'))};\n`);
  const out = path.join(tmp, 'install-texts.cjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning', absWorkingDir: ROOT });
  return createRequire(import.meta.url)(out);
}

function debVersion() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const changelog = readFileSync(path.join(ROOT, 'build/deb/changelog'), 'utf8');
  const top = /^vethscope \(([^)]+)\)/.exec(changelog)?.[1];
  if (top !== pkg.version) die(`build/deb/changelog's newest entry is ${top ?? 'missing'}, package.json says ${pkg.version}: add a changelog entry first`);
  return { version: pkg.version };
}

function writeFile(file, content, mode) {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

/** The helper bundle for node 18, as the packages ship it. */
export async function buildHelperBundle(outfile) {
  await build({ bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning', absWorkingDir: ROOT, legalComments: 'none', entryPoints: ['electron/root-helper/main.ts'], outfile });
  return readFileSync(outfile, 'utf8');
}

/**
 * The helper and what grants it, under `root` (a staging tree), as package files: the helper,
 * the polkit action and group rule, the sudoers rule postinst installs, the manifest.
 * Returns the paths on the target system. Shared with scripts/dist.mjs (electron-builder's deb).
 */
export function stageSystemFiles(root, t, helperBundle, version) {
  const at = (p) => path.join(root, p);
  const put = (p, content, mode) => (writeFile(at(p), content, mode), p);
  return [
    put(t.HELPER_PATH, t.helperScript(NODE, helperBundle), 0o755),
    put(t.systemLayout.polkitActionPath, t.polkitAction(t.HELPER_PATH), 0o644),
    put(t.DEB_POLKIT_RULE_PATH, t.polkitGroupRule(t.DEB_GROUP), 0o644),
    // Installed as /etc/sudoers.d/vethscope by postinst (after visudo -cf), removed by postrm.
    put(`${t.LIB_DIR}/sudoers-rule`, t.sudoersDropIn(t.DEB_GROUP, t.HELPER_PATH), 0o644),
    put(
      t.systemLayout.manifestPath,
      t.manifestText({ format: 1, installedBy: 'debian-package', version, helper: t.HELPER_PATH, interpreter: NODE, group: t.DEB_GROUP, files: [t.HELPER_PATH, t.systemLayout.polkitActionPath, t.DEB_POLKIT_RULE_PATH, t.systemLayout.sudoersPath].map((p) => ({ path: p, sha256: null })), dirs: [], createdGroups: [] }),
      0o644,
    ),
  ];
}

/** What the package depends on, for dpkg-deb's control file and electron-builder's deb alike. */
// util-linux is essential: lintian wants a version (setpriv --pdeathsig is 2.33). policykit-1 is
// transitional since Debian 12 (lintian: ored-depends-on-obsolete-package): polkitd and pkexec.
export const DEPENDS = ['nodejs (>= 18)', 'tcpdump', 'util-linux (>= 2.33)', 'iproute2', 'adduser'];
export const RECOMMENDS = ['polkitd', 'pkexec', 'sudo'];

/** Regular files under `dir` (symlinks are not listed: dpkg's md5sums skips them). */
function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function walkDirs(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    out.push(p);
    walkDirs(p, out);
  }
  return out;
}

function installedSizeKiB(dir) {
  let bytes = 0;
  for (const f of walk(dir)) bytes += statSync(f).size;
  return Math.ceil(bytes / 1024);
}

async function main() {
  const args = process.argv.slice(2);
  const outDir = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1]) : path.join(ROOT, 'release');
  for (const tool of ['dpkg-deb']) if (spawnSync('which', [tool]).status !== 0) die(`${tool} is not installed (apt install dpkg-dev)`);
  const { version } = debVersion();
  const tmp = mkdtempSync(path.join(tmpdir(), 'vethscope-deb-'));
  const pkg = path.join(tmp, 'pkg');
  const at = (p) => path.join(pkg, p);
  try {
    const t = await loadInstallTexts(tmp);
    const lib = t.LIB_DIR;
    // The same bundles as `npm run build` (bundle-options.mjs: no BuildKit, no ssh2), without source maps.
    const common = { ...nodeBundle, sourcemap: false, metafile: false, absWorkingDir: ROOT, external: ['electron'], legalComments: 'none' };
    await build({ ...common, entryPoints: ['electron/front-doors/cli/main.ts'], outfile: at(`${lib}/dist/cli.cjs`) });
    // Help and usage errors without loading cli.cjs (the launcher below asks it first).
    await build({ ...common, entryPoints: ['electron/front-doors/cli/usage.ts'], outfile: at(`${lib}/dist/cli-help.cjs`) });
    // Wireshark's extcap (the listing alone; captures load cli.cjs beside it). postinst puts its launcher where Wireshark looks.
    await build({ ...common, entryPoints: ['electron/front-doors/extcap/entry.ts'], outfile: at(`${lib}/dist/extcap.cjs`) });
    const helperBundle = await buildHelperBundle(path.join(tmp, 'helper.cjs'));
    // The renderer for browser mode, built afresh (no source maps in the package).
    const vite = spawnSync(path.join(ROOT, 'node_modules/.bin/vite'), ['build', '--outDir', at(`${lib}/dist/renderer`), '--emptyOutDir', '--sourcemap', 'false', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (vite.status !== 0) die(`the renderer build failed (exit ${vite.status})`);

    stageSystemFiles(pkg, t, helperBundle, version);
    // Root runs the helper beside the code (setpriv, no elevation): the same file.
    symlinkSync('../vethscope-helper', at(`${lib}/dist/helper.cjs`));
    writeFile(at(`${lib}/package.json`), JSON.stringify({ name: 'vethscope', version, private: true, type: 'commonjs' }, null, 2) + '\n', 0o644);
    writeFile(
      at('/usr/bin/vethscope'),
      `#!${NODE} --no-memory-reducer\n'use strict';\n// vethscope's command line (the vethscope Debian package): help from the texts alone, the rest from cli.cjs.\n// --no-memory-reducer: no full GCs every few seconds while a capture idles (see bin/vethscope.cjs).\nconst argv = process.argv.slice(2);\nconst help = require('${lib}/dist/cli-help.cjs');\nconst quick = help.answerWithoutBackend(argv);\nif (quick) {\n  help.printQuickAnswer(quick);\n  process.exitCode = quick.status;\n} else {\n  require('${lib}/dist/cli.cjs').runCli(argv).then((status) => {\n    process.exitCode = status;\n  });\n}\n`,
      0o755,
    );
    writeFile(at('/usr/share/man/man1/vethscope.1.gz'), gzipSync(readFileSync(path.join(ROOT, 'build/vethscope.1')), { level: 9 }), 0o644);
    writeFile(at('/usr/share/doc/vethscope/copyright'), readFileSync(path.join(ROOT, 'build/deb/copyright')), 0o644);
    // A native package (no Debian revision): its changelog is changelog.gz.
    writeFile(at('/usr/share/doc/vethscope/changelog.gz'), gzipSync(readFileSync(path.join(ROOT, 'build/deb/changelog')), { level: 9 }), 0o644);

    for (const f of walk(pkg)) if (f.endsWith('.map')) rmSync(f);
    for (const d of [pkg, ...walkDirs(pkg)]) chmodSync(d, 0o755);
    const control = [
      'Package: vethscope',
      `Version: ${version}`,
      'Architecture: all',
      'Maintainer: vethscope maintainers <maintainers@vethscope.invalid>',
      `Installed-Size: ${installedSizeKiB(pkg)}`,
      `Depends: ${DEPENDS.join(', ')}`,
      `Recommends: ${RECOMMENDS.join(', ')}`,
      // wireshark-common brings dumpcap: pcapng at the cost of bare tcpdump (without it, vethscope merges tcpdump's streams itself).
      'Suggests: wireshark-common, tshark | wireshark, docker.io',
      'Section: net',
      'Priority: optional',
      'Homepage: https://github.com/vethscope/vethscope',
      'Description: see how containers are wired to the host and capture their traffic',
      ' vethscope finds every network namespace, veth pair and bridge, shows which',
      ' container each host interface belongs to, and captures one or several',
      ' containers into one pcapng whose interfaces are named after the containers.',
      ' .',
      ' This package holds the command line, browser mode (vethscope serve) and the',
      ' privileged capture helper. Members of the group "vethscope" may start the',
      ' helper without a password, which lets them capture any traffic on the host',
      ' (like the "wireshark" group).',
      '',
    ].join('\n');
    writeFile(at('DEBIAN/control'), control, 0o644);
    for (const s of ['postinst', 'prerm', 'postrm']) writeFile(at(`DEBIAN/${s}`), readFileSync(path.join(ROOT, 'build/deb', s)), 0o755);
    // Wireshark installed (or upgraded) after vethscope: postinst runs again and puts the extcap where it looks.
    writeFile(at('DEBIAN/triggers'), readFileSync(path.join(ROOT, 'build/deb/triggers')), 0o644);
    const sums = walk(pkg)
      .filter((f) => !f.startsWith(at('DEBIAN')))
      .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${path.relative(pkg, f)}`)
      .join('\n');
    writeFile(at('DEBIAN/md5sums'), sums + '\n', 0o644);

    mkdirSync(outDir, { recursive: true });
    const deb = path.join(outDir, `vethscope_${version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', pkg, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.stdout.write(`${deb}\n`);
    if (!args.includes('--no-lintian') && spawnSync('which', ['lintian']).status === 0) {
      const l = spawnSync('lintian', ['--tag-display-limit', '0', deb], { encoding: 'utf8' });
      const lines = (l.stdout + l.stderr).split('\n').filter(Boolean);
      process.stderr.write(lines.length ? `lintian:\n${lines.map((x) => `  ${x}`).join('\n')}\n` : 'lintian: clean\n');
      if (lines.some((x) => x.startsWith('E: '))) die('lintian reports errors (above)');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch((e) => die(e.stack ?? String(e)));
