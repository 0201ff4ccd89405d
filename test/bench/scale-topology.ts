// Grow a recorded topology to N containers by cloning its containers (new ids,
// names, namespace inodes and veth names), keeping the wiring pattern intact.
import type { Container, Namespace, NetInterface, Topology } from '../../shared/topology';

export function scaleTopology(base: Topology, target: number): Topology {
  const t: Topology = structuredClone(base);
  const running = base.containers.filter((c) => c.netns !== null);
  if (!running.length) throw new Error('recorded topology has no running containers to clone');
  const host = t.namespaces.find((n) => n.isHost)!;
  const nsByInode = new Map(base.namespaces.map((n) => [n.inode, n]));
  let k = 0;
  let inode = 5_000_000_000;
  while (t.containers.length < target) {
    const src = running[k % running.length]!;
    const n = Math.floor(k / running.length) + 1;
    k++;
    const srcNs = nsByInode.get(src.netns!)!;
    const newInode = inode++;
    const suffix = `${n}`;
    const rename = new Map<string, string>();
    const ifaces: NetInterface[] = srcNs.interfaces.map((i) => {
      if (!i.peer || i.peer.netns !== base.hostNetns) return { ...i };
      const hostName = `vb${newInode.toString(16).slice(-6)}${i.name.slice(-2)}`.slice(0, 15);
      rename.set(i.name, hostName);
      return { ...i, hostPeer: hostName, peer: { netns: base.hostNetns, name: hostName } };
    });
    for (const i of srcNs.interfaces) {
      const hostName = rename.get(i.name);
      if (!hostName || !i.peer) continue;
      const srcHost = host.interfaces.find((h) => h.name === i.peer!.name);
      host.interfaces.push({ ...(srcHost ?? i), name: hostName, kind: 'veth', hostPeer: null, peer: { netns: newInode, name: i.name }, parent: null, master: srcHost?.master ?? null, ifindex: 10_000 + k });
    }
    const name = `${src.name}-x${suffix}`;
    const ns: Namespace = { ...srcNs, inode: newInode, names: [name], interfaces: ifaces, pids: [], paths: [] };
    t.namespaces.push(ns);
    const c: Container = { ...src, id: `${newInode.toString(16)}${src.id}`.slice(0, 64), name, netns: newInode, interfaces: ifaces, compose: src.compose ? { project: `${src.compose.project}-${Math.ceil(n / 5)}`, service: src.compose.service } : null };
    t.containers.push(c);
  }
  return t;
}

/** Keep `k` running containers (ours first) and only what they need, as the pattern to clone. */
export function trimTopology(t: Topology, k: number, prefer = 'vsu-'): Topology {
  const running = t.containers.filter((c) => c.netns !== null);
  running.sort((a, b) => Number(b.name.startsWith(prefer)) - Number(a.name.startsWith(prefer)));
  const keep = running.slice(0, k);
  const keepNs = new Set([t.hostNetns, ...keep.map((c) => c.netns!)]);
  const namespaces = t.namespaces
    .filter((n) => n.isHost || keepNs.has(n.inode))
    .map((n) => (n.isHost ? { ...n, interfaces: n.interfaces.filter((i) => !i.peer || keepNs.has(i.peer.netns)) } : n));
  return { ...t, containers: [...keep, ...t.containers.filter((c) => c.netns === null).slice(0, 1)], namespaces };
}
