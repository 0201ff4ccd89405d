// planLaunch: which program runs elevated and how. The rule it keeps: only a file only
// root can change is ever started through a standing rule (sudo -n, polkit YES); a
// checkout's helper only through a prompt that asks every time.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLaunchFailure, planLaunch, type ElevationInput } from '../../../electron/backend/helper-client/elevation';
import type { InstalledHelper } from '../../../electron/install/installed-helper';
import { HELPER_PATH } from '../../../electron/install/layout';
import { HELPER_EXIT_UNTRUSTED } from '../../../shared/helper-exit';

const ROOT = resolve(__dirname, '../../..');
const installed = (over: Partial<InstalledHelper> = {}): InstalledHelper => ({ path: HELPER_PATH, installedBy: 'install-helper', version: '0.1.0', interpreter: '/usr/bin/node', group: 'wireshark', problems: [], notes: [], ...over });
const base: ElevationInput = {
  elevation: 'auto',
  uid: 1000,
  gid: 1000,
  env: {},
  interactive: false,
  nodePath: '/usr/bin/node',
  helperPath: '/home/ana/vethscope/dist/helper.cjs',
  findTool: (n) => `/usr/bin/${n}`,
  installed: null,
  inGroup: () => false,
  problemsOf: () => [],
  exists: () => true,
};
const plan = (over: Partial<ElevationInput>) => planLaunch({ ...base, ...over });
const error = (over: Partial<ElevationInput>) => {
  try {
    plan(over);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('planLaunch did not refuse');
};

describe('planLaunch with the installed helper', () => {
  it('a member of the group rule: sudo -n with no arguments at all (the rule allows exactly HELPER "")', () => {
    const p = plan({ installed: installed(), inGroup: (g) => g === 'wireshark' });
    expect(p).toMatchObject({ mode: 'sudo', helper: 'installed', argv: ['/usr/bin/sudo', '-n', '--', HELPER_PATH] });
    // Even with a terminal: a member never needs the prompt.
    expect(plan({ installed: installed(), inGroup: () => true, interactive: true }).argv).toEqual(['/usr/bin/sudo', '-n', '--', HELPER_PATH]);
  });
  it('on a desktop, not a member: pkexec of the helper itself (the polkit action names exactly it)', () => {
    expect(plan({ installed: installed(), env: { DISPLAY: ':0' } })).toMatchObject({ mode: 'pkexec', argv: ['/usr/bin/pkexec', HELPER_PATH] });
    expect(plan({ installed: installed({ group: null }), env: { WAYLAND_DISPLAY: 'wayland-0' } }).argv).toEqual(['/usr/bin/pkexec', HELPER_PATH]);
  });
  it('in a terminal, not a member: sudo may ask for a password; without one, sudo -n (refused, with the fix)', () => {
    expect(plan({ installed: installed(), interactive: true }).argv).toEqual(['/usr/bin/sudo', '--', HELPER_PATH]);
    expect(plan({ installed: installed() }).argv).toEqual(['/usr/bin/sudo', '-n', '--', HELPER_PATH]);
  });
  it('never an interpreter or the checkout\'s file, and no environment but a fixed PATH and locale', () => {
    for (const p of [plan({ installed: installed(), inGroup: () => true }), plan({ installed: installed(), env: { DISPLAY: ':0', NODE_OPTIONS: '--require /tmp/x' } })]) {
      expect(p.argv).not.toContain('/usr/bin/node');
      expect(p.argv).not.toContain(base.helperPath);
      expect(Object.keys(p.env).sort()).toEqual(['LANG', 'MALLOC_MMAP_THRESHOLD_', 'PATH']);
    }
  });
  it('an installed helper others could change is refused before anything runs, naming the path', () => {
    const e = error({ installed: installed({ problems: ['/usr/lib/vethscope is writable by its group (gid 50)'] }), inGroup: () => true });
    expect(e.code).toBe('HELPER_UNAVAILABLE');
    expect(e.message).toContain('/usr/lib/vethscope is writable by its group');
    expect(e.message).toContain('install-helper');
  });
});

describe('planLaunch without an installed helper (a development checkout)', () => {
  it('a terminal: sudo -k (asks every time, whatever was cached), root\'s node, --dev-checkout', () => {
    expect(plan({ interactive: true })).toMatchObject({ mode: 'sudo', helper: 'checkout', argv: ['/usr/bin/sudo', '-k', '--', '/usr/bin/node', base.helperPath, '--dev-checkout'] });
  });
  it('a desktop: pkexec with polkit\'s admin prompt (no action matches node, so it always asks)', () => {
    expect(plan({ env: { DISPLAY: ':0' } }).argv).toEqual(['/usr/bin/pkexec', '/usr/bin/node', base.helperPath, '--dev-checkout']);
  });
  it('no terminal and no desktop: refused, with the one command that installs the helper; never sudo -n', () => {
    const e = error({});
    expect(e.code).toBe('HELPER_UNAVAILABLE');
    expect(e.message).toContain('run: sudo npx vethscope install-helper --group wireshark');
    expect(error({ elevation: 'sudo' }).message).toContain('install-helper');
  });
  it('the packaged app (AppImage, app.asar) finds the installed helper, or names the one command, never its own copy', () => {
    const appimage = { APPIMAGE: '/home/ana/vethscope.AppImage', DISPLAY: ':0' };
    expect(plan({ env: appimage, installed: installed() }).argv).toEqual(['/usr/bin/pkexec', HELPER_PATH]);
    const e = error({ env: appimage, interactive: true });
    expect(e.code).toBe('HELPER_UNAVAILABLE');
    expect(e.message).toMatch(/not installed; run: sudo apt install \.\/vethscope_\d+\.\d+\.\d+.*_all\.deb/);
    expect(error({ env: { DISPLAY: ':0' }, helperPath: '/opt/vethscope/resources/app.asar/dist/helper.cjs' }).message).toMatch(/not installed/);
  });
  it('a node only root can change: ours when it is, else the system\'s, else refused', () => {
    const mine = '/home/ana/.nvm/node';
    const p = plan({ interactive: true, nodePath: mine, problemsOf: (x) => (x === mine ? ['/home/ana is owned by uid 1000, not root'] : []) });
    expect(p.argv.slice(3, 4)).toEqual(['/usr/bin/node']);
    const e = error({ interactive: true, nodePath: mine, problemsOf: () => ['/x is owned by uid 1000, not root'] });
    expect(e.message).toMatch(/no root-owned node/);
  });
  it('not built: says so', () => {
    expect(error({ interactive: true, exists: () => false }).message).toMatch(/helper not built/);
  });
});

describe('planLaunch as root', () => {
  it('runs the helper beside this code directly, for the person sudo ran us for, passed as --user (no SUDO_UID: no trust check)', () => {
    const p = plan({ uid: 0, gid: 0, env: { SUDO_UID: '1000', SUDO_GID: '1001' }, installed: installed() });
    expect(p.argv).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'TERM', '--', '/usr/bin/node', '--no-memory-reducer', base.helperPath, '--user', '1000:1001']);
    expect(p.env.SUDO_UID).toBeUndefined();
    expect(plan({ uid: 0, gid: 0 }).argv.slice(-2)).toEqual(['--user', '0:0']);
    expect(plan({ uid: 0, gid: 0, env: { SUDO_UID: '1; id' } }).argv.slice(-1)).toEqual(['0:0']);
  });
});

