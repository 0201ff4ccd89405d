// What a selection holds on to: a container by its id, not the node drawing it. A
// restarting container gets a new namespace (a new node id, or for a moment its
// stopped node `c:ID`): the panel, its capture form and the running capture's
// context stay with the container.
import type { GraphNode } from './model';

export const selectionKey = (n: Pick<GraphNode, 'id' | 'containers'>): string => (n.containers[0] ? `c:${n.containers[0].id}` : n.id);

/** The nodes of `nodes` the keys select, in the order selected. */
export function selectedNodes<N extends Pick<GraphNode, 'id' | 'containers'>>(nodes: N[], keys: string[]): N[] {
  const byKey = new Map(nodes.map((n) => [selectionKey(n), n]));
  return keys.map((k) => byKey.get(k)).filter((n): n is N => n !== undefined);
}
