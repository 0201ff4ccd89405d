// Finding a container by what a person types: the one place that decides
// NOT_FOUND and AMBIGUOUS, for captures, `vethscope veth` and every front door.
import type { Container, Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';

/** Containers matching a name or id prefix (an exact name or id wins). */
export function matchContainers(topo: Pick<Topology, 'containers'>, query: string): Container[] {
  const exact = topo.containers.filter((c) => c.name === query || c.id === query);
  if (exact.length) return exact;
  return topo.containers.filter((c) => c.id.startsWith(query) || c.name.startsWith(query));
}

/** Exactly one container, or a CodedError saying why not. */
export function findContainer(topo: Topology, query: string): Container {
  const found = matchContainers(topo, query);
  if (found.length === 0) {
    if (!topo.docker.available) throw new CodedError('DOCKER_UNAVAILABLE', `cannot look up container "${query}": ${topo.docker.error?.message ?? 'Docker is unavailable'}`);
    throw new CodedError('NOT_FOUND', `no container named or with id starting "${query}"`);
  }
  if (found.length > 1)
    throw new CodedError('AMBIGUOUS', `"${query}" matches ${found.length} containers: ${found.map((c) => `${c.name} (${c.id.slice(0, 12)})`).join(', ')}`);
  return found[0]!;
}
