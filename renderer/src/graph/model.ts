// Topology -> a plain graph model (no React, no layout), so it can be unit-tested
// and so a structural key can tell "same wiring" from "changed wiring".
import type { Container, NetInterface, Namespace, Topology } from '../../../shared/topology';
import { printable } from '../../../shared/text';
import { bridgeNetworks } from './networks';

export type NodeKind = 'host' | 'bridge' | 'netns' | 'stopped' | 'group';
export interface IfaceRef {
  netns: number;
  name: string;
}

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** Accessible name: the container name(s), or a description for host/bridge/netns nodes. */
  label: string;
  /** Compose group node id, when the node is framed by a project. */
  parent?: string;
  width: number;
  height: number;
  netns: number | null;
  /** Every container living in this namespace (shared namespaces list several). */
  containers: Container[];
  /** ip netns names (non-Docker namespaces) or bridge name. */
  names: string[];
  /** Interfaces shown on the node (loopback left out). */
  interfaces: NetInterface[];
  namespace?: Namespace;
  project?: string;
  /** A pod's frame (Podman or Kubernetes): its name, `NAMESPACE/NAME` for Kubernetes. */
  pod?: string;
  /** For a bridge: the container networks it is (Docker's nb-front for br-8f6edaf192f9). */
  networks?: string[];
}

export type EdgeKind = 'veth' | 'macvlan' | 'host-bridge' | 'direct';
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label: string;
  /** Which interface's counters measure the traffic on this edge. */
  rateKey: IfaceRef | null;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Changes only when nodes, edges, groups or sizes change: the layout is keyed on it. */
  structureKey: string;
}

export interface BuildOptions {
  showStopped: boolean;
}

export const NODE_WIDTH = 230;
const ROW = 18;
export const nsNodeId = (inode: number) => `ns:${inode}`;
export const bridgeNodeId = (inode: number, name: string) => `br:${inode}:${name}`;
export const stoppedNodeId = (id: string) => `c:${id}`;
export const groupNodeId = (project: string) => `g:${project}`;
export const podGroupId = (pod: string) => `g:pod:${pod}`;
const podKey = (p: NonNullable<Container['pod']>) => (p.namespace ? `${p.namespace}/${p.name}` : p.name);
export const rateKeyString = (r: IfaceRef) => `${r.netns}/${r.name}`;

const visibleIfaces = (ifs: NetInterface[]) => ifs.filter((i) => i.kind !== 'loopback');
/** Running-ish containers own a namespace; the rest are drawn dimmed on their own. */
export const isRunning = (c: Container) => c.netns !== null && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting');

