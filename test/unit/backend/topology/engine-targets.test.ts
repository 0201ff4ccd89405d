// Everything follows the names: finding (pod/NAME, ENGINE:NAME), capture targets' labels and
// comments, two containers of one pod captured together, and what a missing helper means.
import { describe, expect, it } from 'vitest';
import { findContainer, matchContainers } from '../../../../electron/backend/topology/find-container';
import { resolveTargets } from '../../../../electron/backend/capture/targets';
import type { Container, Topology } from '../../../../shared/topology';
import { container, iface, topology } from '../../topology-fixtures';

const HOST = 1;
const eth0 = iface('eth0', { ifindex: 2, hostPeer: 'veth0', peer: { netns: HOST, name: 'veth0' } });
const lo = iface('lo', { kind: 'loopback' });
const podIfs = [lo, eth0];
const pod = { name: 'shop', namespace: null };

function engines(more: Partial<Topology> = {}): Topology {
  const cs: Container[] = [
    container('8143ccdef2ea-infra', { id: 'i'.repeat(64), engine: 'podman', infra: true, pod, netns: 10, pid: 100, interfaces: podIfs, image: 'localhost/podman-pause:4.3.1-0' }),
    container('shop-api', { id: 'a'.repeat(64), engine: 'podman', pod, netns: 10, pid: 101, interfaces: podIfs, image: 'localhost/api:1' }),
    container('shop-db', { id: 'b'.repeat(64), engine: 'podman', pod, netns: 10, pid: 102, interfaces: podIfs }),
    container('web', { id: 'c'.repeat(64), engine: 'docker', netns: 20, pid: 200, interfaces: [lo, iface('eth0', { hostPeer: 'vethd', peer: { netns: HOST, name: 'vethd' } })] }),
    container('web', { id: 'web', engine: 'lxc', netns: 30, pid: 300, image: '', interfaces: [lo, iface('eth0', { hostPeer: 'vethl', peer: { netns: HOST, name: 'vethl' } })] }),
    container('nginx', { id: 'd'.repeat(64), engine: 'cri-o', pod: { name: 'web-7f9c', namespace: 'default' }, netns: 40, pid: 400, interfaces: [lo, iface('eth0', { hostPeer: 'vethk', peer: { netns: HOST, name: 'vethk' } })] }),
    container('rl', { id: 'e'.repeat(64), engine: 'podman', user: 1000, netns: 50, pid: 500, interfaces: [lo, iface('tap0', { kind: 'tun' })] }),
  ];
  return topology({
    hostNetns: HOST,
    containers: cs,
    namespaces: [
      { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('veth0'), iface('vethd'), iface('vethl'), iface('vethk')] },
      { inode: 10, names: ['shop-api', 'shop-db', 'shop'], isHost: false, pids: [100, 101, 102], paths: [], interfaces: podIfs },
      { inode: 20, names: ['web'], isHost: false, pids: [200], paths: [], interfaces: [] },
      { inode: 30, names: ['web'], isHost: false, pids: [300], paths: [], interfaces: [] },
      { inode: 40, names: ['nginx', 'web-7f9c'], isHost: false, pids: [400], paths: [], interfaces: [] },
      { inode: 50, names: ['rl'], isHost: false, pids: [500], paths: [], interfaces: [lo, iface('tap0', { kind: 'tun' })] },
    ],
    ...more,
  });
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string; message: string }).code;
  }
  return 'no error';
};

