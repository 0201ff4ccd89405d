// The Debian package installs the extcap system-wide: after `apt install ./vethscope.deb`
// Wireshark's global extcap folder (as tshark -G folders names it) holds vethscope's launcher,
// running the package's own bundle, and tshark lists the containers through it; `apt purge`
// takes it out again. Restores what it changes (the package, its group).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIB_DIR } from '../../../electron/install/layout';
import { parseWiresharkFolders, readLauncher } from '../../../electron/util/wireshark-extcap';
import { isRoot, removeSuiteContainers, runContainer, testEnv } from '../../support/env';

const ROOT = resolve(__dirname, '../../..');
const SUITE = 'vsx-extcap-deb';

function whyNot(): string | null {
  if (!isRoot) return 'needs root (apt)';
  for (const t of ['dpkg-deb', 'apt-get', 'tshark']) if (spawnSync('which', [t]).status !== 0) return `${t} is not installed`;
  if (spawnSync('dpkg-query', ['-W', 'vethscope']).status === 0) return 'the vethscope package is installed already: this test installs and purges its own';
  if (existsSync(LIB_DIR)) return `${LIB_DIR} exists (install-helper?): not ours to replace`;
  return null;
}
const skip = whyNot();
if (skip) console.log(`[extcap-deb] skipped: ${skip}`);

const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};

describe.skipIf(skip !== null)('the Debian package and Wireshark', () => {
  let work: string;
  let home: string;
  let launcher: string;
  let groupExisted = false;
  beforeAll(() => {
    groupExisted = spawnSync('getent', ['group', 'vethscope']).status === 0;
    work = mkdtempSync('/tmp/vsx-extcap-deb-');
    chmodSync(work, 0o755);
    home = mkdtempSync('/tmp/vsx-extcap-deb-home-');
    const deb = sh(process.execPath, [join(ROOT, 'scripts/build-deb.mjs'), '--out', work, '--no-lintian'], { cwd: ROOT }).trim().split('\n').pop()!;
    sh('apt-get', ['install', '-y', '--no-install-recommends', deb], { cwd: work });
    const global = parseWiresharkFolders(sh('tshark', ['-G', 'folders'])).global[0]!;
    launcher = join(global, 'vethscope');
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsxd-a');
  }, 600_000);

  afterAll(() => {
    removeSuiteContainers(SUITE);
    if (spawnSync('dpkg-query', ['-W', 'vethscope']).status === 0) spawnSync('apt-get', ['purge', '-y', 'vethscope'], { encoding: 'utf8' });
    if (!groupExisted && spawnSync('getent', ['group', 'vethscope']).status === 0) spawnSync('groupdel', ['vethscope']);
    for (const d of [work, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("postinst put the launcher in Wireshark's global extcap folder, running the package's bundle", () => {
    expect(readLauncher(launcher)).toEqual({ path: launcher, node: '/usr/bin/node', bundle: `${LIB_DIR}/dist/extcap.cjs` });
  });

  it("tshark (any user's, here root's with a fresh HOME) lists the containers through it", () => {
    const out = execFileSync('tshark', ['-D'], { env: { ...testEnv(), HOME: home, XDG_RUNTIME_DIR: '' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toMatch(/^\d+\. vethscope-vsxd-a \(vethscope: vsxd-a \(docker\)\)$/m);
  });

  it('apt purge takes the launcher out', () => {
    sh('apt-get', ['purge', '-y', 'vethscope']);
    expect(existsSync(launcher)).toBe(false);
  });
});
