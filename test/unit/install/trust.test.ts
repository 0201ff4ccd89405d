// The helper's check on itself (electron/root-helper/trust.ts) and the walk under it
// (electron/kernel/file-trust.ts), with a fake file system: which owners and modes
// let someone other than root change the program sudo or pkexec runs as root.
import { describe, expect, it } from 'vitest';
import { whoElseCanChange, type TrustFs, type TrustStat } from '../../../electron/kernel/file-trust';
import { trustRefusal, type TrustContext } from '../../../electron/root-helper/trust';

type Entry = { uid?: number; gid?: number; mode: number; dir?: boolean; socket?: boolean };
function fakeFs(entries: Record<string, Entry>, links: Record<string, string> = {}): TrustFs {
  return {
    realpath: (p) => {
      const target = links[p] ?? p;
      if (!(target in entries)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return target;
    },
    lstat: (p): TrustStat => {
      const e = entries[p];
      if (!e) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return { uid: e.uid ?? 0, gid: e.gid ?? 0, mode: e.mode, isFile: () => !e.dir && !e.socket, isDirectory: () => Boolean(e.dir), isSocket: () => Boolean(e.socket) };
    },
  };
}
const dir = (mode: number, uid = 0, gid = 0): Entry => ({ mode, uid, gid, dir: true });
const file = (mode: number, uid = 0, gid = 0): Entry => ({ mode, uid, gid });

const system = {
  '/': dir(0o755),
  '/usr': dir(0o755),
  '/usr/bin': dir(0o755),
  '/usr/bin/node': file(0o755),
  '/usr/lib': dir(0o755),
  '/usr/lib/vethscope': dir(0o755),
  '/usr/lib/vethscope/vethscope-helper': file(0o755),
  '/tmp': dir(0o1777),
  '/tmp/root-dir': dir(0o755),
  '/tmp/root-dir/helper.cjs': file(0o644),
  '/tmp/user-file': file(0o644, 1000, 1000),
  '/home': dir(0o755),
  '/home/ana': dir(0o750, 1000, 1000),
  '/home/ana/src': dir(0o755, 1000, 1000),
  '/home/ana/src/helper.cjs': file(0o644, 1000, 1000),
  '/home/ana/src/group-writable.cjs': file(0o664, 1000, 1000),
  '/home/bo': dir(0o755, 1001, 1001),
  '/home/bo/helper.cjs': file(0o644, 1001, 1001),
};

describe('whoElseCanChange', () => {
  const fs = fakeFs(
    {
      ...system,
      '/usr/lib/vethscope': dir(0o775, 0, 50),
      '/opt': dir(0o757),
      '/opt/x': file(0o755),
      '/usr/lib/vethscope/dir': dir(0o755),
    },
    { '/usr/local/bin/vethscope-helper': '/usr/lib/vethscope/vethscope-helper' },
  );
  it('root-owned, not group/other writable, all the way up: nothing to report', () => {
    expect(whoElseCanChange('/usr/bin/node', {}, fs)).toEqual([]);
  });
  it('a folder its group may write is reported (an ACL granting write shows in the mask, i.e. these bits)', () => {
    expect(whoElseCanChange('/usr/lib/vethscope/vethscope-helper', {}, fs)).toEqual([{ path: '/usr/lib/vethscope', why: 'is writable by its group (gid 50)' }]);
  });
  it('follows symlinks and judges the real file and its real folders', () => {
    expect(whoElseCanChange('/usr/local/bin/vethscope-helper', {}, fs).map((p) => p.path)).toEqual(['/usr/lib/vethscope']);
  });
  it('a folder writable by everyone, not sticky, is reported', () => {
    expect(whoElseCanChange('/opt/x', {}, fs)).toEqual([{ path: '/opt', why: 'is writable by everyone' }]);
  });
  it('root\'s sticky /tmp is fine above a root-owned folder, not above a user\'s file', () => {
    expect(whoElseCanChange('/tmp/root-dir/helper.cjs', {}, fs)).toEqual([]);
    expect(whoElseCanChange('/tmp/user-file', {}, fs)).toEqual([{ path: '/tmp/user-file', why: 'is owned by uid 1000, not root' }]);
  });
  it('reports from the top down, every offending component', () => {
    expect(whoElseCanChange('/home/ana/src/helper.cjs', {}, fs).map((p) => p.path)).toEqual(['/home/ana', '/home/ana/src', '/home/ana/src/helper.cjs']);
  });
  it('alsoOwner tolerates that one uid as owner, never write access for a group', () => {
    expect(whoElseCanChange('/home/ana/src/helper.cjs', { alsoOwner: 1000 }, fs)).toEqual([]);
    expect(whoElseCanChange('/home/ana/src/group-writable.cjs', { alsoOwner: 1000 }, fs)).toEqual([{ path: '/home/ana/src/group-writable.cjs', why: 'is writable by its group (gid 1000)' }]);
    expect(whoElseCanChange('/home/bo/helper.cjs', { alsoOwner: 1000 }, fs).map((p) => p.why)).toEqual(['is owned by uid 1001, not root', 'is owned by uid 1001, not root']);
  });
  it('a socket: its write bit is connect permission, so only its owner and folders count', () => {
    const sfs = fakeFs({ ...system, '/run': dir(0o755), '/run/docker.sock': { mode: 0o660, gid: 107, socket: true }, '/tmp/root-dir/x.sock': { mode: 0o777, uid: 1000, socket: true } });
    expect(whoElseCanChange('/run/docker.sock', { kind: 'socket' }, sfs)).toEqual([]);
    expect(whoElseCanChange('/tmp/root-dir/x.sock', { kind: 'socket' }, sfs)).toEqual([{ path: '/tmp/root-dir/x.sock', why: 'is owned by uid 1000, not root' }]);
    expect(whoElseCanChange('/tmp/root-dir/helper.cjs', { kind: 'socket' }, sfs)).toEqual([{ path: '/tmp/root-dir/helper.cjs', why: 'is not a socket' }]);
  });
  it('a folder where a file should be, or a missing file, is a problem, not a pass', () => {
    expect(whoElseCanChange('/usr/lib/vethscope/dir', {}, fs)).toEqual([
      { path: '/usr/lib/vethscope', why: 'is writable by its group (gid 50)' },
      { path: '/usr/lib/vethscope/dir', why: 'is not a regular file' },
    ]);
    expect(whoElseCanChange('/nope', {}, fs)).toEqual([{ path: '/nope', why: 'cannot be resolved (ENOENT)' }]);
  });
});

describe('trustRefusal', () => {
  const fs = fakeFs(system);
  const base: TrustContext = { euid: 0, env: { SUDO_UID: '1000', SUDO_GID: '1000' }, argv: [], scripts: ['/usr/lib/vethscope/vethscope-helper'], execPath: '/usr/bin/node', fs };

  it('the installed layout passes through sudo and pkexec', () => {
    expect(trustRefusal(base)).toBeNull();
    expect(trustRefusal({ ...base, env: { PKEXEC_UID: '1000' } })).toBeNull();
  });
  it('a checkout\'s helper through sudo is refused with the path and the command that fixes it', () => {
    const why = trustRefusal({ ...base, scripts: ['/home/ana/src/helper.cjs'] });
    expect(why).toMatch(/^\/home\/ana is owned by uid 1000, not root \(checking \/home\/ana\/src\/helper\.cjs\)/);
    expect(why).toContain('sudo npx vethscope install-helper');
  });
  it('every script is checked: the one on the command line and the bundle that runs', () => {
    expect(trustRefusal({ ...base, scripts: ['/usr/lib/vethscope/vethscope-helper', '/tmp/user-file'] })).toMatch(/^\/tmp\/user-file is owned by uid 1000/);
  });
  it('the interpreter is checked too, and --dev-checkout never relaxes it', () => {
    const fs2 = fakeFs({ ...system, '/home/ana/node': file(0o755, 1000, 1000) });
    const why = trustRefusal({ ...base, fs: fs2, execPath: '/home/ana/node', argv: ['--dev-checkout'] });
    expect(why).toMatch(/^\/home\/ana is owned by uid 1000, not root \(checking its interpreter \/home\/ana\/node\)/);
  });
  it('--dev-checkout: the invoking user\'s own checkout passes, another user\'s does not', () => {
    expect(trustRefusal({ ...base, argv: ['--dev-checkout'], scripts: ['/home/ana/src/helper.cjs'] })).toBeNull();
    expect(trustRefusal({ ...base, env: { PKEXEC_UID: '1000', SUDO_UID: '1001' }, argv: ['--dev-checkout'], scripts: ['/home/ana/src/helper.cjs'] })).toBeNull();
    expect(trustRefusal({ ...base, env: { SUDO_UID: '1001' }, argv: ['--dev-checkout'], scripts: ['/home/ana/src/helper.cjs'] })).toMatch(/owned by uid 1000/);
    expect(trustRefusal({ ...base, argv: ['--dev-checkout'], scripts: ['/home/bo/helper.cjs'] })).toMatch(/^\/home\/bo is owned by uid 1001/);
  });
  it('a junk SUDO_UID still counts as elevated, and gives --dev-checkout no owner', () => {
    expect(trustRefusal({ ...base, env: { SUDO_UID: '1000; id' }, argv: ['--dev-checkout'], scripts: ['/home/ana/src/helper.cjs'] })).toMatch(/owned by uid 1000/);
  });
  it('SUDO_UID inherited by a root process tree (sudo npm test) is not sudo running the helper; SUDO_COMMAND naming it is', () => {
    const checkout = { ...base, scripts: ['/home/ana/src/helper.cjs'] };
    expect(trustRefusal({ ...checkout, env: { SUDO_UID: '1000', SUDO_COMMAND: '/usr/bin/npm test' } })).toBeNull();
    expect(trustRefusal({ ...checkout, env: { SUDO_UID: '1000', SUDO_COMMAND: '/usr/bin/node /home/ana/src/helper.cjs' } })).toMatch(/owned by uid 1000/);
    expect(trustRefusal({ ...checkout, env: { SUDO_UID: '1000', SUDO_COMMAND: '/home/ana/node /usr/lib/vethscope/vethscope-helper' }, execPath: '/home/ana/node', scripts: ['/usr/lib/vethscope/vethscope-helper'] })).toMatch(/its interpreter/);
  });
  it('not elevated (root started it directly) or not root: nothing to refuse', () => {
    expect(trustRefusal({ ...base, env: {}, scripts: ['/home/ana/src/helper.cjs'] })).toBeNull();
    expect(trustRefusal({ ...base, euid: 1000, scripts: ['/home/ana/src/helper.cjs'] })).toBeNull();
  });
});