describe('finding containers of every engine', () => {
  const t = engines();
  it('finds a pod by pod/NAME and pod/NAMESPACE/NAME, as the container holding its namespace', () => {
    expect(matchContainers(t, 'pod/shop').map((c) => c.name)).toEqual(['8143ccdef2ea-infra', 'shop-api', 'shop-db']);
    expect(findContainer(t, 'pod/shop')).toMatchObject({ infra: true, netns: 10 });
    expect(findContainer(t, 'pod/default/web-7f9c').name).toBe('nginx');
    expect(codeOf(() => findContainer(t, 'pod/other/web-7f9c'))).toBe('NOT_FOUND');
    expect(() => findContainer(t, 'pod/nope')).toThrow(/pods here: default\/web-7f9c, shop/);
  });
  it('tells two engines with the same name apart by ENGINE:NAME, and says how when ambiguous', () => {
    expect(codeOf(() => findContainer(t, 'web'))).toBe('AMBIGUOUS');
    expect(() => findContainer(t, 'web')).toThrow(/web \(lxc web\).*ENGINE:NAME/);
    expect(findContainer(t, 'lxc:web')).toMatchObject({ engine: 'lxc' });
    expect(findContainer(t, 'docker:web')).toMatchObject({ engine: 'docker' });
  });
  it('keeps infra containers out of prefix matches (shop finds the pod members, not the infra)', () => {
    expect(matchContainers(t, 'shop').map((c) => c.name)).toEqual(['shop-api', 'shop-db']);
    expect(matchContainers(t, '8143').map((c) => c.name)).toEqual([]);
    expect(matchContainers(t, '8143ccdef2ea-infra').map((c) => c.name)).toEqual(['8143ccdef2ea-infra']);
  });
  it('is not DOCKER_UNAVAILABLE when Docker is down but other engines answer', () => {
    const down = engines({ docker: { available: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'no socket' } } });
    expect(codeOf(() => findContainer(down, 'nothing-like-it'))).toBe('NOT_FOUND');
    expect(findContainer(down, 'nginx').engine).toBe('cri-o');
  });
});

describe('capture targets of every engine', () => {
  const t = engines();
  it('labels a container as NAME/IF (host veth) and comments engine, pod, image and who shares it', () => {
    const [r] = resolveTargets(t, [{ type: 'container', container: 'shop-api' }], 'icmp');
    expect(r).toMatchObject({ netns: null, iface: 'veth0', label: 'shop-api/eth0 (veth0)' });
    expect(r!.comment).toContain('container shop-api (podman, pod shop) id ' + 'a'.repeat(64));
    expect(r!.comment).toContain('image localhost/api:1');
    expect(r!.comment).toContain('shares its network namespace with shop-db');
    expect(resolveTargets(t, [{ type: 'container', container: 'nginx' }], '')[0]!.comment).toContain('(cri-o, pod default/web-7f9c)');
  });
  it('labels a pod target by the pod', () => {
    const [r] = resolveTargets(t, [{ type: 'container', container: 'pod/shop' }], '');
    expect(r!.label).toBe('shop/eth0 (veth0)');
    expect(r!.comment).toMatch(/^pod shop \(podman\) infra container 8143ccdef2ea-infra .*containers shop-api, shop-db/);
  });
  it('captures one interface once when two containers of one pod are asked for, saying they share it', () => {
    const r = resolveTargets(t, [{ type: 'container', container: 'shop-api' }, { type: 'container', container: 'shop-db' }], '');
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ iface: 'veth0', label: 'shop-api+shop-db/eth0 (veth0)', sharedBy: ['shop-api', 'shop-db'] });
    expect(r[0]!.comment).toContain('one interface shared by shop-api and shop-db (pod shop): captured once');
  });
  it('still refuses one container named twice, or its host veth named as well', () => {
    expect(codeOf(() => resolveTargets(t, [{ type: 'container', container: 'shop-api' }, { type: 'container', container: 'shop-api' }], ''))).toBe('INVALID_INPUT');
    expect(codeOf(() => resolveTargets(t, [{ type: 'container', container: 'shop-api' }, { type: 'host', iface: 'veth0' }], ''))).toBe('INVALID_INPUT');
  });
  it("explains a rootless container's slirp4netns tap, captured inside its namespace", () => {
    const [r] = resolveTargets(t, [{ type: 'container', container: 'rl' }], '');
    expect(r).toMatchObject({ iface: 'tap0', netns: { inode: 50, path: '/proc/500/ns/net' }, label: 'rl/tap0 (tun in netns)' });
    expect(r!.comment).toContain('rootless, uid 1000');
    expect(r!.comment).toContain('slirp4netns: user-mode networking, no host-side peer');
  });
  it('says the helper is missing when a running container\'s namespace could not be read, not "no interfaces besides lo"', () => {
    const noHelper = engines({ privileged: { available: false, mode: 'none', error: { code: 'HELPER_UNAVAILABLE', message: 'no installed helper' } } });
    noHelper.containers.find((c) => c.name === 'nginx')!.netns = null;
    noHelper.containers.find((c) => c.name === 'nginx')!.interfaces = [];
    expect(codeOf(() => resolveTargets(noHelper, [{ type: 'container', container: 'nginx' }], ''))).toBe('HELPER_UNAVAILABLE');
    expect(() => resolveTargets(noHelper, [{ type: 'container', container: 'nginx' }], '')).toThrow(/can be read only with root, and no installed helper/);
  });
});
