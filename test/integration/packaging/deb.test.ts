// The Debian package end to end on this machine: built with the project's own command
// (npm run deb), installed with apt, used by normal users through the group rule (sudo)
// and through pkexec (a system D-Bus and polkitd this test starts, with a polkit rule for
// one test user), attacked (the helper's folder made group-writable), and purged,
// leaving nothing behind. Restores what it changes: users, the rule, daemons, the package.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoElseCanChange } from '../../../electron/kernel/file-trust';
import { DEB_GROUP, DEB_POLKIT_RULE_PATH, HELPER_PATH, LIB_DIR, systemLayout } from '../../../electron/install/layout';
import { DOCKER_HOST, ipOf, isRoot, removeSuiteContainers, runContainer } from '../../support/env';
import { waitFor } from '../../support/poll';
import { tsharkFrames } from '../../support/tshark';
import { ensureTestUser, type TestUser } from '../../support/users';
import { pingAsync } from '../capture/harness';

const ROOT = resolve(__dirname, '../../..');
const SUITE = 'vsd-deb';
const HELLO = '{"id":1,"op":"hello","params":{}}\n';
const PK_RULE = '/etc/polkit-1/rules.d/00-vethscope-deb-test.rules';
const BUS_SOCKET = '/run/dbus/system_bus_socket';
const POLKITD = '/usr/lib/polkit-1/polkitd';

const has = (t: string) => spawnSync('which', [t]).status === 0;
function whyNot(): string | null {
  if (!isRoot) return 'needs root (apt, users, daemons)';
  for (const t of ['dpkg-deb', 'apt-get', 'sudo', 'setpriv', 'useradd', 'tshark', 'dbus-daemon', 'pkexec']) if (!has(t)) return `${t} is not installed`;
  if (!existsSync(POLKITD)) return `${POLKITD} is missing (apt install polkitd)`;
  if (spawnSync('dpkg-query', ['-W', 'vethscope']).status === 0) return 'the vethscope package is installed already: this test installs and purges its own';
  if (existsSync(LIB_DIR)) return `${LIB_DIR} exists (install-helper?): remove it first (vethscope install-helper --remove)`;
  if (existsSync(BUS_SOCKET) && spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId']).status === 0) return `a system D-Bus is running (${BUS_SOCKET}): this test starts its own`;
  return null;
}
const skip = whyNot();
if (skip) console.log(`[deb] skipped: ${skip}`);

const sh = (cmd: string, args: string[], opts: { cwd?: string } = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};

/** argv as `user`: real and effective ids, its groups, a clean environment with `env` added. */
function asUser(u: TestUser, argv: string[], env: Record<string, string> = {}): string[] {
  const vars = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: `/home/${u.name}`, USER: u.name, LOGNAME: u.name, ...env };
  return ['setpriv', '--reuid', u.name, '--regid', u.name, '--init-groups', '--', '/usr/bin/env', '-i', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), ...argv];
}
function runAs(u: TestUser, argv: string[], env: Record<string, string> = {}, input = '') {
  const [cmd, ...args] = asUser(u, argv, env);
  return spawnSync(cmd!, args, { encoding: 'utf8', input, timeout: 60_000, cwd: '/tmp' });
}
function runAsAsync(u: TestUser, argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const [cmd, ...args] = asUser(u, argv, env);
  return new Promise((res) => {
    const child = spawn(cmd!, args, { cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => res({ code, out, err }));
  });
}

/** A system bus of our own: the system configuration without service activation (nothing starts behind our back). */
function busConfig(): string {
  return readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<fork\/>|<standard_system_servicedirs\/>|<servicehelper>[^<]*<\/servicehelper>|<pidfile>[^<]*<\/pidfile>|<syslog\/>/g, '')
    .replace('<includedir>system.d</includedir>', '<includedir>/usr/share/dbus-1/system.d</includedir>')
    .replace(/<include if_selinux_enabled[^>]*>[^<]*<\/include>/, '');
}

