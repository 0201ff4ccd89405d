// What to read each tick, derived once per topology (not every tick).
// Container interfaces whose veth peer is on the host are read from the host's
// /proc/net/dev (peer's counters swapped); the rest are read inside their
// namespace: /proc/PID/net/dev when a process is known, else through the
// privileged path (helper, or nsenter as root).
import type { Topology } from '../../../shared/topology';

export interface IfaceRef {
  netns: number;
  name: string;
}

/** A namespace that must be read from inside. */
export interface NamespaceRead {
  inode: number;
  /** A process in it: /proc/PID/net/dev, re-checked against the inode every tick. */
  pid: number | null;
  /** A way in for the helper or nsenter (bind mount or /proc/PID/ns/net). */
  path: string | null;
  /** Interfaces to report from it (lo excluded), with the ifindex discovery saw. */
  names: Map<string, number>;
}

export interface ContainerPlan {
  id: string;
  name: string;
  netns: number;
  members: IfaceRef[];
}

export interface SamplingPlan {
  hostNetns: number;
  /** Host interface name -> container-side interfaces it mirrors (rx/tx swapped). */
  hostMirrors: Map<string, IfaceRef[]>;
  nsReads: NamespaceRead[];
  containers: ContainerPlan[];
}

export const ifaceKey = (netns: number, name: string) => `${netns}/${name}`;

export function buildPlan(topo: Topology): SamplingPlan {
  const hostMirrors = new Map<string, IfaceRef[]>();
  const nsReads: NamespaceRead[] = [];
  for (const ns of topo.namespaces) {
    if (ns.isHost || ns.inode === topo.hostNetns) continue;
    const inside = new Map<string, number>();
    for (const i of ns.interfaces) {
      if (i.kind === 'loopback' || i.name === 'lo') continue;
      if (i.hostPeer) {
        const list = hostMirrors.get(i.hostPeer) ?? [];
        list.push({ netns: ns.inode, name: i.name });
        hostMirrors.set(i.hostPeer, list);
      } else {
        inside.set(i.name, i.ifindex);
      }
    }
    if (inside.size === 0) continue;
    const pid = ns.pids[0] ?? null;
    const path = ns.paths[0] ?? (pid !== null ? `/proc/${pid}/ns/net` : null);
    nsReads.push({ inode: ns.inode, pid, path, names: inside });
  }
  const containers: ContainerPlan[] = [];
  for (const c of topo.containers) {
    // Host-network containers would just repeat the host's totals.
    if (c.netns === null || c.netns === topo.hostNetns || c.state !== 'running') continue;
    const members = c.interfaces.filter((i) => i.kind !== 'loopback' && i.name !== 'lo').map((i) => ({ netns: c.netns!, name: i.name }));
    containers.push({ id: c.id, name: c.name, netns: c.netns, members });
  }
  return { hostNetns: topo.hostNetns, hostMirrors, nsReads, containers };
}
