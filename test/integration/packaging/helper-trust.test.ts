// The privileged helper refuses to run elevated from a file someone other than root
// could change (issue 10, "a helper only root can change"). A sudoers rule naming a
// helper in a user's checkout let that user replace dist/helper.cjs and run anything
// as root; the helper cannot stop a rule from existing, but it refuses to be the
// program such a rule runs, so no such setup ever works (and nobody keeps one).
// Each case: a real NOPASSWD test rule, a real user (vsp-trust), real sudo.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const USER = 'vsp-trust';
const OTHER = 'vsp-trust2';
const DROPIN = '/etc/sudoers.d/vethscope-trust-test';
const HELLO = '{"id":1,"op":"hello","params":{}}\n';
/** The helper's exit status when it refuses to run from an untrusted file. */
const UNTRUSTED_EXIT = 78;

const has = (t: string) => spawnSync('which', [t]).status === 0;
function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (useradd, /etc/sudoers.d)';
  for (const t of ['sudo', 'visudo', 'setpriv', 'useradd', 'userdel']) if (!has(t)) return `${t} is not installed`;
  if (!(statSync('/usr/bin/sudo').mode & 0o4000)) return '/usr/bin/sudo is not setuid';
  return null;
}
const skip = whyNot();
if (skip) console.log(`[helper-trust] skipped: ${skip}`);

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/tmp' };
/** Run argv as `user` (real and effective ids, its groups), hello on stdin, bounded in time. */
const asUser = (user: string, argv: string[]) =>
  spawnSync('setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--', ...argv], { encoding: 'utf8', input: HELLO, timeout: 20_000, env, cwd: '/tmp' });

describe.skipIf(skip !== null)('the helper refuses to run elevated from a file only root should be able to change', () => {
  let work: string;
  let uid: number;
  let gid: number;
  const node = realpathSync('/usr/bin/node');
  const p = (...parts: string[]) => join(work, ...parts);
  const created: string[] = [];

  beforeAll(() => {
    for (const u of [USER, OTHER]) {
      if (spawnSync('id', ['-u', u]).status !== 0) {
        sh('useradd', ['-M', '-s', '/usr/sbin/nologin', u]);
        created.push(u);
      }
    }
    uid = Number(sh('id', ['-u', USER]));
    gid = Number(sh('id', ['-g', USER]));
    const otherUid = Number(sh('id', ['-u', OTHER]));
    work = mkdtempSync('/tmp/vsp-trust-');
    chmodSync(work, 0o755);
    const bundle = p('built.cjs');
    buildSync({ entryPoints: [resolve(ROOT, 'electron/root-helper/main.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error' });
    const place = (dir: string, owner: number, group: number, dirMode: number, fileMode = 0o644) => {
      mkdirSync(p(dir), { recursive: true });
      chownSync(p(dir), owner, group);
      chmodSync(p(dir), dirMode);
      copyFileSync(bundle, p(dir, 'helper.cjs'));
      chownSync(p(dir, 'helper.cjs'), owner, group);
      chmodSync(p(dir, 'helper.cjs'), fileMode);
    };
    place('rootonly', 0, 0, 0o755); // the control: root's file in root's folders
    place('checkout', uid, gid, 0o755); // a user's checkout (the old sudoers.example)
    place('other-checkout', otherUid, otherUid, 0o755); // somebody else's checkout
    place('groupdir', 0, gid, 0o775); // root's file in a folder the user's group may write
    place('groupfile', 0, gid, 0o755, 0o664); // root's file the user's group may write
    // A user's own copy of node (an nvm install, say) running root's helper.
    mkdirSync(p('usernode'));
    chownSync(p('usernode'), uid, gid);
    copyFileSync(node, p('usernode', 'node'));
    chownSync(p('usernode', 'node'), uid, gid);
    chmodSync(p('usernode', 'node'), 0o755);

    const rules = [
      `${node} ${p('rootonly', 'helper.cjs')}`,
      `${node} ${p('checkout', 'helper.cjs')}`,
      `${node} ${p('checkout', 'helper.cjs')} --dev-checkout`,
      `${node} ${p('other-checkout', 'helper.cjs')} --dev-checkout`,
      `${node} ${p('groupdir', 'helper.cjs')}`,
      `${node} ${p('groupfile', 'helper.cjs')}`,
      `${p('usernode', 'node')} ${p('rootonly', 'helper.cjs')}`,
    ];
    const candidate = p('sudoers');
    writeFileSync(candidate, `# vethscope helper-trust.test.ts; removed by the test\n${rules.map((r) => `${USER} ALL=(root) NOPASSWD: ${r}`).join('\n')}\n`, { mode: 0o440 });
    sh('visudo', ['-cf', candidate]);
    copyFileSync(candidate, DROPIN);
    chmodSync(DROPIN, 0o440);
  }, 120_000);

  afterAll(() => {
    rmSync(DROPIN, { force: true });
    if (work) rmSync(work, { recursive: true, force: true });
    for (const u of created) spawnSync('userdel', [u]);
  });

  const sudo = (...argv: string[]) => asUser(USER, ['/usr/bin/sudo', '-n', '--', ...argv]);

  function expectRefused(r: ReturnType<typeof asUser>, offending: string) {
    expect(r.stdout, 'the helper answered hello as root').toBe('');
    expect(r.status, r.stderr).toBe(UNTRUSTED_EXIT);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('refusing to run as root');
    expect(lines[0]).toContain(offending);
    expect(lines[0]).toContain('install-helper');
  }

  it('control: root\'s file in root\'s folders runs and answers as root for the user', () => {
    const r = sudo(node, p('rootonly', 'helper.cjs'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ id: 1, ok: true, result: { uid: 0, invokingUid: uid } });
  });

  it('a helper in the user\'s own checkout (the old sudoers.example rule) is refused', () => {
    expectRefused(sudo(node, p('checkout', 'helper.cjs')), p('checkout'));
  });

  it('a folder above the helper that a group may write is refused', () => {
    expectRefused(sudo(node, p('groupdir', 'helper.cjs')), p('groupdir'));
  });

  it('a helper file that a group may write is refused', () => {
    expectRefused(sudo(node, p('groupfile', 'helper.cjs')), p('groupfile', 'helper.cjs'));
  });

  it('an interpreter the user owns is refused, even running root\'s helper', () => {
    expectRefused(sudo(p('usernode', 'node'), p('rootonly', 'helper.cjs')), p('usernode'));
  });

  it('--dev-checkout tolerates a checkout owned by the person sudo ran it for, and nobody else\'s', () => {
    const mine = sudo(node, p('checkout', 'helper.cjs'), '--dev-checkout');
    expect(mine.status, mine.stderr).toBe(0);
    expect(JSON.parse(mine.stdout.split('\n')[0]!)).toMatchObject({ ok: true, result: { uid: 0, invokingUid: uid } });
    expectRefused(sudo(node, p('other-checkout', 'helper.cjs'), '--dev-checkout'), p('other-checkout'));
  });

  it('started by root directly (no sudo or pkexec in between), the file is root\'s choice', () => {
    const r = spawnSync(node, [p('checkout', 'helper.cjs'), '--user', `${uid}:${gid}`], { encoding: 'utf8', input: HELLO, timeout: 20_000, env });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ ok: true, result: { uid: 0, invokingUid: uid } });
  });
});