export function buildGraph(topo: Topology, opts: BuildOptions): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const nsByInode = new Map(topo.namespaces.map((n) => [n.inode, n]));
  const hostInodes = new Set(topo.namespaces.filter((n) => n.isHost).map((n) => n.inode));
  if (!nsByInode.has(topo.hostNetns)) hostInodes.add(topo.hostNetns);
  const containersByNs = new Map<number, Container[]>();
  for (const c of topo.containers) {
    if (c.netns === null || !isRunning(c)) continue;
    const list = containersByNs.get(c.netns) ?? [];
    list.push(c);
    containersByNs.set(c.netns, list);
  }
  for (const list of containersByNs.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const groups = new Set<string>();
  const pods = new Set<string>();
  const present = new Set<string>();
  const networksOf = bridgeNetworks(topo);

  // Host namespace(s): physical interfaces on the node, each bridge a node of its own.
  for (const inode of hostInodes) {
    const ns = nsByInode.get(inode);
    const ifs = ns ? ns.interfaces : [];
    const shown = ifs.filter((i) => i.kind === 'physical' || i.kind === 'vxlan' || i.kind === 'tun');
    const hostContainers = containersByNs.get(inode) ?? [];
    const id = nsNodeId(inode);
    nodes.push({
      id,
      kind: 'host',
      label: hostContainers.length ? `Host namespace (host-network containers: ${hostContainers.map((c) => printable(c.name)).join(', ')})` : 'Host namespace',
      width: NODE_WIDTH,
      height: 56 + ROW * (shown.length + (hostContainers.length ? 1 : 0)),
      netns: inode,
      containers: hostContainers,
      names: ns?.names ?? [],
      interfaces: shown,
      namespace: ns,
    });
    present.add(id);
    for (const br of ifs.filter((i) => i.kind === 'bridge')) {
      const bid = bridgeNodeId(inode, br.name);
      const networks = networksOf.get(`${inode}/${br.name}`) ?? [];
      nodes.push({
        id: bid,
        kind: 'bridge',
        label: networks.length ? `Bridge ${networks.map(printable).join(', ')} (${printable(br.name)})` : `Bridge ${printable(br.name)}`,
        networks,
        width: 230,
        height: networks.length ? 72 : 54,
        netns: inode,
        containers: [],
        names: [br.name],
        interfaces: [br],
        namespace: ns,
      });
      present.add(bid);
      edges.push({ id: `e:${id}->${bid}`, source: id, target: bid, kind: 'host-bridge', label: '', rateKey: null });
    }
  }

  // Every other namespace that has containers, an `ip netns` name, or a real interface.
  for (const ns of topo.namespaces) {
    if (hostInodes.has(ns.inode)) continue;
    const all = containersByNs.get(ns.inode) ?? [];
    // A pod's infra container only holds the namespace: the node is its members (the infra alone if none).
    const members = all.filter((c) => !c.infra);
    const cs = members.length ? members : all;
    const shown = visibleIfaces(ns.interfaces);
    if (!cs.length && !ns.names.length && !shown.length) continue;
    const id = nsNodeId(ns.inode);
    const podRef = all.find((c) => c.pod)?.pod;
    const pod = podRef ? podKey(podRef) : undefined;
    const project = pod ? undefined : cs.find((c) => c.compose)?.compose?.project;
    const parent = pod ? podGroupId(pod) : project ? groupNodeId(project) : undefined;
    if (pod) pods.add(pod);
    if (project) groups.add(project);
    nodes.push({
      id,
      kind: 'netns',
      label: members.length ? members.map((c) => printable(c.name)).join(', ') : podRef ? `Pod ${printable(podRef.name)}` : cs.length ? cs.map((c) => printable(c.name)).join(', ') : `Namespace ${printable(ns.names[0] ?? String(ns.inode))}`,
      parent,
      width: NODE_WIDTH,
      // Header (names + image) + one row per interface + the rate line.
      height: 62 + ROW * Math.max(0, cs.length - 1) + ROW * shown.length + 26,
      netns: ns.inode,
      containers: cs,
      names: ns.names.filter((n) => !all.some((c) => c.name === n) && n !== podRef?.name),
      interfaces: shown,
      namespace: ns,
      project,
      pod,
    });
    present.add(id);
  }

  if (opts.showStopped) {
    for (const c of topo.containers) {
      if (isRunning(c)) continue;
      const id = stoppedNodeId(c.id);
      const project = c.compose?.project;
      if (project) groups.add(project);
      nodes.push({
        id,
        kind: 'stopped',
        label: printable(c.name),
        parent: project ? groupNodeId(project) : undefined,
        width: NODE_WIDTH,
        height: 62,
        netns: null,
        containers: [c],
        names: [],
        interfaces: [],
        project,
      });
      present.add(id);
    }
  }

  // Edges: follow each non-host namespace's interfaces to whatever they attach to.
  const seenDirect = new Set<string>();
  for (const n of nodes) {
    if (n.kind !== 'netns' || !n.namespace) continue;
    for (const i of n.namespace.interfaces) {
      if (i.kind === 'veth' && i.peer) {
        const peer = i.peer;
        if (hostInodes.has(peer.netns)) {
          const hostNs = nsByInode.get(peer.netns);
          const h = hostNs?.interfaces.find((x) => x.name === peer.name);
          const src = h?.master && present.has(bridgeNodeId(peer.netns, h.master)) ? bridgeNodeId(peer.netns, h.master) : nsNodeId(peer.netns);
          edges.push({ id: `e:${peer.netns}/${peer.name}->${n.id}/${i.name}`, source: src, target: n.id, kind: 'veth', label: `${printable(peer.name)} → ${printable(i.name)}`, rateKey: { netns: peer.netns, name: peer.name } });
        } else if (present.has(nsNodeId(peer.netns))) {
          const a = `${n.netns}/${i.name}`;
          const b = `${peer.netns}/${peer.name}`;
          const key = a < b ? `${a}|${b}` : `${b}|${a}`;
          if (seenDirect.has(key)) continue;
          seenDirect.add(key);
          edges.push({ id: `e:direct:${key}`, source: nsNodeId(peer.netns), target: n.id, kind: 'direct', label: `${printable(peer.name)} ↔ ${printable(i.name)}`, rateKey: { netns: n.netns!, name: i.name } });
        }
      } else if ((i.kind === 'macvlan' || i.kind === 'ipvlan' || i.kind === 'vxlan') && i.parent) {
        const p = i.parent;
        const pNs = nsByInode.get(p.netns);
        const pIf = pNs?.interfaces.find((x) => x.name === p.name);
        const src = pIf?.kind === 'bridge' && present.has(bridgeNodeId(p.netns, p.name)) ? bridgeNodeId(p.netns, p.name) : nsNodeId(p.netns);
        if (!present.has(src)) continue;
        edges.push({ id: `e:${i.kind}:${p.netns}/${p.name}->${n.id}/${i.name}`, source: src, target: n.id, kind: 'macvlan', label: `${i.kind} on ${printable(p.name)}`, rateKey: { netns: n.netns!, name: i.name } });
      }
    }
  }

  const groupNodes: GraphNode[] = [...groups].sort().map((project) => ({
    id: groupNodeId(project),
    kind: 'group',
    label: `Compose project ${project}`,
    width: 0,
    height: 0,
    netns: null,
    containers: [],
    names: [project],
    interfaces: [],
    project,
  }));
  const podNodes: GraphNode[] = [...pods].sort().map((pod) => ({
    id: podGroupId(pod),
    kind: 'group',
    label: `Pod ${printable(pod)}`,
    width: 0,
    height: 0,
    netns: null,
    containers: [],
    names: [pod],
    interfaces: [],
    pod,
  }));
  const all = [...groupNodes, ...podNodes, ...nodes];
  const structureKey = [
    all.map((n) => `${n.id}@${n.parent ?? ''}#${n.height}`).sort().join(','),
    edges.map((e) => e.id).sort().join(','),
  ].join('||');
  return { nodes: all, edges, structureKey };
}
