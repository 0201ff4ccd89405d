// Render a topology as a readable tree: host -> bridges -> veth -> container/eth0, then
// every namespace by the names of what lives in it (engine and pod alongside).
import { isEngineInternalName, type Container, type NetInterface, type Topology } from '../../../shared/topology';

const addr = (i: NetInterface) => (i.addresses.length ? ` ${i.addresses.join(' ')}` : '');

const inside = (topo: Topology, inode: number) => topo.containers.filter((c) => c.netns === inode && inode !== topo.hostNetns);

/** A namespace's short name: its containers (not the infra holding it), else its best name, else its inode. */
export function nsLabel(topo: Topology, inode: number): string {
  const ns = topo.namespaces.find((n) => n.inode === inode);
  if (!ns) return `netns ${inode}`;
  if (ns.isHost) return 'host';
  const members = inside(topo, inode).filter((c) => !c.infra);
  if (members.length) return members.map((c) => c.name).join('+');
  const best = ns.names.filter((n) => !isEngineInternalName(n));
  return (best.length ? best : ns.names).join('+') || `netns ${inode}`;
}

function peerText(topo: Topology, i: NetInterface): string {
  if (i.peer) return ` <-> ${nsLabel(topo, i.peer.netns)}/${i.peer.name}`;
  if (i.parent) return ` on ${nsLabel(topo, i.parent.netns)}/${i.parent.name}`;
  return '';
}

function branch(lines: string[], items: string[][], indent: string): void {
  items.forEach((item, idx) => {
    const last = idx === items.length - 1;
    lines.push(`${indent}${last ? '`-- ' : '|-- '}${item[0]}`);
    const child = indent + (last ? '    ' : '|   ');
    for (const more of item.slice(1)) lines.push(`${child}${more}`);
  });
}

const podText = (c: Container) => (c.pod ? `pod ${c.pod.namespace ? `${c.pod.namespace}/` : ''}${c.pod.name}` : '');

/** ` [podman, pod web, rootless uid 1000]`: said for every engine but Docker (whose output stays as it was). */
function engineTag(cs: Container[]): string {
  const c = cs[0];
  if (!c) return '';
  const parts: string[] = [...new Set(cs.map((x) => x.engine))].filter((e) => e !== 'docker');
  const pod = cs.find((x) => x.pod);
  if (pod) parts.push(podText(pod));
  if (c.user !== null) parts.push(`rootless uid ${c.user}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** slirp4netns' tap in a rootless container carries its traffic to a process, not to a host interface. */
const tunNote = (cs: Container[], i: NetInterface) => (i.kind === 'tun' && cs.some((c) => c.user !== null) ? ' (slirp4netns: user-mode networking, no host-side peer)' : '');

function namespaceHead(topo: Topology, ns: Topology['namespaces'][number]): string {
  const cs = inside(topo, ns.inode);
  const shown = ns.names.filter((n) => !isEngineInternalName(n) && !cs.some((c) => c.infra && c.name === n && c.pod?.name !== n));
  const internal = ns.names.filter(isEngineInternalName);
  const title = shown.length ? shown.join(', ') : internal.length ? internal.join(', ') : '(unnamed)';
  const files = shown.length && internal.length ? `, ${internal.join(', ')}` : '';
  return `${title}${engineTag(cs)} (netns ${ns.inode}${files})`;
}

export function renderTree(topo: Topology): string {
  const lines: string[] = [];
  const host = topo.namespaces.find((n) => n.isHost);
  lines.push(`host (netns ${topo.hostNetns})`);
  if (host) {
    const ports = (bridge: string) => host.interfaces.filter((i) => i.master === bridge);
    const top = host.interfaces.filter((i) => !i.master && i.kind !== 'loopback');
    const items = top.map((i) => {
      const head = `${i.name} [${i.kind}]${addr(i)}${peerText(topo, i)}`;
      if (i.kind !== 'bridge') return [head];
      const sub: string[] = [];
      const children = ports(i.name);
      children.forEach((p, idx) => {
        const last = idx === children.length - 1;
        sub.push(`${last ? '`-- ' : '|-- '}${p.name} [${p.kind}]${peerText(topo, p)}${peerAddr(topo, p)}`);
      });
      return [head, ...sub];
    });
    branch(lines, items, '');
  }
  const others = topo.namespaces.filter((n) => !n.isHost);
  if (others.length) {
    lines.push('', 'namespaces');
    branch(
      lines,
      others.map((ns) => {
        const cs = inside(topo, ns.inode);
        return [namespaceHead(topo, ns), ...ns.interfaces.filter((i) => i.kind !== 'loopback').map((i) => `  ${i.name} [${i.kind}]${addr(i)}${peerText(topo, i)}${tunNote(cs, i)}`)];
      }),
      '',
    );
  }
  const hostOrStopped = topo.containers.filter((c) => (c.netns === null && c.state !== 'running') || c.netns === topo.hostNetns);
  if (hostOrStopped.length) {
    lines.push('', 'containers without their own namespace');
    branch(lines, hostOrStopped.map((c) => [`${c.name}${engineTag([c])} (${c.state}, network ${c.networkMode})`]), '');
  }
  // Running, but where they live cannot be read without root (no helper).
  const unread = topo.containers.filter((c) => c.netns === null && c.state === 'running');
  if (unread.length) {
    lines.push('', 'running containers whose namespace needs root to read');
    branch(lines, unread.map((c) => [`${c.name}${engineTag([c])}`]), '');
  }
  const engines = topo.engines.filter((e) => e.engine !== 'docker');
  if (engines.length) lines.push('', `engines: ${topo.engines.map((e) => `${e.engine} ${e.containers}`).join(', ')}`);
  if (!topo.docker.available) lines.push('', `docker: unavailable: ${topo.docker.error?.message ?? 'unknown reason'}`);
  if (!topo.privileged.available) lines.push(`note: ${topo.privileged.error?.message ?? 'not privileged: only the host namespace was read'}`);
  for (const w of topo.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

function peerAddr(topo: Topology, i: NetInterface): string {
  if (!i.peer) return '';
  const ns = topo.namespaces.find((n) => n.inode === i.peer!.netns);
  const peer = ns?.interfaces.find((p) => p.name === i.peer!.name);
  return peer ? addr(peer) : '';
}
