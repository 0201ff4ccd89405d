// Assemble the topology: Docker's view of containers joined with the kernel's
// view of namespaces and interfaces. The namespace scan may come from this
// process (root, or unprivileged: host only) or from the privileged helper.
import type { Container, Namespace, Topology } from '../../../shared/topology';
import type { DockerContainer, DockerListing } from '../../engines/docker';
import type { NamespaceScan, RawNamespace } from '../../kernel/namespaces';
import { resolvePeers } from './resolve-peers';

export interface TopologySources {
  listContainers(): Promise<DockerListing>;
  scanNamespaces(): Promise<NamespaceScan>;
  privilegedMode(): 'root' | 'helper' | 'none';
  privilegedError?(): { code: string; message: string } | undefined;
}

const normalizeRun = (p: string) => p.replace(/^\/var\/run\//, '/run/');

function namespaceOf(c: DockerContainer, scan: NamespaceScan, byPid: Map<number, RawNamespace>): number | null {
  if (c.pid === null) return null;
  const ns = byPid.get(c.pid);
  if (ns) return ns.inode;
  if (c.networkMode === 'host') return scan.hostInode;
  if (c.sandboxKey) {
    const key = normalizeRun(c.sandboxKey);
    const found = scan.namespaces.find((n) => n.paths.some((p) => normalizeRun(p) === key));
    if (found) return found.inode;
  }
  return null;
}

export function buildTopology(listing: DockerListing, scan: NamespaceScan, mode: Topology['privileged']['mode'], started: number, privilegedError?: { code: string; message: string }): Topology {
  const { interfaces, warnings } = resolvePeers(scan.namespaces, scan.hostInode);
  const byPid = new Map<number, RawNamespace>();
  for (const ns of scan.namespaces) for (const pid of ns.pids) byPid.set(pid, ns);

  const containers: Container[] = listing.containers.map((c) => {
    const netns = namespaceOf(c, scan, byPid);
    if (c.pid !== null && netns === null) warnings.push(`container ${c.name}: could not find its network namespace`);
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      pid: c.pid,
      netns,
      hostNetwork: netns !== null && netns === scan.hostInode,
      networkMode: c.networkMode,
      networks: c.networks,
      compose: c.compose,
      interfaces: netns === null ? [] : interfaces.get(netns) ?? [],
    };
  });
  containers.sort((a, b) => a.name.localeCompare(b.name));

  const containerNames = new Map<number, string[]>();
  for (const c of containers)
    if (c.netns !== null && c.netns !== scan.hostInode) containerNames.set(c.netns, [...(containerNames.get(c.netns) ?? []), c.name]);

  const namespaces: Namespace[] = scan.namespaces.map((ns) => ({
    inode: ns.inode,
    names: [...ns.netnsNames, ...(containerNames.get(ns.inode) ?? [])],
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
    privileged: { available: mode !== 'none', mode, ...(privilegedError ? { error: privilegedError } : {}) },
    warnings: [...(listing.warnings ?? []), ...scan.warnings, ...warnings],
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

export async function discoverTopology(sources: TopologySources): Promise<Topology> {
  const started = performance.now();
  const [listing, scan] = await Promise.all([sources.listContainers(), sources.scanNamespaces()]);
  return buildTopology(listing, scan, sources.privilegedMode(), started, sources.privilegedError?.());
}
