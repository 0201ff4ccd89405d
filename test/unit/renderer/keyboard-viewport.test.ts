// The map's keyboard order and what stays in view (issue 14: Tab reached only the nodes in
// the viewport, in no visual order, and a focused node was not scrolled into view).
import { describe, expect, it } from 'vitest';
import { buildGraph, bridgeNodeId, groupNodeId, nsNodeId } from '../../../renderer/src/graph/model';
import { layoutGraph } from '../../../renderer/src/graph/layout';
import { nextInOrder, visualOrder } from '../../../renderer/src/graph/keyboard';
import { firstViewport, inView, scrollIntoView } from '../../../renderer/src/graph/viewport';
import { FAR_READABLE_ZOOM, MIN_TEXT_PX, NODE_DETAIL_MIN_ZOOM, zoomTier } from '../../../renderer/src/graph/lod';
import { HOST, TopoBuilder } from './topo-builder';

function busyHost(n: number) {
  const b = new TopoBuilder().bridge('docker0').bridge('br-aaa');
  for (let i = 0; i < n; i++) b.container(`c${String(i).padStart(2, '0')}`, { bridge: i % 3 ? 'docker0' : 'br-aaa', project: i < 6 ? 'nb' : undefined });
  return buildGraph(b.build(), { showStopped: true });
}

describe('visualOrder', () => {
  it('every node (none missing, no group frames), host first, each bridge before its containers', () => {
    const m = busyHost(60);
    const boxes = layoutGraph(m, new Map());
    const order = visualOrder(m, boxes);
    expect(new Set(order)).toEqual(new Set(m.nodes.filter((n) => n.kind !== 'group').map((n) => n.id)));
    expect(order).toHaveLength(m.nodes.filter((n) => n.kind !== 'group').length);
    expect(order[0]).toBe(nsNodeId(HOST));
    const pos = (id: string) => order.indexOf(id);
    // (a compose project sits in the band most of its members use)
    for (const n of m.nodes.filter((x) => x.kind === 'netns' && !x.parent)) {
      const band = m.edges.find((e) => e.target === n.id)!.source;
      expect(pos(band), `${n.label} after its bridge`).toBeLessThan(pos(n.id));
    }
    // A compose project's members are consecutive.
    const members = m.nodes.filter((n) => n.parent === groupNodeId('nb')).map((n) => pos(n.id)).sort((a, b) => a - b);
    expect(members.at(-1)! - members[0]!).toBe(members.length - 1);
    // Reading order: no node comes before one that sits wholly above it in the same column.
    for (let i = 1; i < order.length; i++) {
      const a = boxes.get(order[i - 1]!)!;
      const b = boxes.get(order[i]!)!;
      const sameColumn = a.x === b.x && !m.nodes.find((n) => n.id === order[i])!.parent;
      if (sameColumn) expect(b.y).toBeGreaterThan(a.y);
    }
    expect(order).toContain(bridgeNodeId(HOST, 'br-aaa'));
  });

  it('arrows step, Home/End jump, the ends hold', () => {
    const o = ['a', 'b', 'c'];
    expect(['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'Home', 'End', 'x'].map((k) => nextInOrder(o, 'b', k))).toEqual(['c', 'c', 'a', 'a', 'a', 'c', null]);
    expect(nextInOrder(o, 'c', 'ArrowRight')).toBe('c');
    expect(nextInOrder(o, 'a', 'ArrowUp')).toBe('a');
    expect(nextInOrder(o, null, 'ArrowDown')).toBe('a');
    expect(nextInOrder([], 'a', 'Home')).toBeNull();
  });
});

describe('viewport', () => {
  it('scrollIntoView makes the least move, keeping the zoom', () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const box = { x: 900, y: 100, width: 230, height: 120 };
    const w = scrollIntoView(box, v, 1000, 800);
    expect(w.zoom).toBe(1);
    expect(inView(box, w, 1000, 800)).toBe(true);
    expect(w.y).toBe(0);
    expect(w.x).toBe(1000 - 24 - 1130);
    expect(scrollIntoView({ x: 10, y: 10, width: 10, height: 10 }, { x: 20, y: 20, zoom: 1 }, 1000, 800)).toEqual({ x: 20, y: 20, zoom: 1 });
  });

  it('the first view is always readable: the whole map with names >= 11 px, or a target at natural size', () => {
    for (const n of [3, 12, 60, 300]) {
      const boxes = layoutGraph(busyHost(n), new Map());
      for (const [w, h] of [[520, 450], [1020, 700]] as const) {
        const v = firstViewport(boxes, w, h, null)!;
        const tier = zoomTier(v.zoom);
        // far: names are 26 px; near/mid: card detail is 13 px (styles.css).
        const smallest = tier === 'far' ? 26 * v.zoom : 13 * v.zoom;
        expect(smallest, `${n} containers at ${w}x${h}`).toBeGreaterThanOrEqual(MIN_TEXT_PX);
      }
    }
    expect(13 * NODE_DETAIL_MIN_ZOOM).toBeGreaterThanOrEqual(MIN_TEXT_PX);
    expect(26 * FAR_READABLE_ZOOM).toBeGreaterThanOrEqual(MIN_TEXT_PX);
  });
});
