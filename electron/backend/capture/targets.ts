// Resolve what the user asked to capture (container / host:IFACE / netns:NS:IFACE)
// into concrete (namespace, interface) pairs the helper can open, with the
// labels and comments that make a merged pcapng readable in Wireshark.
// Pure: takes a Topology, so unit tests hand in a literal one.
import type { CaptureTarget } from '../../../shared/capture';
import type { Container, Namespace, NetInterface, Topology } from '../../../shared/topology';
import type { NetnsHandle } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import { findContainer } from '../topology/find-container';
import { printable as p } from '../../../shared/text';
import { entryPath } from '../../kernel/namespaces';

export interface ResolvedIface {
  /** Where tcpdump runs: null = the helper's own (host) namespace. */
  netns: NetnsHandle | null;
  iface: string;
  /** Namespace inode where tcpdump runs (host inode when netns is null). */
  atNetns: number;
  label: string;
  comment: string;
  containerId: string | null;
  containerName: string | null;
  /** Index of the request target this came from (follow re-resolves per target). */
  target: number;
  /** The container-side interface name (eth0), used to re-find it after a restart. */
  innerName: string | null;
  /** Containers sharing this one interface (a pod's, captured together): their names, as labelled. */
  sharedBy?: string[];
  /** The remote host it is on (electron/backend/remote/); absent for the local host. */
  host?: string;
}

/**
 * How the helper enters `ns`: a container's own init process when it is in there (the
 * lowest pid may be a short-lived child, e.g. after the pid counter wrapped), else a bind
 * mount or the lowest pid.
 */
function handleFor(ns: Namespace, initPid: number | null = null): NetnsHandle {
  const path = initPid !== null && ns.pids.includes(initPid) ? `/proc/${initPid}/ns/net` : entryPath(ns);
  if (!path) throw new CodedError('NOT_FOUND', `namespace ${ns.inode} has no process or bind mount to enter it by`);
  return { inode: ns.inode, path };
}

/** What Wireshark shows for a container: a pod's infra container stands for its pod. */
const shownName = (c: Container) => (c.infra && c.pod ? c.pod.name : c.name);

const podText = (pod: NonNullable<Container['pod']>) => (pod.namespace ? `${pod.namespace}/${pod.name}` : pod.name);

/** The other containers living in c's namespace (a pod's, or `--network container:X`). */
const sharing = (topo: Topology, c: Container) => topo.containers.filter((o) => o !== c && o.netns !== null && o.netns === c.netns && !o.infra);

function containerComment(topo: Topology, c: Container, filter: string): string {
  const nets = c.networks.map((n) => `${n.name}${n.ipv4 ? ` ${n.ipv4}` : ''}${n.ipv6 ? ` ${n.ipv6}` : ''}`).join(', ');
  const about = [c.engine, c.pod ? `pod ${podText(c.pod)}` : '', c.user !== null ? `rootless, uid ${c.user}` : ''].filter(Boolean).join(', ');
  const head = c.infra && c.pod ? `pod ${podText(c.pod)} (${c.engine}) infra container ${c.name} id ${c.id}` : `container ${c.name} (${about}) id ${c.id}`;
  const others = sharing(topo, c).map((o) => o.name);
  return p(
    [head, `image ${c.image || 'unknown'}`, `networks ${nets || 'none'}`, others.length ? `${c.infra ? 'containers' : 'shares its network namespace with'} ${others.join(', ')}` : '', `filter ${filter || '(none)'}`]
      .filter(Boolean)
      .join('; '),
  );
}

/** Why a running container shows no interface: its namespace needs root to read, and no helper reads it for us. */
function unreadable(topo: Topology, c: Container): CodedError {
  const why = topo.privileged.error?.message ?? 'the privileged helper is not available';
  return new CodedError('HELPER_UNAVAILABLE', `container ${c.name} (${c.engine}): its network namespace can be read only with root, and ${why}`);
}

/** The interfaces of one running container, each on its cheapest capture point. */
export function resolveContainer(topo: Topology, c: Container, wanted: string[] | undefined, filter: string, target: number): ResolvedIface[] {
  if (c.state === 'running' && c.netns === null && !topo.privileged.available) throw unreadable(topo, c);
  if (c.state !== 'running' || c.netns === null)
    throw new CodedError('TARGET_GONE', `container ${c.name} is ${c.state}: start it first (or use --follow once it runs)`);
  if (c.hostNetwork || c.netns === topo.hostNetns)
    throw new CodedError(
      'UNSUPPORTED',
      `container ${c.name} uses the host network (--network host): it has no interfaces of its own; capture a host interface instead, e.g. host:eth0`,
    );
  const ns = topo.namespaces.find((n) => n.inode === c.netns);
  if ((!ns || c.interfaces.length === 0) && !topo.privileged.available) throw unreadable(topo, c);
  if (!ns) throw new CodedError('NOT_FOUND', `container ${c.name}: its network namespace ${c.netns} was not found (run as root or with the helper)`);
  const all = c.interfaces.filter((i) => i.kind !== 'loopback' && i.name !== 'lo');
  let chosen: NetInterface[];
  if (wanted?.length) {
    chosen = wanted.map((name) => {
      const i = c.interfaces.find((x) => x.name === name);
      if (!i) throw new CodedError('NOT_FOUND', `container ${c.name} has no interface ${name} (it has: ${c.interfaces.map((x) => x.name).join(', ')})`);
      return i;
    });
  } else chosen = all;
  if (chosen.length === 0) throw new CodedError('NOT_FOUND', `container ${c.name} has no interfaces besides lo (--network none?)`);
  const comment = containerComment(topo, c, filter);
  const name = shownName(c);
  return chosen.map((i) => {
    const base = { containerId: c.id, containerName: c.name, target, innerName: i.name, comment: `${comment}; interface ${p(i.name)}${tunNote(c, i)}` };
    // Host side of a veth sees exactly this container's traffic and needs no namespace entry.
    // Labels are what Wireshark shows: names from the kernel and the engine, escaped.
    if (i.hostPeer) return { ...base, netns: null, iface: i.hostPeer, atNetns: topo.hostNetns, label: `${p(name)}/${p(i.name)} (${p(i.hostPeer)})` };
    return { ...base, netns: handleFor(ns, c.pid), iface: i.name, atNetns: ns.inode, label: `${p(name)}/${p(i.name)} (${i.kind} in netns)` };
  });
}