describe.skipIf(skip !== null)('the vethscope Debian package', () => {
  let work: string;
  let deb: string;
  let member: TestUser; // in the package's group: sudo -n through the group rule
  let pkUser: TestUser; // not in it: pkexec, allowed by a polkit rule this test adds
  let nobody: TestUser; // neither
  let groupExisted = false;
  let dbus: ChildProcess | null = null;
  let polkitd: ChildProcess | null = null;
  let createdRunDbus = false;

  beforeAll(() => {
    groupExisted = spawnSync('getent', ['group', DEB_GROUP]).status === 0;
    work = mkdtempSync('/tmp/vsd-deb-');
    chmodSync(work, 0o755);
    const built = sh(process.execPath, [join(ROOT, 'scripts/build-deb.mjs'), '--out', work], { cwd: ROOT });
    deb = built.trim().split('\n').pop()!;
    expect(deb).toBe(join(work, `vethscope_${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}_all.deb`));
    // Recommends (polkitd, pkexec, sudo) are installed here already; no network needed.
    sh('apt-get', ['install', '-y', '--no-install-recommends', deb], { cwd: work });
    member = ensureTestUser('vsd-member');
    pkUser = ensureTestUser('vsd-pk');
    nobody = ensureTestUser('vsd-none');
    sh('usermod', ['-aG', DEB_GROUP, member.name]);
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsd-a');
    runContainer(SUITE, 'vsd-b');
  }, 300_000);

  afterAll(() => {
    polkitd?.kill('SIGTERM');
    dbus?.kill('SIGTERM');
    if (createdRunDbus) rmSync(BUS_SOCKET, { force: true });
    rmSync(PK_RULE, { force: true });
    if (existsSync(LIB_DIR)) chmodSync(LIB_DIR, 0o755);
    if (spawnSync('dpkg-query', ['-W', 'vethscope']).status === 0) spawnSync('apt-get', ['purge', '-y', 'vethscope'], { encoding: 'utf8' });
    for (const u of [member, pkUser, nobody]) u?.remove();
    if (!groupExisted && spawnSync('getent', ['group', DEB_GROUP]).status === 0) spawnSync('groupdel', [DEB_GROUP]);
    removeSuiteContainers(SUITE);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs the helper at its fixed path, only root can change it, with its rules', () => {
    const files = sh('dpkg', ['-L', 'vethscope']).split('\n');
    for (const f of [HELPER_PATH, systemLayout.polkitActionPath, DEB_POLKIT_RULE_PATH, '/usr/bin/vethscope', '/usr/share/man/man1/vethscope.1.gz', `${LIB_DIR}/dist/cli.cjs`, `${LIB_DIR}/dist/renderer/index.html`]) expect(files, f).toContain(f);
    expect(readFileSync(HELPER_PATH, 'utf8').split('\n')[0]).toBe('#!/usr/bin/node --no-memory-reducer');
    expect(whoElseCanChange(HELPER_PATH)).toEqual([]);
    const rule = statSync(systemLayout.sudoersPath);
    expect({ uid: rule.uid, mode: rule.mode & 0o777 }).toEqual({ uid: 0, mode: 0o440 });
    expect(readFileSync(systemLayout.sudoersPath, 'utf8')).toContain(`%${DEB_GROUP} ALL=(root) NOPASSWD: ${HELPER_PATH} ""`);
    expect(spawnSync('visudo', ['-c']).status).toBe(0);
    expect(spawnSync('getent', ['group', DEB_GROUP]).status).toBe(0);
    expect(sh('/usr/bin/vethscope', ['help'])).toContain('install-helper');
  });

  it('a member: doctor shows sudo -n of the installed helper, safe, in the group', () => {
    const r = runAs(member, ['/usr/bin/vethscope', 'doctor', '--json'], { DOCKER_HOST });
    const d = JSON.parse(r.stdout);
    expect(d.helper).toMatchObject({ installed: true, trusted: true, installedBy: 'debian-package', group: DEB_GROUP, inGroup: true, argv: ['/usr/bin/sudo', '-n', '--', HELPER_PATH], problems: [] });
  });

  it('a member (not in the docker group): topology --json lists the containers through the helper', () => {
    const r = runAs(member, ['/usr/bin/vethscope', 'topology', '--json'], { DOCKER_HOST });
    expect(r.status, r.stderr).toBe(0);
    const topo = JSON.parse(r.stdout);
    expect(topo.warnings.join('\n')).toMatch(/through the privileged helper/);
    const a = topo.containers.find((c: { name: string }) => c.name === 'vsd-a');
    expect(a?.interfaces.find((i: { name: string }) => i.name === 'eth0')?.hostPeer).toMatch(/^veth/);
  });

  it('a member: a short capture of a project container, the file theirs, tshark reads every packet', async () => {
    const traffic = pingAsync('vsd-b', ipOf('vsd-a'), 40, '0.1');
    const r = await runAsAsync(member, ['/usr/bin/vethscope', 'capture', 'vsd-a', '--count', '6'], { DOCKER_HOST });
    await traffic;
    expect(r.code, r.err).toBe(0);
    const file = r.out.trim().split('\n').pop()!;
    expect(file.startsWith(`/home/${member.name}/vethscope-captures/`)).toBe(true);
    const st = statSync(file);
    expect([st.uid, st.gid]).toEqual([member.uid, member.gid]);
    expect(tsharkFrames(file)).toHaveLength(6);
  }, 90_000);

  it('not a member: sudo -n refuses, and no argument gets past the rule for a member either', () => {
    const refused = runAs(nobody, ['/usr/bin/sudo', '-n', '--', HELPER_PATH], {}, HELLO);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/password is required/);
    const withArgs = runAs(member, ['/usr/bin/sudo', '-n', '--', HELPER_PATH, '--user', '0:0'], {}, HELLO);
    expect(withArgs.status).toBe(1);
    expect(withArgs.stdout).toBe('');
  });

  it('attack: the installed helper\'s folder made group-writable, the helper refuses (exit 78) and doctor names the fix', () => {
    chmodSync(LIB_DIR, 0o775);
    try {
      const r = runAs(member, ['/usr/bin/sudo', '-n', '--', HELPER_PATH], {}, HELLO);
      expect(r.stdout).toBe('');
      expect(r.status, r.stderr).toBe(78);
      expect(r.stderr).toContain(`${LIB_DIR} is writable by its group`);
      const d = JSON.parse(runAs(member, ['/usr/bin/vethscope', 'doctor', '--json']).stdout);
      expect(d.helper.trusted).toBe(false);
      expect(d.problems.map((p: { fix: string }) => p.fix)).toContain(`sudo chmod go-w ${LIB_DIR}`);
    } finally {
      chmodSync(LIB_DIR, 0o755);
    }
  });

  describe('through pkexec, with a system D-Bus and polkitd started here', () => {
    beforeAll(async () => {
      createdRunDbus = true;
      rmSync(BUS_SOCKET, { force: true }); // a dead bus's socket (checked above: nothing answers on it)
      const conf = join(work, 'system-bus.conf');
      writeFileSync(conf, busConfig());
      dbus = spawn('dbus-daemon', [`--config-file=${conf}`, '--nofork', '--nopidfile'], { stdio: 'ignore' });
      await waitFor('the system bus socket', () => existsSync(BUS_SOCKET), 10_000, 50);
      // The polkit rule for one test user, before polkitd loads the rules.
      writeFileSync(PK_RULE, `// vethscope deb.test.ts; removed by the test\npolkit.addRule(function (action, subject) {\n  if (action.id === "org.vethscope.helper" && subject.user === "${pkUser.name}") return polkit.Result.YES;\n});\n`, { mode: 0o644 });
      polkitd = spawn(POLKITD, ['--no-debug'], { stdio: 'ignore' });
      await waitFor('polkitd on the bus', () => spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.PolicyKit1'], { encoding: 'utf8' }).stdout.includes('boolean true'), 15_000, 100);
    }, 60_000);

    afterAll(async () => {
      const bus = dbus;
      const pk = polkitd;
      polkitd = null;
      dbus = null;
      pk?.kill('SIGTERM');
      bus?.kill('SIGTERM');
      for (const c of [pk, bus]) if (c && c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
      rmSync(BUS_SOCKET, { force: true });
      rmSync(PK_RULE, { force: true });
    });

    it('the user the rule allows: pkexec runs the installed helper, which knows who asked (PKEXEC_UID)', () => {
      const r = runAs(pkUser, ['/usr/bin/pkexec', HELPER_PATH], {}, HELLO);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ id: 1, ok: true, result: { uid: 0, invokingUid: pkUser.uid } });
    });

    it('a member of the package\'s group: its polkit rule says yes too', () => {
      const r = runAs(member, ['/usr/bin/pkexec', HELPER_PATH], {}, HELLO);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ ok: true, result: { invokingUid: member.uid } });
    });

    it('anyone else: polkit wants an administrator (no agent here), the helper never runs', () => {
      const r = runAs(nobody, ['/usr/bin/pkexec', HELPER_PATH], {}, HELLO);
      expect(r.stdout).toBe('');
      expect([126, 127]).toContain(r.status);
    });

    it('on a desktop, doctor plans pkexec of the helper, and a capture through it is the user\'s file', async () => {
      const desktop = { DOCKER_HOST, DISPLAY: ':99' };
      const d = JSON.parse(runAs(pkUser, ['/usr/bin/vethscope', 'doctor', '--json'], desktop).stdout);
      expect(d.helper).toMatchObject({ installed: true, trusted: true, inGroup: false, mode: 'pkexec', argv: ['/usr/bin/pkexec', HELPER_PATH] });
      const traffic = pingAsync('vsd-b', ipOf('vsd-a'), 40, '0.1');
      const r = await runAsAsync(pkUser, ['/usr/bin/vethscope', 'capture', 'vsd-a', '--count', '4'], desktop);
      await traffic;
      expect(r.code, r.err).toBe(0);
      const file = r.out.trim().split('\n').pop()!;
      const st = statSync(file);
      expect([st.uid, st.gid]).toEqual([pkUser.uid, pkUser.gid]);
      expect(tsharkFrames(file)).toHaveLength(4);
    }, 90_000);
  });

  it('apt-get purge leaves nothing behind: files, the sudoers rule, the polkit rule, the group it created', () => {
    sh('apt-get', ['purge', '-y', 'vethscope']);
    expect(spawnSync('dpkg', ['-L', 'vethscope']).status).not.toBe(0);
    for (const p of [LIB_DIR, systemLayout.sudoersPath, systemLayout.polkitActionPath, DEB_POLKIT_RULE_PATH, '/usr/bin/vethscope', '/var/lib/vethscope', '/usr/share/man/man1/vethscope.1.gz', '/usr/share/doc/vethscope']) expect(existsSync(p), p).toBe(false);
    expect(readdirSync('/etc/sudoers.d').filter((f) => f.includes('vethscope'))).toEqual([]);
    expect(spawnSync('getent', ['group', DEB_GROUP]).status !== 0 || groupExisted).toBe(true);
    expect(spawnSync('visudo', ['-c']).status).toBe(0);
  }, 120_000);
});
