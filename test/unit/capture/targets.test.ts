import { describe, expect, it } from 'vitest';
import type { Container, NetInterface, Topology } from '../../../shared/topology';
import { baseNameFor, resolveTargets } from '../../../electron/backend/capture/targets';
import { parseTargetWord } from '../../../shared/capture';

const HOST = 4026531840;
const iface = (name: string, kind: NetInterface['kind'], extra: Partial<NetInterface> = {}): NetInterface => ({
  name, ifindex: 2, kind, mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: null, peer: null, parent: null, ...extra,
});
const ctr = (name: string, id: string, netns: number | null, interfaces: NetInterface[], extra: Partial<Container> = {}): Container => ({
  id, name, image: 'img', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: 100, netns, hostNetwork: netns === 1, networkMode: 'bridge', networks: [{ name: 'bridge', networkId: null, driver: 'bridge', ipv4: '10.0.0.2/24', ipv6: null, mac: null, gateway: null }], compose: null, interfaces, ...extra,
});
const web = ctr('web-1', 'aaaa1111', 11, [iface('lo', 'loopback'), iface('eth0', 'veth', { hostPeer: 'veth1a2b' }), iface('eth1', 'veth', { hostPeer: 'veth9z' })]);
const mac = ctr('mac-1', 'aaaa2222', 12, [iface('lo', 'loopback'), iface('eth0', 'macvlan', { parent: { netns: HOST, name: 'eth0' } })]);
const hostnet = ctr('hostnet', 'bbbb3333', HOST, [iface('eth0', 'physical')], { networkMode: 'host' });
const stopped = ctr('old', 'cccc4444', null, [], { state: 'exited', pid: null });
const topo: Topology = {
  generatedAt: '', hostNetns: HOST, containers: [web, mac, hostnet, stopped],
  namespaces: [
    { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('eth0', 'physical'), iface('veth1a2b', 'veth')] },
    { inode: 11, names: ['web-1'], isHost: false, pids: [100], paths: [], interfaces: web.interfaces },
    { inode: 12, names: ['mac-1'], isHost: false, pids: [200], paths: ['/run/docker/netns/abc'], interfaces: mac.interfaces },
    { inode: 13, names: ['blue'], isHost: false, pids: [], paths: ['/run/netns/blue'], interfaces: [iface('lo', 'loopback'), iface('v-blue', 'veth')] },
  ],
  docker: { available: true }, privileged: { available: true, mode: 'root' }, engines: [], warnings: [], elapsedMs: 1,
};
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

describe('resolveTargets', () => {
  it('captures every non-lo interface of a container on its host veth, labelled NAME/IF (veth)', () => {
    const r = resolveTargets(topo, [{ type: 'container', container: 'web-1' }], 'icmp');
    expect(r.map((x) => [x.netns, x.iface, x.label])).toEqual([
      [null, 'veth1a2b', 'web-1/eth0 (veth1a2b)'],
      [null, 'veth9z', 'web-1/eth1 (veth9z)'],
    ]);
    expect(r[0]!.comment).toContain('aaaa1111');
    expect(r[0]!.comment).toContain('10.0.0.2/24');
    expect(r[0]!.comment).toContain('filter icmp');
  });
  it('takes an id prefix and named interfaces', () => {
    const r = resolveTargets(topo, [{ type: 'container', container: 'aaaa1', interfaces: ['eth1'] }], '');
    expect(r.map((x) => x.iface)).toEqual(['veth9z']);
  });
  it('reports an ambiguous prefix with the candidates, and an unknown name', () => {
    expect(code(() => resolveTargets(topo, [{ type: 'container', container: 'aaaa' }], ''))).toBe('AMBIGUOUS');
    expect(() => resolveTargets(topo, [{ type: 'container', container: 'aaaa' }], '')).toThrow(/web-1.*mac-1/);
    expect(code(() => resolveTargets(topo, [{ type: 'container', container: 'nope' }], ''))).toBe('NOT_FOUND');
    expect(code(() => resolveTargets(topo, [{ type: 'container', container: 'web-1', interfaces: ['eth7'] }], ''))).toBe('NOT_FOUND');
  });
  it('captures a macvlan inside its namespace through its bind mount', () => {
    const r = resolveTargets(topo, [{ type: 'container', container: 'mac-1' }], '');
    expect(r).toHaveLength(1);
    expect(r[0]!.netns).toEqual({ inode: 12, path: '/run/docker/netns/abc' });
    expect(r[0]!.iface).toBe('eth0');
    expect(r[0]!.label).toBe('mac-1/eth0 (macvlan in netns)');
  });
  it('refuses a host-network container, suggesting host:IFACE, and a stopped one', () => {
    expect(() => resolveTargets(topo, [{ type: 'container', container: 'hostnet' }], '')).toThrow(/host:/);
    expect(code(() => resolveTargets(topo, [{ type: 'container', container: 'old' }], ''))).toBe('TARGET_GONE');
  });
  it('resolves host:IFACE and netns:NAME:IFACE / netns:INODE:IFACE', () => {
    expect(resolveTargets(topo, [{ type: 'host', iface: 'eth0' }], '')[0]).toMatchObject({ netns: null, iface: 'eth0', label: 'host/eth0' });
    expect(code(() => resolveTargets(topo, [{ type: 'host', iface: 'wlan9' }], ''))).toBe('NOT_FOUND');
    expect(resolveTargets(topo, [{ type: 'netns', netns: 'blue', iface: 'v-blue' }], '')[0]).toMatchObject({ netns: { inode: 13, path: '/run/netns/blue' }, label: 'blue/v-blue' });
    expect(resolveTargets(topo, [{ type: 'netns', netns: '11', iface: 'eth0' }], '')[0]!.netns).toEqual({ inode: 11, path: '/proc/100/ns/net' });
  });
  it('refuses the same interface twice', () => {
    expect(code(() => resolveTargets(topo, [{ type: 'container', container: 'web-1' }, { type: 'host', iface: 'veth1a2b' }], ''))).toBe('INVALID_INPUT');
  });
});

describe('target words and file names', () => {
  it('parses CLI target words', () => {
    expect(parseTargetWord('web')).toEqual({ type: 'container', container: 'web' });
    expect(parseTargetWord('host:eth0')).toEqual({ type: 'host', iface: 'eth0' });
    expect(parseTargetWord('netns:blue:v0')).toEqual({ type: 'netns', netns: 'blue', iface: 'v0' });
    expect(() => parseTargetWord('netns:blue')).toThrow(/NAME_OR_INODE/);
  });
  it('names files from the containers', () => {
    const r = resolveTargets(topo, [{ type: 'container', container: 'web-1' }, { type: 'container', container: 'mac-1' }], '');
    expect(baseNameFor(r)).toBe('web-1+mac-1');
    expect(baseNameFor(resolveTargets(topo, [{ type: 'host', iface: 'eth0' }], ''))).toBe('host-eth0');
  });
});
