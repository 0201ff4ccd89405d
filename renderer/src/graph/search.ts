// The header's search: what a person types to find a container on the map. Names,
// compose services and projects, pods, IP addresses, Docker network names (which find
// that network's bridge) and namespace or bridge names. Pure: unit-tested.
import type { Container } from '../../../shared/topology';
import type { GraphModel, GraphNode } from './model';

export interface SearchHit {
  node: GraphNode;
  /** What matched, for the status line: "network nb-front", "10.214.1.2 (nb_web_1)". */
  why: string;
}

const ipOnly = (cidr: string) => cidr.split('/')[0]!;

/** Every address of a container: its networks' and its interfaces'. */
function addressesOf(c: Container): string[] {
  const out = new Set<string>();
  for (const n of c.networks) for (const a of [n.ipv4, n.ipv6]) if (a) out.add(ipOnly(a));
  for (const i of c.interfaces) for (const a of i.addresses) out.add(ipOnly(a));
  return [...out];
}

/** The best match for `query` (case-insensitive), or null. Stronger kinds of match win over earlier nodes. */
export function searchGraph(model: GraphModel, query: string): SearchHit | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const leaves = model.nodes.filter((n) => n.kind !== 'group');
  const withContainer = (test: (c: Container) => string | null): SearchHit | null => {
    for (const node of leaves)
      for (const c of node.containers) {
        const why = test(c);
        if (why !== null) return { node, why };
      }
    return null;
  };
  const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
  const looksLikeAddress = /^[0-9a-f:.]+$/.test(q) && /[.:]/.test(q);
  return (
    withContainer((c) => (lower(c.name) === q ? c.name : null)) ??
    withContainer((c) => (lower(c.compose?.service) === q ? `service ${c.compose!.service} (${c.name})` : null)) ??
    withContainer((c) => (lower(c.pod?.name) === q ? `pod ${c.pod!.name} (${c.name})` : null)) ??
    (looksLikeAddress ? withContainer((c) => addressesOf(c).find((a) => a === q || a.startsWith(q)) ?? null) : null) ??
    networkHit(leaves, q) ??
    withContainer((c) => (lower(c.name).includes(q) ? c.name : null)) ??
    withContainer((c) => (lower(c.compose?.service).includes(q) ? `service ${c.compose!.service} (${c.name})` : null)) ??
    withContainer((c) => (lower(c.pod?.name).includes(q) ? `pod ${c.pod!.name} (${c.name})` : null)) ??
    withContainer((c) => (lower(c.compose?.project) === q ? `project ${c.compose!.project} (${c.name})` : null)) ??
    labelHit(leaves, q)
  );
}

/** A network name: its bridge when the map has one, else its first container. */
function networkHit(leaves: GraphNode[], q: string): SearchHit | null {
  for (const exact of [true, false]) {
    const matches = (name: string) => (exact ? name.toLowerCase() === q : name.toLowerCase().includes(q));
    const bridge = leaves.find((n) => n.networks?.some(matches));
    if (bridge) return { node: bridge, why: `network ${bridge.networks!.find(matches)}` };
    for (const node of leaves)
      for (const c of node.containers) {
        const net = c.networks.find((x) => matches(x.name));
        if (net) return { node, why: `network ${net.name} (${c.name})` };
      }
  }
  return null;
}

/** Bridge names, namespace names, host interface names: what the node says about itself. */
function labelHit(leaves: GraphNode[], q: string): SearchHit | null {
  const node = leaves.find((n) => n.label.toLowerCase().includes(q) || n.names.some((x) => x.toLowerCase().includes(q)) || n.interfaces.some((i) => i.name.toLowerCase() === q));
  return node ? { node, why: node.label } : null;
}
