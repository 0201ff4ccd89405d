import { describe, expect, it } from 'vitest';
import { buildGraph, bridgeNodeId, groupNodeId, nsNodeId, stoppedNodeId } from '../../../renderer/src/graph/model';
import { HOST, TopoBuilder } from './topo-builder';

describe('buildGraph', () => {
  it('host, bridges and a veth edge from the bridge to each container, labelled host side → container side', () => {
    const b = new TopoBuilder().bridge('docker0');
    const a = b.container('a');
    const m = buildGraph(b.build(), { showStopped: true });
    expect(m.nodes.map((n) => n.id).sort()).toEqual([bridgeNodeId(HOST, 'docker0'), nsNodeId(HOST), nsNodeId(a)].sort());
    const veth = m.edges.find((e) => e.kind === 'veth')!;
    expect(veth).toMatchObject({ source: bridgeNodeId(HOST, 'docker0'), target: nsNodeId(a), label: `veth${a} → eth0`, rateKey: { netns: HOST, name: `veth${a}` } });
    expect(m.edges.find((e) => e.kind === 'host-bridge')).toMatchObject({ source: nsNodeId(HOST), target: bridgeNodeId(HOST, 'docker0') });
    // Loopback is never drawn.
    expect(m.nodes.find((n) => n.id === nsNodeId(a))!.interfaces.map((i) => i.name)).toEqual(['eth0']);
  });

  it('a veth whose host side is on no bridge hangs from the host node', () => {
    const b = new TopoBuilder();
    const a = b.container('a', { bridge: null });
    const m = buildGraph(b.build(), { showStopped: true });
    expect(m.edges.find((e) => e.target === nsNodeId(a))).toMatchObject({ source: nsNodeId(HOST), kind: 'veth' });
  });

  it('macvlan: an edge from its parent link (host eth0 -> host node), rate measured inside the container', () => {
    const b = new TopoBuilder();
    const mv = b.macvlan('m');
    const m = buildGraph(b.build(), { showStopped: true });
    const e = m.edges.find((x) => x.target === nsNodeId(mv))!;
    expect(e).toMatchObject({ kind: 'macvlan', source: nsNodeId(HOST), label: 'macvlan on eth0', rateKey: { netns: mv, name: 'eth0' } });
  });

  it('containers sharing a namespace become one node listing both, with one edge', () => {
    const b = new TopoBuilder().bridge('docker0');
    const ns = b.container('web');
    b.container('sidecar', { netns: ns });
    const m = buildGraph(b.build(), { showStopped: true });
    const nodes = m.nodes.filter((n) => n.kind === 'netns');
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.containers.map((c) => c.name)).toEqual(['sidecar', 'web']);
    expect(nodes[0]!.label).toBe('sidecar, web');
    expect(m.edges.filter((e) => e.target === nodes[0]!.id)).toHaveLength(1);
  });

  it('compose projects become group nodes that frame their members', () => {
    const b = new TopoBuilder().bridge('docker0');
    const a = b.container('a', { project: 'shop' });
    const c = b.container('c');
    const m = buildGraph(b.build(), { showStopped: true });
    const g = m.nodes.find((n) => n.kind === 'group')!;
    expect(g).toMatchObject({ id: groupNodeId('shop'), label: 'Compose project shop' });
    expect(m.nodes.find((n) => n.id === nsNodeId(a))!.parent).toBe(groupNodeId('shop'));
    expect(m.nodes.find((n) => n.id === nsNodeId(c))!.parent).toBeUndefined();
  });

  it('stopped containers: shown dimmed (own node, no namespace, in their project) or hidden', () => {
    const b = new TopoBuilder().bridge('docker0');
    b.container('a', { project: 'shop' });
    b.stopped('old', 'shop');
    const shown = buildGraph(b.build(), { showStopped: true });
    const s = shown.nodes.find((n) => n.id === stoppedNodeId('id-old'))!;
    expect(s).toMatchObject({ kind: 'stopped', netns: null, parent: groupNodeId('shop') });
    expect(shown.edges.some((e) => e.target === s.id)).toBe(false);
    const hidden = buildGraph(b.build(), { showStopped: false });
    expect(hidden.nodes.some((n) => n.kind === 'stopped')).toBe(false);
    expect(hidden.structureKey).not.toBe(shown.structureKey);
  });

  it('a project with only stopped containers has no group when stopped ones are hidden', () => {
    const b = new TopoBuilder().bridge('docker0');
    b.stopped('x', 'gone');
    expect(buildGraph(b.build(), { showStopped: false }).nodes.some((n) => n.kind === 'group')).toBe(false);
    expect(buildGraph(b.build(), { showStopped: true }).nodes.some((n) => n.id === groupNodeId('gone'))).toBe(true);
  });

  it('structureKey: same wiring -> same key (timestamps, rates do not matter); a new container -> new key', () => {
    const b = new TopoBuilder().bridge('docker0');
    b.container('a');
    const t1 = b.build();
    const t2 = { ...b.build(), generatedAt: 'later', elapsedMs: 99 };
    expect(buildGraph(t1, { showStopped: true }).structureKey).toBe(buildGraph(t2, { showStopped: true }).structureKey);
    b.container('b');
    expect(buildGraph(b.build(), { showStopped: true }).structureKey).not.toBe(buildGraph(t1, { showStopped: true }).structureKey);
  });
});
