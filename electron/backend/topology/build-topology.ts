// Assemble the topology: every engine's containers (Docker's API and the host files of
// every engine) joined with the kernel's view of namespaces and interfaces. The namespace
// scan may come from this process (root, or unprivileged: host only) or from the helper.
import { isEngineInternalName, type Container, type Namespace, type Topology } from '../../../shared/topology';
import type { HostContainerListing } from '../../../shared/helper-protocol';
import type { DockerListing } from '../../engines/docker';
import type { NamespaceScan, RawNamespace } from '../../kernel/namespaces';
import { mergeContainers, type EngineNamed } from './engine-containers';
import { resolvePeers } from './resolve-peers';
import { byText } from '../../../shared/text';
import { monotonicMs } from '../../util/clock';

export interface TopologySources {
  listContainers(): Promise<DockerListing>;
  /** Every engine's running containers from the host's files (no engine API needed). */
  listHostContainers?(): Promise<HostContainerListing>;
  scanNamespaces(): Promise<NamespaceScan>;
  privilegedMode(): 'root' | 'helper' | 'none';
  privilegedError?(): { code: string; message: string } | undefined;
}

const normalizeRun = (p: string) => p.replace(/^\/var\/run\//, '/run/');
const NO_HOST_CONTAINERS: HostContainerListing = { containers: [], warnings: [] };

function namespaceOf(c: EngineNamed, scan: NamespaceScan, byPid: Map<number, RawNamespace>, known: Set<number>): number | null {
  if (c.pid === null) return null;
  if (c.netnsHint !== null && known.has(c.netnsHint)) return c.netnsHint;
  const ns = byPid.get(c.pid);
  if (ns) return ns.inode;
  if (c.networkMode === 'host') return scan.hostInode;
  if (c.sandboxKey) {
    const key = normalizeRun(c.sandboxKey);
    const found = scan.namespaces.find((n) => n.paths.some((p) => normalizeRun(p) === key));
    if (found) return found.inode;
  }
  // A namespace the scan did not list (unreadable as a user) is still the host's when the host files say so.
  return c.netnsHint === scan.hostInode ? scan.hostInode : null;
}

/** Engines without Docker's NetworkMode: what the namespace says about it. */
function networkModeOf(c: EngineNamed, netns: number | null, hostInode: number): string {
  if (c.networkMode) return c.networkMode;
  if (netns !== null && netns === hostInode) return 'host';
  return c.pod ? 'pod' : 'private';
}

/** Best name first: names a person chose, the containers in it, their pods, then engine-internal file names. */
function namespaceNames(ns: RawNamespace, inside: Container[]): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  for (const n of ns.netnsNames) if (!isEngineInternalName(n)) add(n);
  for (const c of inside) if (!c.infra) add(c.name);
  for (const c of inside) if (c.pod) add(c.pod.name);
  for (const c of inside) if (c.infra) add(c.name);
  for (const n of ns.netnsNames) if (isEngineInternalName(n)) add(n);
  return names;
}

/** `started`: monotonicMs() when discovery began (elapsedMs is measured from it). */
export function buildTopology(listing: DockerListing, scan: NamespaceScan, mode: Topology['privileged']['mode'], started: number, privilegedError?: { code: string; message: string }, host: HostContainerListing = NO_HOST_CONTAINERS): Topology {
  const { interfaces, warnings } = resolvePeers(scan.namespaces, scan.hostInode);
  const byPid = new Map<number, RawNamespace>();
  for (const ns of scan.namespaces) for (const pid of ns.pids) byPid.set(pid, ns);
  const known = new Set(scan.namespaces.map((n) => n.inode));
  const merged = mergeContainers(listing.containers, host.containers);

  const containers: Container[] = merged.containers.map((c) => {
    const netns = namespaceOf(c, scan, byPid, known);
    if (c.pid !== null && netns === null && mode !== 'none') warnings.push(`container ${c.name}: could not find its network namespace`);
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      engine: c.engine,
      pod: c.pod,
      infra: c.infra,
      user: c.user,
      state: c.state,
      pid: c.pid,
      netns,
      hostNetwork: netns !== null && netns === scan.hostInode,
      networkMode: networkModeOf(c, netns, scan.hostInode),
      networks: c.networks,
      compose: c.compose,
      interfaces: netns === null ? [] : interfaces.get(netns) ?? [],
    };
  });
  containers.sort((a, b) => byText(a.name, b.name) || byText(a.engine, b.engine));

  const inside = new Map<number, Container[]>();
  for (const c of containers) if (c.netns !== null && c.netns !== scan.hostInode) inside.set(c.netns, [...(inside.get(c.netns) ?? []), c]);

  const namespaces: Namespace[] = scan.namespaces.map((ns) => ({
    inode: ns.inode,
    names: namespaceNames(ns, inside.get(ns.inode) ?? []),
    isHost: ns.isHost,
    pids: ns.pids,
    paths: ns.paths,
    interfaces: interfaces.get(ns.inode) ?? [],
  }));
  namespaces.sort((a, b) => Number(b.isHost) - Number(a.isHost) || a.inode - b.inode);

  return {
    generatedAt: new Date().toISOString(),
    hostNetns: scan.hostInode,
    containers,
    namespaces,
    docker: listing.status,
    engines: merged.engines,
    privileged: { available: mode !== 'none', mode, ...(privilegedError ? { error: privilegedError } : {}) },
    warnings: [...(listing.warnings ?? []), ...host.warnings, ...scan.warnings, ...warnings],
    elapsedMs: Math.round((monotonicMs() - started) * 10) / 10,
  };
}

export async function discoverTopology(sources: TopologySources): Promise<Topology> {
  const started = monotonicMs();
  const [listing, scan, host] = await Promise.all([sources.listContainers(), sources.scanNamespaces(), sources.listHostContainers?.() ?? NO_HOST_CONTAINERS]);
  return buildTopology(listing, scan, sources.privilegedMode(), started, sources.privilegedError?.(), host);
}
