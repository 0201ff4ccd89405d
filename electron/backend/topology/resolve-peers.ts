// Unambiguous peer resolution across namespaces.
// Interface indexes repeat across namespaces, so an index alone is ambiguous.
// Two veths A (in namespace X) and B (in Y) are peers when each one's IFLA_LINK is
// the other's ifindex AND each one's IFLA_LINK_NETNSID names the other's namespace.
// A netnsid is local to the namespace that reports it, and the kernel gives us no
// name for it, so we learn the mapping (X, nsid) -> Y from pairs that are unique,
// then use it to settle the ambiguous ones, until nothing changes.
import type { InterfaceRef, NetInterface } from '../../../shared/topology';
import type { RawLink } from '../../kernel/ip-json';
import type { RawNamespace } from '../../kernel/namespaces';

interface Node {
  ns: RawNamespace;
  link: RawLink;
}

export interface Resolution {
  /** Interfaces per namespace inode, with peer, hostPeer, parent and master filled in. */
  interfaces: Map<number, NetInterface[]>;
  warnings: string[];
}

const PARENTED = new Set(['macvlan', 'ipvlan', 'vxlan', 'other']);
/** How many unresolved veths a summary warning names. */
const MAX_NAMED = 5;

export function resolvePeers(namespaces: readonly RawNamespace[], hostInode: number): Resolution {
  const warnings: string[] = [];
  const byIndex = new Map<number, Node[]>(); // ifindex -> nodes with that index in any namespace
  const nodeOf = new Map<RawLink, Node>(); // every container has an eth0 at index 2: no search by index
  for (const ns of namespaces)
    for (const link of ns.links) {
      const node = { ns, link };
      const list = byIndex.get(link.ifindex) ?? [];
      list.push(node);
      byIndex.set(link.ifindex, list);
      nodeOf.set(link, node);
    }

  // nsidMap.get(X).get(nsid) = inode of the namespace X calls `nsid`; named.get(X): the inodes X has an nsid for.
  const nsidMap = new Map<number, Map<number, number>>();
  const named = new Map<number, Set<number>>();
  const learned = (x: number, nsid: number) => nsidMap.get(x)?.get(nsid);
  const learn = (x: number, nsid: number, y: number) => {
    const m = nsidMap.get(x) ?? new Map<number, number>();
    m.set(nsid, y);
    nsidMap.set(x, m);
    const s = named.get(x) ?? new Set<number>();
    s.add(y);
    named.set(x, s);
  };
  const consistent = (x: number, nsid: number | null, y: number): boolean => {
    if (nsid === null) return x === y;
    if (x === y) return false; // a netnsid always names another namespace
    const known = learned(x, nsid);
    if (known !== undefined) return known === y;
    // nsids are injective: if X already uses another nsid for Y, this one is not Y (a set, not a
    // walk over X's nsids: the host has one per container, and this runs for every candidate).
    return !named.get(x)?.has(y);
  };

  const peerOf = new Map<Node, Node>();
  const vethNodes: Node[] = [];
  for (const list of byIndex.values()) for (const n of list) if (n.link.kind === 'veth' && n.link.linkIndex !== null) vethNodes.push(n);

  // A link read from sysfs carries no netnsid: it is consistent with any namespace.
  const linksTo = (a: Node, b: Node) => a.link.linkNetnsUnknown === true || consistent(a.ns.inode, a.link.linkNetnsid, b.ns.inode);
  const candidatesFor = (a: Node): Node[] =>
    (byIndex.get(a.link.linkIndex!) ?? []).filter(
      (b) => b !== a && b.link.kind === 'veth' && b.link.linkIndex === a.link.ifindex && linksTo(a, b) && linksTo(b, a),
    );

  // Fixpoint: pair what is unique, learn nsids from it, retry the rest.
  let pending = vethNodes;
  for (let changed = true; changed && pending.length > 0; ) {
    changed = false;
    const still: Node[] = [];
    for (const a of pending) {
      if (peerOf.has(a)) continue;
      const cands = candidatesFor(a).filter((b) => !peerOf.has(b));
      if (cands.length === 1) {
        const b = cands[0]!;
        peerOf.set(a, b);
        peerOf.set(b, a);
        if (a.link.linkNetnsid !== null) learn(a.ns.inode, a.link.linkNetnsid, b.ns.inode);
        if (b.link.linkNetnsid !== null) learn(b.ns.inode, b.link.linkNetnsid, a.ns.inode);
        changed = true;
      } else still.push(a);
    }
    pending = still;
  }
  // Unprivileged, every host veth has an unread peer: one line says it, not hundreds.
  const unread: string[] = [];
  for (const a of pending) {
    if (peerOf.has(a)) continue;
    const n = candidatesFor(a).length;
    if (n === 0) unread.push(`${a.link.name} (namespace ${a.ns.inode})`);
    else warnings.push(`veth ${a.link.name} (namespace ${a.ns.inode}): ${n} possible peers, left unresolved`);
  }
  if (unread.length === 1) warnings.push(`veth ${unread[0]}: its peer is in a namespace vethscope could not read`);
  else if (unread.length > 1) {
    const shown = unread.slice(0, MAX_NAMED);
    const more = unread.length > MAX_NAMED ? ` and ${unread.length - MAX_NAMED} more` : '';
    warnings.push(`${unread.length} veths have their peer in a namespace vethscope could not read: ${shown.join(', ')}${more}`);
  }

  const parentOf = (a: Node): InterfaceRef | null => {
    if (a.link.linkIndex === null || !PARENTED.has(a.link.kind)) return null;
    const cands = (byIndex.get(a.link.linkIndex) ?? []).filter(
      (b) => b !== a && linksTo(a, b),
    );
    // Docker's macvlan/ipvlan parents are host interfaces: prefer the host when several match.
    const pick = cands.length === 1 ? cands[0] : cands.find((b) => b.ns.inode === hostInode);
    if (!pick) {
      if (cands.length > 1) warnings.push(`${a.link.kind} ${a.link.name} (namespace ${a.ns.inode}): parent is ambiguous`);
      return null;
    }
    return { netns: pick.ns.inode, name: pick.link.name };
  };

  const interfaces = new Map<number, NetInterface[]>();
  for (const ns of namespaces) {
    interfaces.set(
      ns.inode,
      ns.links.map((link) => {
        const node = nodeOf.get(link)!;
        const peer = peerOf.get(node);
        return {
          name: link.name,
          ifindex: link.ifindex,
          kind: link.kind,
          mac: link.mac,
          mtu: link.mtu,
          state: link.state,
          addresses: link.addresses,
          master: link.master,
          peer: peer ? { netns: peer.ns.inode, name: peer.link.name } : null,
          hostPeer: peer && peer.ns.inode === hostInode && ns.inode !== hostInode ? peer.link.name : null,
          parent: parentOf(node),
        };
      }),
    );
  }
  return { interfaces, warnings };
}
