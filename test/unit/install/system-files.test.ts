// The text of the files that grant the helper, and the copies under build/ that the
// README and the packages point to: they must say exactly what install-helper writes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELPER_PATH } from '../../../electron/install/layout';
import { helperScript, polkitAction, polkitGroupRule, sudoersDropIn } from '../../../electron/install/system-files';

const ROOT = resolve(__dirname, '../../..');
const build = (f: string) => readFileSync(resolve(ROOT, 'build', f), 'utf8');
const rules = (text: string) => text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
const visudo = ['/usr/sbin/visudo', '/usr/bin/visudo'].find((p) => spawnSync(p, ['-V']).status === 0);

describe('sudoers drop-in', () => {
  it('one rule: the group, root, no password, exactly the installed helper with no arguments', () => {
    expect(rules(sudoersDropIn('wireshark', HELPER_PATH))).toEqual(['%wireshark ALL=(root) NOPASSWD: /usr/lib/vethscope/vethscope-helper ""']);
  });
  it('refuses a group or path that could inject sudoers syntax', () => {
    for (const g of ['wheel ALL=(ALL) ALL', 'a,b', '%x', '', 'Root']) expect(() => sudoersDropIn(g, HELPER_PATH)).toThrow(/not a group name/);
    for (const p of ['relative/helper', '/usr/lib/x y', '/usr/lib/x,ALL', '/a/../b', '/usr/lib/x\n%all ALL=(ALL) ALL']) expect(() => sudoersDropIn('wireshark', p)).toThrow(/not a plain absolute path/);
  });
  it.skipIf(!visudo)('visudo accepts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsp-sudoers-'));
    try {
      writeFileSync(join(dir, 'vethscope'), sudoersDropIn('wireshark', HELPER_PATH));
      const r = spawnSync(visudo!, ['-cf', join(dir, 'vethscope')], { encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('build/sudoers.example, which the README points to, is exactly that rule: no interpreter, no checkout path', () => {
    const example = build('sudoers.example');
    expect(rules(example)).toEqual(rules(sudoersDropIn('wireshark', HELPER_PATH)));
    expect(example).not.toMatch(/^[^#]*\/(node|dist\/helper\.cjs)\b/m);
  });
});

describe('polkit', () => {
  it('build/org.vethscope.helper.policy is the action install-helper writes', () => {
    expect(build('org.vethscope.helper.policy')).toBe(polkitAction(HELPER_PATH));
  });
  it('the action asks an administrator by default and names one program', () => {
    const a = polkitAction(HELPER_PATH);
    expect([...a.matchAll(/<(allow_\w+)>(\w+)</g)].map((m) => `${m[1]}=${m[2]}`)).toEqual(['allow_any=auth_admin', 'allow_inactive=auth_admin', 'allow_active=auth_admin_keep']);
    expect(a.match(/policykit\.exec\.\w+/g)).toEqual(['policykit.exec.path']);
  });
  it('the group rule says YES to that action for that group only, and is valid JavaScript', () => {
    const rule = polkitGroupRule('wireshark');
    let added: ((action: { id: string }, subject: { isInGroup(g: string): boolean }) => unknown) | null = null;
    new Function('polkit', rule)({ addRule: (f: typeof added) => (added = f), Result: { YES: 'yes' } });
    const member = { isInGroup: (g: string) => g === 'wireshark' };
    const other = { isInGroup: () => false };
    expect(added!({ id: 'org.vethscope.helper' }, member)).toBe('yes');
    expect(added!({ id: 'org.vethscope.helper' }, other)).toBeUndefined();
    expect(added!({ id: 'org.freedesktop.policykit.exec' }, member)).toBeUndefined();
    expect(() => polkitGroupRule('x"); polkit.addRule(function(){return polkit.Result.YES;}); ("')).toThrow(/not a group name/);
  });
});

describe('helper script', () => {
  it('names its interpreter in the first line and replaces a shebang the bundle had', () => {
    expect(helperScript('/usr/bin/node', 'console.log(1)\n').split('\n')[0]).toBe('#!/usr/bin/node --no-memory-reducer');
    const s = helperScript('/usr/lib/vethscope/node', '#!/usr/bin/env node\nconsole.log(1)\n');
    expect(s.match(/^#!/gm)).toHaveLength(1);
    expect(s.endsWith('console.log(1)\n')).toBe(true);
    expect(() => helperScript('node', '')).toThrow();
  });
});
