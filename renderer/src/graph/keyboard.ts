// The map's keyboard order: every node (not only the ones drawn), as the map reads,
// top to bottom and left to right: the host column, each bridge's band with its
// containers, a compose project's members together (down its columns, as the layout
// filled them). Arrow keys step through it, Home/End jump to its ends (roving tabindex:
// the map is one Tab stop). Pure: unit-tested.
import type { Box } from './layout';
import type { GraphModel } from './model';

export function visualOrder(model: GraphModel, boxes: Map<string, Box>): string[] {
  const units: Array<{ box: Box; members: string[] }> = [];
  const membersOf = new Map<string, string[]>();
  for (const n of model.nodes) {
    if (n.kind === 'group' || !boxes.has(n.id)) continue;
    if (n.parent && boxes.has(n.parent)) (membersOf.get(n.parent) ?? membersOf.set(n.parent, []).get(n.parent)!).push(n.id);
    else units.push({ box: boxes.get(n.id)!, members: [n.id] });
  }
  const down = (a: string, b: string) => boxes.get(a)!.x - boxes.get(b)!.x || boxes.get(a)!.y - boxes.get(b)!.y;
  for (const [group, members] of membersOf) units.push({ box: boxes.get(group)!, members: members.sort(down) });
  units.sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  return units.flatMap((u) => u.members);
}

/** Where a key moves the roving node in `order` (null: not a movement key). */
export function nextInOrder(order: string[], current: string | null, key: string): string | null {
  if (!order.length) return null;
  const i = current === null ? -1 : order.indexOf(current);
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return order[Math.min(order.length - 1, i + 1)]!;
    case 'ArrowLeft':
    case 'ArrowUp':
      return order[Math.max(0, i - 1)]!;
    case 'Home':
      return order[0]!;
    case 'End':
      return order[order.length - 1]!;
    default:
      return null;
  }
}
