// The map draws pods as groups: the containers sharing a pod's namespace are one node with all
// their names (its infra container left out), framed by the pod; compose projects as before.
import { describe, expect, it } from 'vitest';
import { buildGraph, podGroupId } from '../../../renderer/src/graph/model';
import { layoutGraph } from '../../../renderer/src/graph/layout';
import type { Container, NetInterface, Topology } from '../../../shared/topology';

const iface = (name: string, more: Partial<NetInterface> = {}): NetInterface => ({ name, ifindex: 1, kind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: null, peer: null, parent: null, ...more });
const container = (name: string, more: Partial<Container> = {}): Container => ({ id: `id-${name}`, name, image: 'img', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: 100, netns: 200, hostNetwork: false, networkMode: 'pod', networks: [], compose: null, interfaces: [], ...more });
const topology = (more: Partial<Topology>): Topology => ({ generatedAt: '', hostNetns: 1, containers: [], namespaces: [], docker: { available: true }, engines: [], privileged: { available: true, mode: 'root' }, warnings: [], elapsedMs: 1, ...more });

const HOST = 1;
const eth0 = (peer: string) => iface('eth0', { ifindex: 2, hostPeer: peer, peer: { netns: HOST, name: peer } });
const topo = topology({
  hostNetns: HOST,
  containers: [
    container('8143ccdef2ea-infra', { engine: 'podman', infra: true, pod: { name: 'shop', namespace: null }, netns: 10, interfaces: [eth0('veth0')] }),
    container('shop-api', { engine: 'podman', pod: { name: 'shop', namespace: null }, netns: 10, interfaces: [eth0('veth0')] }),
    container('shop-db', { engine: 'podman', pod: { name: 'shop', namespace: null }, netns: 10, interfaces: [eth0('veth0')] }),
    container('web-7f9c', { engine: 'cri-o', infra: true, pod: { name: 'web-7f9c', namespace: 'default' }, netns: 20, interfaces: [eth0('veth1')] }),
    container('box', { engine: 'lxc', netns: 30, interfaces: [eth0('veth2')] }),
  ],
  namespaces: [
    { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('br0', { kind: 'bridge' }), iface('veth0', { master: 'br0' }), iface('veth1', { master: 'br0' }), iface('veth2', { master: 'br0' })] },
    { inode: 10, names: ['shop-api', 'shop-db', 'shop', '8143ccdef2ea-infra', 'netns-675a9c10-aabd-16e1-6347-0210688be933'], isHost: false, pids: [10], paths: [], interfaces: [eth0('veth0')] },
    { inode: 20, names: ['web-7f9c'], isHost: false, pids: [20], paths: [], interfaces: [eth0('veth1')] },
    { inode: 30, names: ['box'], isHost: false, pids: [30], paths: [], interfaces: [eth0('veth2')] },
  ],
});

describe('pods on the map', () => {
  const g = buildGraph(topo, { showStopped: false });
  it('draws a pod as a group around one node that carries all its containers\' names', () => {
    const node = g.nodes.find((n) => n.id === 'ns:10')!;
    expect(node).toMatchObject({ label: 'shop-api, shop-db', parent: podGroupId('shop'), pod: 'shop' });
    expect(node.containers.map((c) => c.name)).toEqual(['shop-api', 'shop-db']);
    expect(node.names).toEqual(['netns-675a9c10-aabd-16e1-6347-0210688be933']);
    expect(g.nodes.find((n) => n.id === podGroupId('shop'))).toMatchObject({ kind: 'group', label: 'Pod shop' });
  });
  it('names a Kubernetes pod NAMESPACE/NAME, and a pod with only its sandbox after the pod', () => {
    expect(g.nodes.find((n) => n.id === 'ns:20')).toMatchObject({ label: 'Pod web-7f9c', parent: podGroupId('default/web-7f9c') });
    expect(g.nodes.find((n) => n.id === podGroupId('default/web-7f9c'))!.label).toBe('Pod default/web-7f9c');
  });
  it('frames the pod around its node in the layout, and leaves other engines\' containers loose', () => {
    const boxes = layoutGraph(g, new Map());
    const frame = boxes.get(podGroupId('shop'))!;
    const inner = boxes.get('ns:10')!;
    expect(inner.x).toBeGreaterThanOrEqual(frame.x);
    expect(inner.x + inner.width).toBeLessThanOrEqual(frame.x + frame.width);
    expect(g.nodes.find((n) => n.id === 'ns:30')!.parent).toBeUndefined();
  });
});
