// An interface name with a control character in it (Linux allows ESC): its namespace's
// other interfaces stay visible, and nothing we print lets the terminal obey it.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip, ipTry, isRoot, nsInode, SKIP_REASON, testEnv } from '../../support/env';
import { discover } from './kernel-view';

const NS = 'vsd-esc';
const BAD = 'vs\x1b[1mx'; // ESC [ 1 m: "bold" to a terminal
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/vethscope.cjs', ...args], { encoding: 'utf8', env: testEnv() });

describe.skipIf(!isRoot)(`discovery: control characters in interface names (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    ipTry('netns', 'del', NS);
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'add', BAD, 'type', 'veth', 'peer', 'name', 'vsd-ok');
  });
  afterAll(() => ipTry('netns', 'del', NS));

  it('one bad name does not hide the rest of its namespace', async () => {
    const topo = await discover();
    const ns = topo.namespaces.find((n) => n.inode === nsInode(`/run/netns/${NS}`))!;
    expect(ns.interfaces.map((i) => i.name).sort()).toEqual(['lo', 'vsd-ok', BAD].sort());
    expect(ns.interfaces.find((i) => i.name === BAD)).toMatchObject({ kind: 'veth', state: expect.any(String) });
  });

  it('the CLI prints it escaped, never the raw ESC; JSON keeps the real name', () => {
    const tree = cli('topology');
    expect(tree.status).toBe(0);
    expect(tree.stdout).toContain('vs\\x1b[1mx');
    expect(tree.stdout).not.toContain('\x1b');
    expect(tree.stderr).not.toContain('\x1b');
    const json = cli('topology', '--json');
    const topo = JSON.parse(json.stdout);
    expect(topo.namespaces.some((n: { interfaces: Array<{ name: string }> }) => n.interfaces.some((i) => i.name === BAD))).toBe(true);
  });

  it('capturing the namespace works; the bad name itself is refused as an interface name, with a clear message', () => {
    const bad = cli('capture', `netns:${NS}:${BAD}`, '--count', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not a valid interface name/);
    expect(bad.stderr).not.toContain('\x1b');
  });
});
