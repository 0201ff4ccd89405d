// `vethscope install-helper` for real, from a built checkout, as root: what it installs
// (root-owned, only root can change it, sudoers validated), that it is idempotent, that
// it refuses what it must (not root, an unsafe folder, files apt owns), and that
// --remove removes exactly what it installed, the group it created included.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoElseCanChange } from '../../../electron/kernel/file-trust';
import { HELPER_PATH, LIB_DIR, systemLayout } from '../../../electron/install/layout';
import { buildCheckout, installBlocker, type Checkout } from './install-fixture';

const GROUP = 'vsp-ih';
const skip = process.getuid?.() !== 0 ? 'needs root' : spawnSync('which', ['visudo']).status !== 0 ? 'sudo is not installed' : installBlocker();
if (skip) console.log(`[install-helper] skipped: ${skip}`);

describe.skipIf(skip !== null)('vethscope install-helper', () => {
  let work: string;
  let checkout: Checkout;
  const cli = (args: string[], asNobody = false) =>
    spawnSync(asNobody ? 'setpriv' : process.execPath, asNobody ? ['--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', '--', process.execPath, checkout.cli, ...args] : [checkout.cli, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', SUDO_USER: 'vsp-nobody-here' } });
  const installed = [HELPER_PATH, systemLayout.manifestPath, systemLayout.polkitActionPath, systemLayout.sudoersPath, systemLayout.polkitRulePath];

  beforeAll(() => {
    work = mkdtempSync('/tmp/vsp-ih-');
    chmodSync(work, 0o755);
    checkout = buildCheckout(join(work, 'checkout'));
  }, 60_000);
  afterAll(() => {
    if (existsSync(systemLayout.manifestPath)) cli(['install-helper', '--remove']);
    rmSync(LIB_DIR, { recursive: true, force: true });
    for (const f of installed) rmSync(f, { force: true });
    if (spawnSync('getent', ['group', GROUP]).status === 0) spawnSync('groupdel', [GROUP]);
    rmSync(work, { recursive: true, force: true });
  });

  it('not root: refused with exit 77 and the command to use, nothing written', () => {
    const r = cli(['install-helper', '--group', GROUP], true);
    expect(r.status, r.stderr).toBe(77);
    expect(r.stderr).toContain('sudo npx vethscope install-helper');
    expect(existsSync(LIB_DIR)).toBe(false);
  });

  it('installs the helper, its polkit action and the group rules; the group is created', () => {
    const r = cli(['install-helper', '--group', GROUP]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created +group vsp-ih/m);
    for (const f of [HELPER_PATH, systemLayout.polkitActionPath, systemLayout.sudoersPath, systemLayout.polkitRulePath]) expect(r.stdout).toMatch(new RegExp(`^installed +${f}`, 'm'));
    const mode = (p: string) => statSync(p).mode & 0o7777;
    expect([mode(LIB_DIR), mode(HELPER_PATH), mode(systemLayout.sudoersPath), mode(systemLayout.polkitRulePath), mode(systemLayout.manifestPath)]).toEqual([0o755, 0o755, 0o440, 0o644, 0o644]);
    for (const f of installed) expect(statSync(f).uid, f).toBe(0);
    expect(whoElseCanChange(HELPER_PATH)).toEqual([]);
    expect(readFileSync(HELPER_PATH, 'utf8').startsWith('#!/usr/bin/node --no-memory-reducer\n')).toBe(true);
    expect(readFileSync(systemLayout.sudoersPath, 'utf8')).toContain(`%${GROUP} ALL=(root) NOPASSWD: ${HELPER_PATH} ""`);
    expect(spawnSync('visudo', ['-c']).status).toBe(0);
    expect(spawnSync('getent', ['group', GROUP]).status).toBe(0);
    const m = JSON.parse(readFileSync(systemLayout.manifestPath, 'utf8'));
    expect(m).toMatchObject({ installedBy: 'install-helper', group: GROUP, interpreter: '/usr/bin/node', createdGroups: [GROUP], dirs: [LIB_DIR] });
    // No temporary file is left beside any target (sudo would ignore a dotted name, but still).
    for (const d of ['/etc/sudoers.d', LIB_DIR]) expect(spawnSync('ls', ['-A', d], { encoding: 'utf8' }).stdout).not.toMatch(/vethscope-\d+\.tmp/);
  });

  it('again: every file unchanged; without --group the rules go and the group stays (deleted by --remove)', () => {
    const again = cli(['install-helper', '--group', GROUP]);
    expect(again.status, again.stderr).toBe(0);
    const steps = again.stdout.split('\n').filter((l) => /^(installed|updated|unchanged|removed|created|skipped) /.test(l));
    expect(steps.length).toBe(4);
    expect(steps.every((l) => l.startsWith('unchanged')), steps.join('\n')).toBe(true);
    const plain = cli(['install-helper']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^removed +${systemLayout.sudoersPath}`, 'm'));
    expect(existsSync(systemLayout.sudoersPath)).toBe(false);
    expect(existsSync(systemLayout.polkitRulePath)).toBe(false);
    expect(JSON.parse(readFileSync(systemLayout.manifestPath, 'utf8'))).toMatchObject({ group: null, createdGroups: [GROUP] });
  });

  it('refuses to leave an elevatable helper in a folder others may write; what it had installed stays listed', () => {
    chmodSync(LIB_DIR, 0o775);
    try {
      const r = cli(['install-helper', '--group', GROUP]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${LIB_DIR} is writable by its group`);
      const listed = JSON.parse(readFileSync(systemLayout.manifestPath, 'utf8')).files.map((f: { path: string }) => f.path);
      expect(listed).toEqual(expect.arrayContaining([HELPER_PATH, systemLayout.polkitActionPath]));
    } finally {
      chmodSync(LIB_DIR, 0o755);
    }
  });

  it('--remove takes away exactly what was installed: files, folder, the group it created', () => {
    const r = cli(['install-helper', '--remove']);
    expect(r.status, r.stderr).toBe(0);
    for (const f of [...installed, LIB_DIR]) expect(existsSync(f), f).toBe(false);
    expect(spawnSync('getent', ['group', GROUP]).status).not.toBe(0);
    const nothing = cli(['install-helper', '--remove']);
    expect(nothing.status).toBe(0);
    expect(nothing.stdout).toContain('nothing was installed by install-helper');
  });

  it('leaves the package\'s helper to apt, and will not replace a helper it did not install', () => {
    mkdirSync(LIB_DIR, { mode: 0o755 });
    try {
      writeFileSync(HELPER_PATH, '#!/usr/bin/node\n', { mode: 0o755 });
      const foreign = cli(['install-helper']);
      expect(foreign.status).toBe(1);
      expect(foreign.stderr).toContain('install-helper did not install it');
      writeFileSync(systemLayout.manifestPath, JSON.stringify({ format: 1, installedBy: 'debian-package', version: '1', helper: HELPER_PATH, interpreter: '/usr/bin/node', group: 'vethscope', files: [], dirs: [], createdGroups: [] }));
      for (const args of [['install-helper'], ['install-helper', '--remove']]) {
        const r = cli(args);
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/vethscope package.*apt/);
      }
      expect(existsSync(HELPER_PATH)).toBe(true);
    } finally {
      rmSync(LIB_DIR, { recursive: true, force: true });
    }
  });
});