describe('the shipped polkit policy matches what pkexec is given', () => {
  it('build/org.vethscope.helper.policy names exactly the program planLaunch hands to pkexec, with no argv1', () => {
    const policy = readFileSync(resolve(ROOT, 'build/org.vethscope.helper.policy'), 'utf8');
    const exec = [...policy.matchAll(/<annotate key="org\.freedesktop\.policykit\.exec\.(\w+)">([^<]*)<\/annotate>/g)].map((m) => [m[1], m[2]]);
    const pkexec = plan({ installed: installed(), env: { DISPLAY: ':0' } }).argv;
    expect(exec).toEqual([['path', pkexec[1]]]);
    expect(pkexec).toHaveLength(2);
  });
});

describe('classifyLaunchFailure', () => {
  it('the helper\'s own refusal (exit 78) is HELPER_UNAVAILABLE with its words', () => {
    const e = classifyLaunchFailure('sudo', HELPER_EXIT_UNTRUSTED, 'vethscope-helper: refusing to run as root: /x is owned by uid 1000, not root; install it\n', null, {});
    expect(e.code).toBe('HELPER_UNAVAILABLE');
    expect(e.message).toBe('the helper refused to run: refusing to run as root: /x is owned by uid 1000, not root; install it');
  });
  it('sudo refusing: the fix depends on what is installed', () => {
    expect(classifyLaunchFailure('sudo', 1, 'sudo: a password is required\n', null, {}).message).toMatch(/password is required; run: sudo npx vethscope install-helper/);
    const m = classifyLaunchFailure('sudo', 1, 'sudo: a password is required\n', installed(), { USER: 'ana' });
    expect(m.code).toBe('HELPER_REFUSED');
    expect(m.message).toContain('sudo adduser ana wireshark (then log in again)');
  });
  it('pkexec: a cancelled prompt is a refusal, a missing polkit is not', () => {
    expect(classifyLaunchFailure('pkexec', 126, '', installed(), {}).code).toBe('HELPER_REFUSED');
    expect(classifyLaunchFailure('pkexec', 127, 'Error getting authority: Could not connect', null, {}).code).toBe('HELPER_UNAVAILABLE');
  });
});
