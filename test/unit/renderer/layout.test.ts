import { describe, expect, it } from 'vitest';
import { buildGraph, bridgeNodeId, groupNodeId, nsNodeId } from '../../../renderer/src/graph/model';
import { boundsOf, layoutGraph, type Box, type PositionCache } from '../../../renderer/src/graph/layout';
import { firstViewport, inView } from '../../../renderer/src/graph/viewport';
import { HOST, TopoBuilder } from './topo-builder';

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function big(n: number, perProject = 5) {
  const b = new TopoBuilder().bridge('docker0').bridge('br-app');
  for (let i = 0; i < n; i++) b.container(`c${i}`, { bridge: i % 3 ? 'br-app' : 'docker0', project: i % 4 === 0 ? undefined : `p${Math.floor(i / perProject)}` });
  return b;
}

describe('layoutGraph', () => {
  it('leaf nodes never overlap, and every group frames exactly its members', () => {
    const b = big(120);
    b.stopped('old', 'p3');
    const m = buildGraph(b.build(), { showStopped: true });
    const boxes = layoutGraph(m, new Map());
    const leaves = m.nodes.filter((n) => n.kind !== 'group');
    for (let i = 0; i < leaves.length; i++)
      for (let j = i + 1; j < leaves.length; j++) expect(overlap(boxes.get(leaves[i]!.id)!, boxes.get(leaves[j]!.id)!), `${leaves[i]!.id} vs ${leaves[j]!.id}`).toBe(false);
    for (const g of m.nodes.filter((n) => n.kind === 'group')) {
      const frame = boxes.get(g.id)!;
      const inside = (x: Box) => x.x >= frame.x && x.y >= frame.y && x.x + x.width <= frame.x + frame.width && x.y + x.height <= frame.y + frame.height;
      for (const n of leaves) expect(inside(boxes.get(n.id)!), `${n.id} in ${g.id}`).toBe(n.parent === g.id);
    }
  });

  // Speed is measured by `npm run bench:ui`, not asserted here.
  it('300 containers: a landscape map (not one tall column)', () => {
    const m = buildGraph(big(300).build(), { showStopped: true });
    const boxes = layoutGraph(m, new Map());
    const all = boundsOf(boxes.values())!;
    expect(all.width / all.height).toBeGreaterThan(0.8);
    expect(all.width / all.height).toBeLessThan(3);
  });

  it('host top left, bridges right of it, containers right of their bridge', () => {
    const b = new TopoBuilder().bridge('docker0');
    const a = b.container('a');
    const m = buildGraph(b.build(), { showStopped: true });
    const boxes = layoutGraph(m, new Map());
    const host = boxes.get(nsNodeId(HOST))!;
    const br = boxes.get(bridgeNodeId(HOST, 'docker0'))!;
    const c = boxes.get(nsNodeId(a))!;
    expect(host.x + host.width).toBeLessThan(br.x);
    expect(br.x + br.width).toBeLessThan(c.x);
  });

  it('cache: an unrelated container appearing does not move anything already placed', () => {
    const b = big(40);
    const cache: PositionCache = new Map();
    const m1 = buildGraph(b.build(), { showStopped: true });
    const before = layoutGraph(m1, cache);
    b.container('newcomer', { bridge: 'docker0', project: 'p2' });
    b.container('loner', { bridge: 'br-app' });
    const m2 = buildGraph(b.build(), { showStopped: true });
    expect(m2.structureKey).not.toBe(m1.structureKey);
    const after = layoutGraph(m2, cache);
    for (const n of m1.nodes) if (n.kind !== 'group') expect(after.get(n.id), n.id).toEqual(before.get(n.id));
    // The newcomers got a free spot; the project frame grew to include its new member.
    const leaves = m2.nodes.filter((n) => n.kind !== 'group');
    for (const id of [nsNodeId(b.namespaces.at(-2)!.inode), nsNodeId(b.namespaces.at(-1)!.inode)])
      for (const o of leaves) if (o.id !== id) expect(overlap(after.get(id)!, after.get(o.id)!), `${id} vs ${o.id}`).toBe(false);
    const frame = after.get(groupNodeId('p2'))!;
    const nb = after.get(nsNodeId(b.namespaces.at(-2)!.inode))!;
    expect(nb.x >= frame.x && nb.y >= frame.y && nb.y + nb.height <= frame.y + frame.height).toBe(true);
  });

  it('cache: a removed container leaves the others where they were, and is forgotten', () => {
    const b = big(20);
    const cache: PositionCache = new Map();
    const before = layoutGraph(buildGraph(b.build(), { showStopped: true }), cache);
    const gone = b.containers.pop()!;
    // Its namespace goes with it (a namespace with interfaces would stay on the map).
    b.namespaces = b.namespaces.filter((n) => n.inode !== gone.netns);
    b.host.interfaces = b.host.interfaces.filter((i) => i.peer?.netns !== gone.netns);
    const after = layoutGraph(buildGraph(b.build(), { showStopped: true }), cache);
    expect(cache.has(nsNodeId(gone.netns!))).toBe(false);
    for (const [id, box] of after) if (!id.startsWith('g:')) expect(box).toEqual(before.get(id));
  });

  it('without a cache the layout is deterministic', () => {
    const m = buildGraph(big(50).build(), { showStopped: true });
    expect([...layoutGraph(m, new Map())]).toEqual([...layoutGraph(m, new Map())]);
  });
});

describe('firstViewport', () => {
  it('small map: fit all; large map: natural size, on the target when there is one, else its top-left corner', () => {
    const small = layoutGraph(buildGraph(big(6).build(), { showStopped: true }), new Map());
    const fit = firstViewport(small, 1000, 800, null)!;
    const sb = boundsOf(small.values())!;
    expect(fit.zoom).toBeLessThanOrEqual(1);
    expect(inView(sb, fit, 1000, 800, 0)).toBe(true);
    const large = layoutGraph(buildGraph(big(300).build(), { showStopped: true }), new Map());
    const v = firstViewport(large, 1000, 800, null)!;
    expect(v.zoom).toBe(1);
    const all = boundsOf(large.values())!;
    // The map's top-left corner is just inside the window's top-left corner.
    expect(all.x * v.zoom + v.x).toBeGreaterThan(0);
    expect(all.x * v.zoom + v.x).toBeLessThan(60);
    expect(all.y * v.zoom + v.y).toBeGreaterThan(0);
    expect(all.y * v.zoom + v.y).toBeLessThan(60);
    const target = [...large.keys()].filter((k) => k.startsWith('ns:')).at(-1)!;
    const t = firstViewport(large, 1000, 800, target)!;
    expect(t.zoom).toBe(1);
    expect(inView(large.get(target)!, t, 1000, 800)).toBe(true);
  });
});
