// Render a topology as a readable tree: host -> bridges -> veth -> container/eth0.
import type { NetInterface, Topology } from '../../../shared/topology';

const addr = (i: NetInterface) => (i.addresses.length ? ` ${i.addresses.join(' ')}` : '');

export function nsLabel(topo: Topology, inode: number): string {
  const ns = topo.namespaces.find((n) => n.inode === inode);
  if (!ns) return `netns ${inode}`;
  if (ns.isHost) return 'host';
  return ns.names.length ? ns.names.join('+') : `netns ${inode}`;
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
      others.map((ns) => [
        `${ns.names.length ? ns.names.join(', ') : '(unnamed)'} (netns ${ns.inode})`,
        ...ns.interfaces.filter((i) => i.kind !== 'loopback').map((i) => `  ${i.name} [${i.kind}]${addr(i)}${peerText(topo, i)}`),
      ]),
      '',
    );
  }
  const special = topo.containers.filter((c) => c.netns === null || c.netns === topo.hostNetns);
  if (special.length) {
    lines.push('', 'containers without their own namespace');
    branch(lines, special.map((c) => [`${c.name} (${c.state}, network ${c.networkMode})`]), '');
  }
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
