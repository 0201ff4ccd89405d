// Band layout, run once per structural change. Linear time (no dagre): at 300
// containers the old compound dagre layout took ~2.5 s and stacked every compose
// project into one very tall column.
//
//   host │ bridge A │ [project frame] [project frame] [c] [c] ...   <- band of bridge A
//        │          │ [project frame] [c] ...
//        │ bridge B │ [c] [c] [project frame] ...                    <- band of bridge B
//        │          │ (host-attached: macvlan, host veths; then unattached)
//        │ bridge C │                                                <- bridges without containers last
//
// The host sits at the top left and each bridge at the top of its band: the map
// reads from its top-left corner, which is where a large map opens.
//
// Each bridge owns a horizontal band holding the containers plugged into it;
// compose projects are blocks (their members in a small grid) shelf-packed into
// the band's rows, all bands sharing one row width chosen so the whole map comes
// out roughly 16:10. Group frames are computed from member boxes afterwards.
//
// Positions are cached by node id: a node that already had a place keeps it, so
// a container starting elsewhere does not make the rest of the map jump.
import type { GraphModel, GraphNode } from './model';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** Absolute top-left positions of leaf nodes, kept between layouts. */
export type PositionCache = Map<string, { x: number; y: number }>;

export const GROUP_PAD = 16;
export const GROUP_TITLE = 26;
const GAP = 16;
/** Horizontal gap between the host column, the bridge column and the container area. */
const COL_GAP = 90;
/** Between the bridges and their containers: room for a veth label ("vethXXXXXXX → eth0 · 1.2 Mbit/s") at the edge's middle. */
const LABEL_GAP = 210;
const BAND_GAP = 48;
const BLOCK_GAP = 28;
/** Width : height the container area aims for (a landscape window). */
const ASPECT = 1.6;

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;

interface Block {
  /** Group id, or the leaf's own id. */
  id: string;
  members: GraphNode[];
  framed: boolean;
  width: number;
  height: number;
  /** Member top-left offsets inside the block. */
  offsets: Map<string, { x: number; y: number }>;
  sortKey: string;
}

function makeBlock(id: string, members: GraphNode[], framed: boolean, sortKey: string): Block {
  const offsets = new Map<string, { x: number; y: number }>();
  if (!framed) {
    const n = members[0]!;
    offsets.set(n.id, { x: 0, y: 0 });
    return { id, members, framed, width: n.width, height: n.height, offsets, sortKey };
  }
  // Small projects read best as one column (edges come in from the left);
  // bigger ones become a few columns, filled top to bottom.
  const cols = members.length <= 4 ? 1 : Math.ceil(Math.sqrt(members.length / 2));
  const rows = Math.ceil(members.length / cols);
  const colW = Math.max(...members.map((m) => m.width));
  const heights: number[] = [];
  members.forEach((m, i) => {
    const c = Math.floor(i / rows);
    const y = heights[c] ?? 0;
    offsets.set(m.id, { x: GROUP_PAD + c * (colW + GAP), y: GROUP_TITLE + GROUP_PAD + y });
    heights[c] = y + m.height + GAP;
  });
  const width = 2 * GROUP_PAD + cols * colW + (cols - 1) * GAP;
  const height = GROUP_TITLE + 2 * GROUP_PAD + Math.max(...heights) - GAP;
  return { id, members, framed, width, height, offsets, sortKey };
}