function resolveHost(topo: Topology, iface: string, filter: string, target: number): ResolvedIface {
  const host = topo.namespaces.find((n) => n.inode === topo.hostNetns);
  if (host && !host.interfaces.some((i) => i.name === iface)) throw new CodedError('NOT_FOUND', `the host has no interface ${iface}`);
  return { netns: null, iface, atNetns: topo.hostNetns, label: `host/${p(iface)}`, comment: p(`host interface ${iface}; filter ${filter || '(none)'}`), containerId: null, containerName: null, target, innerName: null };
}

function resolveNetns(topo: Topology, query: string, iface: string, filter: string, target: number): ResolvedIface {
  const ns = topo.namespaces.find((n) => String(n.inode) === query || n.names.includes(query));
  if (!ns) throw new CodedError('NOT_FOUND', `no network namespace named or with inode "${query}"`);
  if (!ns.interfaces.some((i) => i.name === iface))
    throw new CodedError('NOT_FOUND', `namespace ${query} has no interface ${iface} (it has: ${ns.interfaces.map((i) => i.name).join(', ')})`);
  const name = p(ns.names[0] ?? String(ns.inode));
  const comment = p(`netns ${name} (inode ${ns.inode}) interface ${iface}; filter ${filter || '(none)'}`);
  if (ns.isHost || ns.inode === topo.hostNetns) return { ...resolveHost(topo, iface, filter, target), comment };
  return { netns: handleFor(ns), iface, atNetns: ns.inode, label: `${name}/${p(iface)}`, comment, containerId: null, containerName: null, target, innerName: null };
}

export function resolveTargets(topo: Topology, targets: CaptureTarget[], filter: string): ResolvedIface[] {
  const out: ResolvedIface[] = [];
  targets.forEach((t, idx) => {
    if (t.type === 'container') out.push(...resolveContainer(topo, findContainer(topo, t.container), t.interfaces, filter, idx));
    else if (t.type === 'host') out.push(resolveHost(topo, t.iface, filter, idx));
    else out.push(resolveNetns(topo, t.netns, t.iface, filter, idx));
  });
  return shareOrRefuse(topo, out);
}

/** slirp4netns' tap: user-mode networking, no host-side interface to capture on instead. */
const tunNote = (c: Container, i: NetInterface) => (i.kind === 'tun' && c.user !== null ? ' (slirp4netns: user-mode networking, no host-side peer)' : '');

/**
 * One interface named twice is refused, unless two containers that share one namespace (a
 * pod, `--network container:X`) were both asked for: then it is captured once, and its
 * label and comment say whose it is.
 */
function shareOrRefuse(topo: Topology, out: ResolvedIface[]): ResolvedIface[] {
  const byKey = new Map<string, ResolvedIface>();
  const result: ResolvedIface[] = [];
  for (const r of out) {
    const key = `${r.atNetns}/${r.iface}`;
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, r);
      result.push(r);
      continue;
    }
    const a = topo.containers.find((c) => c.id === first.containerId);
    const b = topo.containers.find((c) => c.id === r.containerId);
    if (!a || !b || a.id === b.id || a.netns !== b.netns) throw new CodedError('INVALID_INPUT', `interface ${r.label} is named twice in the targets`);
    const names = [...(first.sharedBy ?? [shownName(a)]), shownName(b)];
    const pod = a.pod && b.pod && a.pod.name === b.pod.name ? ` (pod ${podText(a.pod)})` : '';
    const inner = first.innerName ?? r.iface;
    first.sharedBy = names;
    first.label = `${p(names.join('+'))}/${p(inner)}${first.label.slice(first.label.lastIndexOf(' ('))}`;
    first.comment = `${first.comment}; one interface shared by ${p(names.join(' and '))}${p(pod)}: captured once`;
  }
  return result;
}

/** A short name for files: the containers (or interfaces) captured. */
export function baseNameFor(resolved: ResolvedIface[]): string {
  const names: string[] = [];
  for (const r of resolved) {
    const n = r.containerName ?? r.label.replace(/\s.*$/, '').replace('/', '-');
    if (!names.includes(n)) names.push(n);
  }
  const joined = names.join('+').replace(/[^A-Za-z0-9_.+-]/g, '_');
  return joined.length > 80 ? `${joined.slice(0, 80)}-etc` : joined || 'capture';
}
