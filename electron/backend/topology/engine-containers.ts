// One list of containers from every source: Docker's API (whatever DOCKER_HOST names,
// even Podman's Docker-compatible socket) and the host files of every engine. The same
// container seen twice is one: the API adds networks and stopped containers, the host
// files say which engine it really is, its pod and who runs it.
import type { HostContainer, HostContainerListing } from '../../../shared/helper-protocol';
import type { ContainerEngine, EngineStatus, PodRef } from '../../../shared/topology';
import type { DockerContainer } from '../../engines/docker';
import { byText } from '../../../shared/text';

/** A container before it is joined with its namespace. */
export interface EngineNamed extends DockerContainer {
  engine: ContainerEngine;
  pod: PodRef | null;
  infra: boolean;
  user: number | null;
  /** The namespace inode the host files read, when they could. */
  netnsHint: number | null;
}

function fromHost(h: HostContainer): EngineNamed {
  return {
    id: h.id,
    name: h.name,
    image: h.image ?? '',
    state: 'running',
    pid: h.pid,
    networkMode: '', // decided once the namespace is known (host, pod, private)
    networks: [],
    compose: h.compose,
    sandboxKey: null,
    engine: h.engine,
    pod: h.pod,
    infra: h.infra,
    user: h.uid === 0 ? null : h.uid,
    netnsHint: h.netns,
  };
}

export interface MergedContainers {
  containers: EngineNamed[];
  engines: EngineStatus[];
}

export function mergeContainers(api: DockerContainer[], host: HostContainer[]): MergedContainers {
  const byId = new Map(host.map((h) => [h.id, h]));
  const byPid = new Map(host.map((h) => [h.pid, h]));
  const used = new Set<HostContainer>();
  const sources = new Map<ContainerEngine, Set<'api' | 'host'>>();
  const note = (e: ContainerEngine, s: 'api' | 'host') => sources.set(e, (sources.get(e) ?? new Set()).add(s));
  const out: EngineNamed[] = [];
  for (const c of api) {
    const h = byId.get(c.id) ?? (c.pid !== null ? byPid.get(c.pid) : undefined);
    if (h) used.add(h);
    const engine = h?.engine ?? 'docker';
    note(engine, 'api');
    if (h) note(engine, 'host');
    out.push({ ...c, image: c.image || h?.image || '', compose: c.compose ?? h?.compose ?? null, engine, pod: h?.pod ?? null, infra: h?.infra ?? false, user: h && h.uid !== 0 ? h.uid : null, netnsHint: h?.netns ?? null });
  }
  for (const h of host) {
    if (used.has(h)) continue;
    note(h.engine, 'host');
    out.push(fromHost(h));
  }
  const engines: EngineStatus[] = [...sources].map(([engine, s]) => ({ engine, containers: out.filter((c) => c.engine === engine).length, sources: [...s].sort() }));
  engines.sort((a, b) => byText(a.engine, b.engine));
  return { containers: out, engines };
}

/**
 * The helper's listing (root's engines, complete) and our own (our rootless containers,
 * with the image our files name): one per container, ours filling what root left empty.
 */
export function mergeHostListings(root: HostContainerListing, own: HostContainerListing): HostContainerListing {
  const mine = new Map(own.containers.map((c) => [`${c.engine}/${c.id}`, c]));
  const containers = root.containers.map((c) => {
    const m = mine.get(`${c.engine}/${c.id}`);
    mine.delete(`${c.engine}/${c.id}`);
    if (!m) return c;
    // Our own rootless container: our reading of our files is the better one.
    return c.uid !== 0 ? { ...m, netns: m.netns ?? c.netns } : { ...c, image: c.image ?? m.image, netns: c.netns ?? m.netns };
  });
  return { containers: [...containers, ...mine.values()], warnings: [...root.warnings, ...own.warnings] };
}