/** Top-left positions for every leaf node, ignoring any cache. Deterministic. */
export function freshLayout(model: GraphModel): Map<string, { x: number; y: number }> {
  const leaves = model.nodes.filter((n) => n.kind !== 'group');
  const byId = new Map(leaves.map((n) => [n.id, n]));
  const hosts = leaves.filter((n) => n.kind === 'host');
  const bridges = leaves.filter((n) => n.kind === 'bridge');
  const rest = leaves.filter((n) => n.kind !== 'host' && n.kind !== 'bridge');

  // Which band a node lives in: the bridge it plugs into, else 'host' (macvlan on a
  // physical NIC, veths straight into the host), else the band of the namespace it
  // is wired to (direct veth pairs), else 'none'.
  const incoming = new Map<string, string>();
  for (const e of model.edges) if (!incoming.has(e.target) && byId.has(e.source)) incoming.set(e.target, e.source);
  const bandOf = new Map<string, string>();
  const resolve = (id: string, depth = 0): string => {
    const known = bandOf.get(id);
    if (known) return known;
    const n = byId.get(id);
    let band = 'none';
    if (n?.kind === 'bridge') band = id;
    else if (n?.kind === 'host') band = 'host';
    else if (depth < 8) {
      const src = incoming.get(id);
      if (src) band = resolve(src, depth + 1);
    }
    bandOf.set(id, band);
    return band;
  };

  // Blocks: one per compose project (placed in the band most members use), one per loose node.
  const byGroup = new Map<string, GraphNode[]>();
  const loose: GraphNode[] = [];
  for (const n of rest) {
    if (n.parent) {
      const list = byGroup.get(n.parent) ?? [];
      list.push(n);
      byGroup.set(n.parent, list);
    } else loose.push(n);
  }
  const blocksByBand = new Map<string, Block[]>();
  const addBlock = (band: string, b: Block) => {
    const list = blocksByBand.get(band) ?? [];
    list.push(b);
    blocksByBand.set(band, list);
  };
  const running = (n: GraphNode) => (n.kind === 'stopped' ? 1 : 0);
  const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const byLabel = (a: GraphNode, b: GraphNode) => running(a) - running(b) || natural(a.label, b.label);
  for (const [gid, members] of byGroup) {
    members.sort(byLabel);
    const votes = new Map<string, number>();
    for (const m of members) {
      const b = resolve(m.id);
      votes.set(b, (votes.get(b) ?? 0) + 1);
    }
    const band = [...votes].sort((a, b) => Number(a[0] === 'none') - Number(b[0] === 'none') || b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    addBlock(band, makeBlock(gid, members, true, `0${gid}`));
  }
  for (const n of loose.sort(byLabel)) addBlock(resolve(n.id), makeBlock(n.id, [n], false, `1${running(n)}${n.label}`));
  for (const list of blocksByBand.values()) list.sort((a, b) => natural(a.sortKey, b.sortKey));

  // One row width for every band, so the whole map is roughly ASPECT wide.
  const allBlocks = [...blocksByBand.values()].flat();
  const area = allBlocks.reduce((s, b) => s + (b.width + BLOCK_GAP) * (b.height + BLOCK_GAP), 0);
  const widest = allBlocks.reduce((m, b) => Math.max(m, b.width), 0);
  const rowWidth = Math.max(widest, Math.sqrt(area * ASPECT));

  const hostW = hosts.reduce((m, n) => Math.max(m, n.width), 0);
  const bridgeW = bridges.reduce((m, n) => Math.max(m, n.width), 0);
  const bridgeX = hosts.length ? hostW + COL_GAP : 0;
  const areaX = bridgeX + (bridges.length ? bridgeW + LABEL_GAP : hosts.length ? LABEL_GAP - COL_GAP : 0);

  const out = new Map<string, { x: number; y: number }>();
  const busy = (id: string) => (blocksByBand.get(id)?.length ? 0 : 1);
  const bandOrder = [...bridges.map((b) => b.id).sort((a, b) => busy(a) - busy(b)), 'host', 'none'];
  let y = 0;
  for (const band of bandOrder) {
    const blocks = blocksByBand.get(band) ?? [];
    const bridge = byId.get(band);
    if (!blocks.length && !bridge) continue;
    // Shelf-pack the band's blocks into rows of at most rowWidth.
    let x = 0;
    let rowY = 0;
    let rowH = 0;
    for (const b of blocks) {
      if (x > 0 && x + b.width > rowWidth) {
        rowY += rowH + BLOCK_GAP;
        x = 0;
        rowH = 0;
      }
      for (const m of b.members) {
        const o = b.offsets.get(m.id)!;
        out.set(m.id, { x: areaX + x + o.x, y: y + rowY + o.y });
      }
      x += b.width + BLOCK_GAP;
      rowH = Math.max(rowH, b.height);
    }
    const bandH = Math.max(rowY + rowH, bridge ? bridge.height : 0);
    if (bridge) out.set(bridge.id, { x: bridgeX, y });
    y += bandH + BAND_GAP;
  }
  // Host namespace(s): a column on the left, from the top.
  let hy = 0;
  for (const h of hosts) {
    out.set(h.id, { x: 0, y: hy });
    hy += h.height + GAP;
  }
  return out;
}

/** Returns absolute boxes for every node (groups = frame around their members). */
export function layoutGraph(model: GraphModel, cache: PositionCache): Map<string, Box> {
  const leaves = model.nodes.filter((n) => n.kind !== 'group');
  const fresh = freshLayout(model);

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
    const placedSibling = new Map<string, string>();
    for (const n of leaves) if (n.parent && out.has(n.id) && !placedSibling.has(n.parent)) placedSibling.set(n.parent, n.id);
    for (const n of leaves) {
      if (out.has(n.id)) continue;
      const sibling = n.parent ? placedSibling.get(n.parent) : undefined;
      const inc = incoming.get(n.id);
      const anchor = sibling ?? (inc && out.has(inc) ? inc : undefined);
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
      if (n.parent && !placedSibling.has(n.parent)) placedSibling.set(n.parent, n.id);
    }
  } else {
    for (const n of leaves) {
      const f = fresh.get(n.id)!;
      out.set(n.id, { x: f.x, y: f.y, width: n.width, height: n.height });
    }
  }

  // Groups frame their members wherever those ended up.
  const membersOf = new Map<string, Box[]>();
  for (const n of leaves) {
    if (!n.parent) continue;
    const list = membersOf.get(n.parent) ?? [];
    list.push(out.get(n.id)!);
    membersOf.set(n.parent, list);
  }
  for (const grp of model.nodes) {
    if (grp.kind !== 'group') continue;
    const members = membersOf.get(grp.id);
    if (!members?.length) continue;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const b of members) {
      x0 = Math.min(x0, b.x);
      y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.width);
      y1 = Math.max(y1, b.y + b.height);
    }
    x0 -= GROUP_PAD;
    y0 -= GROUP_PAD + GROUP_TITLE;
    x1 += GROUP_PAD;
    y1 += GROUP_PAD;
    out.set(grp.id, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }

  cache.clear();
  for (const n of leaves) {
    const b = out.get(n.id)!;
    cache.set(n.id, { x: b.x, y: b.y });
  }
  return out;
}

/** Bounds of every box (for fit-to-map and the initial viewport). */
export function boundsOf(boxes: Iterable<Box>): Box | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return Number.isFinite(x0) ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}
