import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLaunchFailure, planLaunch } from '../../../electron/backend/helper-client/elevation';
import { resolveInvoker } from '../../../electron/root-helper/identity';
import { LineSplitter } from '../../../electron/formats/line-splitter';
import { Merger } from '../../../electron/backend/capture/writer/merger';

describe('LineSplitter', () => {
  it('splits across chunks and drops an over-long line without keeping it', () => {
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from('ab'))).toEqual([]);
    expect(s.push(Buffer.from('c\nde\n'))).toEqual([{ line: 'abc' }, { line: 'de' }]);
    expect(s.push(Buffer.from('x'.repeat(50)))).toEqual([]);
    expect(s.pending).toBe(50);
    expect(s.push(Buffer.from('yy\nok\n'))).toEqual([{ tooLong: 52 }, { line: 'ok' }]);
  });
});

describe('resolveInvoker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsh-pw-'));
  const pw = join(dir, 'passwd');
  writeFileSync(pw, 'root:x:0:0::/root:/bin/sh\nana:x:1234:777::/home/ana:/bin/sh\n');
  it('trusts what sudo and pkexec set over argv', () => {
    expect(resolveInvoker({ PKEXEC_UID: '1234' }, ['--user', '0:0'], pw)).toEqual({ uid: 1234, gid: 777, via: 'pkexec' });
    expect(resolveInvoker({ SUDO_UID: '5', SUDO_GID: '6' }, ['--user', '0:0'], pw)).toEqual({ uid: 5, gid: 6, via: 'sudo' });
    expect(resolveInvoker({}, ['--user', '9:8'], pw)).toEqual({ uid: 9, gid: 8, via: 'argv' });
    expect(resolveInvoker({}, [], pw)).toEqual({ uid: 0, gid: 0, via: 'root' });
    expect(resolveInvoker({ SUDO_UID: '1; id' }, [], pw).via).toBe('root');
  });
});

describe('elevation', () => {
  const base = { uid: 1000, gid: 1000, env: {}, interactive: false, nodePath: '/usr/bin/node', helperPath: '/opt/v/dist/helper.cjs', findTool: (n: string) => `/usr/bin/${n}` };
  // Unprivileged, only the installed root-owned helper runs through sudo -n or pkexec (test/unit/install/elevation.test.ts has the rest).
  it('plans argv arrays with absolute paths', () => {
    const installed = { path: '/usr/lib/vethscope/vethscope-helper', installedBy: 'install-helper' as const, version: '1', interpreter: '/usr/bin/node', group: null, problems: [], notes: [] };
    expect(planLaunch({ ...base, elevation: 'auto', installed }).argv).toEqual(['/usr/bin/sudo', '-n', '--', '/usr/lib/vethscope/vethscope-helper']);
    expect(planLaunch({ ...base, elevation: 'auto', installed, env: { DISPLAY: ':0' } }).argv).toEqual(['/usr/bin/pkexec', '/usr/lib/vethscope/vethscope-helper']);
    expect(planLaunch({ ...base, elevation: 'auto', uid: 0, exists: () => true }).argv.slice(0, 4)).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'TERM', '--']);
  });
  it('tells refusal from unavailability', () => {
    expect(classifyLaunchFailure('sudo', 1, 'sudo: a password is required\n').code).toBe('HELPER_REFUSED');
    expect(classifyLaunchFailure('pkexec', 126, '').code).toBe('HELPER_REFUSED');
    expect(classifyLaunchFailure('pkexec', 127, 'Error getting authority: Could not connect').code).toBe('HELPER_UNAVAILABLE');
  });
});

describe('Merger', () => {
  const rec = (tsSec: number, tsFrac: number) => ({ tsSec, tsFrac, capLen: 0, origLen: 0, data: Buffer.alloc(0) });
  it('waits for a quiet live interface only up to the hold time, then merges in order', () => {
    const m = new Merger(200);
    m.addInterface();
    m.addInterface();
    m.push(0, [rec(1, 5), rec(1, 9)], false, 1000);
    expect(m.take(1100)).toEqual([]);
    m.push(1, [rec(1, 7)], false, 1100);
    expect(m.take(1100).map((q) => q.rec.tsFrac)).toEqual([5, 7]);
    expect(m.take(1250).map((q) => q.rec.tsFrac)).toEqual([9]);
  });
});
