import { describe, expect, it } from 'vitest';
import { pairSysfsNamespaces } from '../../../electron/kernel/fast-pair';
import type { SysfsLink } from '../../../electron/kernel/sysfs-read';
import { ns, veth } from '../topology-fixtures';

const sys = (name: string, ifindex: number, iflink: number, kind: SysfsLink['kind'] = 'linked'): SysfsLink => ({ name, ifindex, iflink, kind, mac: null, mtu: 1500, state: 'UP', master: null, addresses: [] });
const lo = sys('lo', 1, 1, 'loopback');

describe('pairSysfsNamespaces', () => {
  const host = () => ns(1, [veth(20, 'vethA', 2, 0), veth(21, 'vethB', 2, 1)], { isHost: true });

  it('accepts namespaces whose every link is explained by exactly one host veth', () => {
    const a = ns(100, []);
    const b = ns(200, []);
    const { accepted, rejected } = pairSysfsNamespaces([host()], new Map([[a, [lo, sys('eth0', 2, 20)]], [b, [lo, sys('eth0', 2, 21)]]]));
    expect(rejected.size).toBe(0);
    expect(accepted.get(a)!.find((l) => l.name === 'eth0')).toMatchObject({ kind: 'veth', linkIndex: 20, linkNetnsUnknown: true });
    expect(accepted.get(a)!.find((l) => l.name === 'lo')).toMatchObject({ kind: 'loopback', linkIndex: null });
  });

  it('hands back a namespace whose link kind sysfs cannot tell, or whose peer is not a host veth', () => {
    const mv = ns(100, []);
    const odd = ns(200, []);
    const { accepted, rejected } = pairSysfsNamespaces([host()], new Map([[mv, [sys('eth0', 2, 99)]], [odd, [sys('dummy0', 3, 3, 'unknown')]]]));
    expect(accepted.size).toBe(0);
    expect(rejected.get(mv)).toMatch(/0 possible peers/);
    expect(rejected.get(odd)).toMatch(/kind/);
  });

  it('rejects both claimants when two namespaces claim one host veth (a borrowed sysfs)', () => {
    const a = ns(100, []);
    const copy = ns(300, []);
    const { accepted, rejected } = pairSysfsNamespaces([host()], new Map([[a, [sys('eth0', 2, 20)]], [copy, [sys('eth0', 2, 20)]]]));
    expect(accepted.size).toBe(0);
    expect([...rejected.keys()]).toEqual([a, copy]);
  });

  it('rejects when a namespace read with ip could also be the peer', () => {
    const a = ns(100, []);
    const named = ns(400, [veth(20, 'x', 2, 3)]);
    const { rejected } = pairSysfsNamespaces([host(), named], new Map([[a, [sys('eth0', 2, 20)]]]));
    expect(rejected.get(a)).toMatch(/2 possible peers/);
  });

  it('rejects when another sysfs-read namespace holds a look-alike of the host end', () => {
    const a = ns(100, []);
    const twin = ns(500, []);
    // twin's x (index 20, pointing at 2) could be a's peer as well as the host's vethA.
    const { accepted, rejected } = pairSysfsNamespaces([host()], new Map([[a, [sys('eth0', 2, 20)]], [twin, [sys('x', 20, 2)]]]));
    expect(rejected.get(a)).toMatch(/2 possible peers/);
    expect(accepted.has(a)).toBe(false);
  });

  it('rejects when the host would use one netnsid for two namespaces', () => {
    const h = ns(1, [veth(20, 'vethA', 2, 0), veth(21, 'vethB', 3, 0)], { isHost: true });
    const a = ns(100, []);
    const b = ns(200, []);
    const { accepted } = pairSysfsNamespaces([h], new Map([[a, [sys('eth0', 2, 20)]], [b, [sys('eth0', 3, 21)]]]));
    expect(accepted.size).toBe(0);
  });
});
