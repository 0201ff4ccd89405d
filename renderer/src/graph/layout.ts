// Layered layout with dagre, run once per structural change. Positions are cached
// by node id: a node that already had a place keeps it, so a container starting
// elsewhere does not make the rest of the map jump.
import dagre from '@dagrejs/dagre';
import type { GraphModel } from './model';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** Absolute top-left positions of leaf nodes, kept between layouts. */
export type PositionCache = Map<string, { x: number; y: number }>;

const GROUP_PAD = 16;
const GROUP_TITLE = 26;
const GAP = 16;

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;

/** Returns absolute boxes for every node (groups = frame around their members). */
export function layoutGraph(model: GraphModel, cache: PositionCache): Map<string, Box> {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const leaves = model.nodes.filter((n) => n.kind !== 'group');
  for (const n of model.nodes) {
    if (n.kind === 'group') g.setNode(n.id, { paddingTop: GROUP_TITLE + GROUP_PAD, paddingLeft: GROUP_PAD, paddingRight: GROUP_PAD, paddingBottom: GROUP_PAD });
  }
  for (const n of leaves) {
    g.setNode(n.id, { width: n.width, height: n.height });
    if (n.parent) g.setParent(n.id, n.parent);
  }
  // A bridge with hundreds of containers would make one endless column: spread its
  // children over several ranks (minlen) so the map comes out roughly 16:10.
  const fanout = new Map<string, number>();
  for (const e of model.edges) fanout.set(e.source, (fanout.get(e.source) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const e of model.edges) {
    if (e.source === e.target) continue;
    const n = fanout.get(e.source) ?? 1;
    const cols = n > 12 ? Math.ceil(Math.sqrt(0.65 * n)) : 1;
    const i = seen.get(e.source) ?? 0;
    seen.set(e.source, i + 1);
    g.setEdge(e.source, e.target, { minlen: 1 + (i % cols) });
  }
  dagre.layout(g);

  const fresh = new Map<string, { x: number; y: number }>();
  for (const n of leaves) {
    const p = g.node(n.id) as { x: number; y: number };
    fresh.set(n.id, { x: p.x - n.width / 2, y: p.y - n.height / 2 });
  }

  const out = new Map<string, Box>();
  const placed: Box[] = [];
  // Keep cached nodes where they were.
  for (const n of leaves) {
    const c = cache.get(n.id);
    if (!c) continue;
    const box = { x: c.x, y: c.y, width: n.width, height: n.height };
    out.set(n.id, box);
    placed.push(box);
  }
  // New nodes: place them relative to an anchor that already has a place (a project
  // sibling first, then the node it hangs from), then slide down until free.
  if (placed.length) {
    const incoming = new Map<string, string>();
    for (const e of model.edges) if (!incoming.has(e.target)) incoming.set(e.target, e.source);
    for (const n of leaves) {
      if (out.has(n.id)) continue;
      const sibling = n.parent ? leaves.find((m) => m.parent === n.parent && out.has(m.id)) : undefined;
      const anchor = sibling?.id ?? (incoming.get(n.id) && out.has(incoming.get(n.id)!) ? incoming.get(n.id) : undefined);
      const f = fresh.get(n.id)!;
      let box: Box;
      if (anchor) {
        const a = out.get(anchor)!;
        const af = fresh.get(anchor)!;
        box = { x: a.x + (f.x - af.x), y: a.y + (f.y - af.y), width: n.width, height: n.height };
      } else {
        box = { x: f.x, y: f.y, width: n.width, height: n.height };
      }
      while (placed.some((p) => overlaps(p, box))) box.y += n.height + GAP;
      out.set(n.id, box);
      placed.push(box);
    }
  } else {
    for (const n of leaves) {
      const f = fresh.get(n.id)!;
      out.set(n.id, { x: f.x, y: f.y, width: n.width, height: n.height });
    }
  }

  // Groups frame their members wherever those ended up.
  for (const grp of model.nodes.filter((n) => n.kind === 'group')) {
    const members = leaves.filter((n) => n.parent === grp.id).map((n) => out.get(n.id)!);
    if (!members.length) continue;
    const x0 = Math.min(...members.map((b) => b.x)) - GROUP_PAD;
    const y0 = Math.min(...members.map((b) => b.y)) - GROUP_PAD - GROUP_TITLE;
    const x1 = Math.max(...members.map((b) => b.x + b.width)) + GROUP_PAD;
    const y1 = Math.max(...members.map((b) => b.y + b.height)) + GROUP_PAD;
    out.set(grp.id, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }

  cache.clear();
  for (const n of leaves) {
    const b = out.get(n.id)!;
    cache.set(n.id, { x: b.x, y: b.y });
  }
  return out;
}
