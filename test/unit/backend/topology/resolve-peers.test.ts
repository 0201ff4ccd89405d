import { describe, expect, it } from 'vitest';
import { parseIpAddrJson } from '../../../../electron/kernel/ip-json';
import { resolvePeers } from '../../../../electron/backend/topology/resolve-peers';
import { link, ns, veth } from '../../topology-fixtures';

const HOST = 1;
const find = (res: ReturnType<typeof resolvePeers>, inode: number, name: string) => res.interfaces.get(inode)!.find((i) => i.name === name)!;

describe('resolvePeers', () => {
  // Host veth h (10) and named-namespace veth x (10) both point at index 2; nsA's eth0 and nsC's y are both index 2.
  // By index alone each has two candidates: only netnsid consistency tells them apart.
  const ambiguous = () => [
    ns(HOST, [veth(10, 'h', 2, 0)], { isHost: true }),
    ns(100, [veth(2, 'eth0', 10, 0)]),
    ns(200, [veth(10, 'x', 2, 5)]),
    ns(300, [veth(2, 'y', 10, 3)]),
  ];

  it('leaves an ambiguous index unresolved when nothing settles it', () => {
    const res = resolvePeers(ambiguous(), HOST);
    expect(find(res, 100, 'eth0').peer).toBeNull();
    expect(res.warnings.join('\n')).toMatch(/eth0 .*2 possible peers/);
  });

  it('settles an ambiguous index from netnsids learned on a unique pair', () => {
    const spaces = ambiguous();
    // A second, unique veth pair host<->nsA teaches: host calls nsA "0", nsA calls host "0".
    spaces[0]!.links.push(veth(12, 'h2', 3, 0));
    spaces[1]!.links.push(veth(3, 'eth1', 12, 0));
    const res = resolvePeers(spaces, HOST);
    expect(find(res, 100, 'eth0')).toMatchObject({ peer: { netns: HOST, name: 'h' }, hostPeer: 'h' });
    expect(find(res, HOST, 'h').peer).toEqual({ netns: 100, name: 'eth0' });
    expect(find(res, 200, 'x').peer).toEqual({ netns: 300, name: 'y' });
    expect(find(res, 300, 'y')).toMatchObject({ peer: { netns: 200, name: 'x' }, hostPeer: null });
    expect(res.warnings).toEqual([]);
  });

  it('rules out a namespace the host already knows by another netnsid (netnsids are injective)', () => {
    // h2<->eth1 is unique: the host calls nsA "0". h5 (netnsid 5) then has two look-alike
    // candidates, a in nsA and b in nsB: nsA already has the name 0, so 5 is nsB.
    const res = resolvePeers(
      [ns(HOST, [veth(12, 'h2', 3, 0), veth(20, 'h5', 2, 5)], { isHost: true }), ns(100, [veth(3, 'eth1', 12, 0), veth(2, 'a', 20, 0)]), ns(200, [veth(2, 'b', 20, 7)])],
      HOST,
    );
    expect(find(res, HOST, 'h5').peer).toEqual({ netns: 200, name: 'b' });
    expect(find(res, 100, 'a').peer).toBeNull();
  });

  it('pairs links whose IFLA_LINK the kernel omitted because the peer has the same index', () => {
    const host = parseIpAddrJson(JSON.stringify([{ ifindex: 7, ifname: 'vethsame', link_netnsid: 0, linkinfo: { info_kind: 'veth' } }]));
    const inside = parseIpAddrJson(JSON.stringify([{ ifindex: 7, ifname: 'eth0', link_netnsid: 0, linkinfo: { info_kind: 'veth' } }]));
    expect(host[0]!.linkIndex).toBe(7);
    const res = resolvePeers([ns(HOST, host, { isHost: true }), ns(100, inside)], HOST);
    expect(find(res, 100, 'eth0').hostPeer).toBe('vethsame');
  });

  it('pairs a veth whose both ends are in one namespace, without a host peer', () => {
    const res = resolvePeers([ns(HOST, [], { isHost: true }), ns(100, [veth(4, 'va', 5, null), veth(5, 'vb', 4, null)])], HOST);
    expect(find(res, 100, 'va')).toMatchObject({ peer: { netns: 100, name: 'vb' }, hostPeer: null });
    expect(find(res, 100, 'vb').peer).toEqual({ netns: 100, name: 'va' });
  });

  it('does not pair a same-namespace veth with a look-alike in another namespace', () => {
    // va (no netnsid: peer is local) must not pair with the index-5 veth over there.
    const res = resolvePeers([ns(HOST, [], { isHost: true }), ns(100, [veth(4, 'va', 5, null), veth(5, 'vb', 4, null)]), ns(200, [veth(5, 'decoy', 4, 0)])], HOST);
    expect(find(res, 100, 'va').peer).toEqual({ netns: 100, name: 'vb' });
    expect(find(res, 200, 'decoy').peer).toBeNull();
  });

  it('prefers the host as a macvlan parent when the index exists in several namespaces', () => {
    const mv = link(2, 'eth0', { kind: 'macvlan', rawKind: 'macvlan', linkIndex: 7, linkNetnsid: 0 });
    const res = resolvePeers([ns(HOST, [link(7, 'vsd-mvp0', { kind: 'veth' })], { isHost: true }), ns(100, [mv]), ns(200, [link(7, 'other7', { kind: 'physical' })])], HOST);
    expect(find(res, 100, 'eth0')).toMatchObject({ parent: { netns: HOST, name: 'vsd-mvp0' }, peer: null, hostPeer: null });
  });

  it('summarizes veths whose peers were not read in one warning', () => {
    const host = ns(HOST, Array.from({ length: 8 }, (_, i) => veth(10 + i, `veth${i}`, 2, 0)), { isHost: true });
    expect(resolvePeers([host], HOST).warnings).toEqual([
      '8 veths have their peer in a namespace vethscope could not read: veth0 (namespace 1), veth1 (namespace 1), veth2 (namespace 1), veth3 (namespace 1), veth4 (namespace 1) and 3 more',
    ]);
    expect(resolvePeers([ns(HOST, [veth(10, 'solo', 2, 0)], { isHost: true })], HOST).warnings).toEqual(['veth solo (namespace 1): its peer is in a namespace vethscope could not read']);
  });

  it('pairs a sysfs-read link (netns unknown) with the one host veth that points back', () => {
    const res = resolvePeers([ns(HOST, [veth(30, 'vethab', 2, 4)], { isHost: true }), ns(100, [veth(2, 'eth0', 30, null, { linkNetnsUnknown: true })])], HOST);
    expect(find(res, 100, 'eth0').hostPeer).toBe('vethab');
    expect(find(res, HOST, 'vethab').peer).toEqual({ netns: 100, name: 'eth0' });
  });
});
