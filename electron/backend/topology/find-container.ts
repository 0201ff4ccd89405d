// Finding a container by what a person types: the one place that decides
// NOT_FOUND and AMBIGUOUS, for captures, `vethscope veth` and every front door.
import type { Container, ContainerEngine, Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';
import { byText } from '../../../shared/text';

/**
 * Containers matching what a person typed, in tiers (the first tier with a match wins):
 * an exact name or id; a compose service (`web` is the container of service web, every
 * replica when scaled); a name or id prefix, or a run of the name's words whatever the
 * separator (`web-1` and `web_1` both find nb_web_1 and nb-web-1).
 */
export function matchContainers(topo: Pick<Topology, 'containers'>, query: string): Container[] {
  const pod = podMembers(topo, query);
  if (pod) return pod;
  const scoped = engineScoped(topo, query);
  if (scoped) return matchContainers(scoped.topo, scoped.rest);
  const exact = topo.containers.filter((c) => c.name === query || c.id === query);
  if (exact.length) return exact;
  const service = topo.containers.filter((c) => c.compose?.service === query);
  // A service's exited leftovers do not make its one running container ambiguous.
  const serviceRunning = service.filter((c) => c.state === 'running');
  if (serviceRunning.length === 1) return serviceRunning;
  if (service.length) return service;
  // A run of numbers alone ("1") would pick a replica of anything: words must name something.
  const words = nameWords(query);
  const byWords = words.some((w) => !/^\d+$/.test(w));
  // A pod's infra container answers only to its exact name (or pod/NAME): it would make every prefix ambiguous.
  return topo.containers.filter((c) => !c.infra && (c.id.startsWith(query) || c.name.startsWith(query) || (byWords && containsRun(nameWords(c.name), words))));
}

/** `pod/NAME`, or `pod/NAMESPACE/NAME` for a Kubernetes pod: its containers (null when the query names no pod). */
export function podMembers(topo: Pick<Topology, 'containers'>, query: string): Container[] | null {
  if (!query.startsWith('pod/')) return null;
  const rest = query.slice(4);
  const cut = rest.lastIndexOf('/');
  const [namespace, name] = cut > 0 ? [rest.slice(0, cut), rest.slice(cut + 1)] : [null, rest];
  return topo.containers.filter((c) => c.pod?.name === name && (namespace === null || c.pod.namespace === namespace));
}

const ENGINES: ReadonlySet<string> = new Set<ContainerEngine>(['docker', 'podman', 'containerd', 'cri-o', 'lxc', 'nspawn']);

/** `ENGINE:NAME` (`podman:web`, `lxc:web`): the same name in two engines, told apart. */
function engineScoped(topo: Pick<Topology, 'containers'>, query: string): { topo: Pick<Topology, 'containers'>; rest: string } | null {
  const cut = query.indexOf(':');
  if (cut <= 0 || !ENGINES.has(query.slice(0, cut))) return null;
  const engine = query.slice(0, cut);
  return { topo: { containers: topo.containers.filter((c) => c.engine === engine) }, rest: query.slice(cut + 1) };
}

/** A name's words: lower case, split at `-`, `_` and `.` (compose v1 names nb_web_1, v2 nb-web-1). */
const nameWords = (s: string): string[] => s.toLowerCase().split(/[-_.]+/).filter(Boolean);

function containsRun(hay: string[], run: string[]): boolean {
  for (let i = 0; i + run.length <= hay.length; i++) if (run.every((w, k) => hay[i + k] === w)) return true;
  return false;
}

/** Optimal string alignment distance (a swap of two neighbours counts once: "wbe" is 1 from "web"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/**
 * Names close to `query` for "did you mean ...?", closest first (at most 3): a typo in the
 * name, in a run of its words (`wbe` or `web-2` for nb_web_1) or in a compose service, or
 * the query inside a name.
 */
export function suggestContainers(topo: Pick<Topology, 'containers'>, query: string, max = 3): string[] {
  const q = query.toLowerCase().replace(/[_.]+/g, '-');
  const qWords = nameWords(query);
  const allowed = Math.max(1, Math.floor(q.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const c of topo.containers) {
    const words = nameWords(c.name);
    const runs = [words.join('-')];
    for (let i = 0; qWords.length > 0 && i + qWords.length <= words.length; i++) runs.push(words.slice(i, i + qWords.length).join('-'));
    if (c.compose) runs.push(c.compose.service.toLowerCase());
    let score = Math.min(...runs.map((r) => distance(q, r)));
    if (score > allowed && q.length >= 3 && c.name.toLowerCase().includes(query.toLowerCase())) score = allowed;
    if (score <= allowed) scored.push({ name: c.name, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || byText(a.name, b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** Exactly one container, or a CodedError saying why not. */
export function findContainer(topo: Topology, query: string): Container {
  const found = matchContainers(topo, query);
  const pod = podMembers(topo, query);
  if (pod?.length) return podRepresentative(pod, query);
  if (found.length === 0) {
    if (pod) throw new CodedError('NOT_FOUND', `no pod named "${query.slice(4)}"${podNames(topo)}`);
    if (!topo.docker.available && !topo.containers.some((c) => c.engine !== 'docker')) throw new CodedError('DOCKER_UNAVAILABLE', `cannot look up container "${query}": ${topo.docker.error?.message ?? 'Docker is unavailable'}`);
    const near = suggestContainers(topo, query);
    throw new CodedError('NOT_FOUND', `no container named or with id starting "${query}"${near.length ? `: did you mean ${near.join(' or ')}?` : ''}`);
  }
  if (found.length > 1)
    throw new CodedError('AMBIGUOUS', `"${query}" matches ${found.length} containers: ${found.map((c) => `${c.name} (${c.engine === 'docker' ? '' : `${c.engine} `}${c.id.slice(0, 12)})`).join(', ')}${found.some((c) => c.engine !== found[0]!.engine) ? ` (ENGINE:NAME picks one engine's, e.g. ${found[0]!.engine}:${found[0]!.name})` : ''}`);
  return found[0]!;
}

/** A pod shares one network namespace: the container that holds it (the infra container when there is one). */
function podRepresentative(members: Container[], query: string): Container {
  const running = members.filter((c) => c.netns !== null);
  const namespaces = new Set(running.map((c) => c.netns));
  if (namespaces.size > 1) throw new CodedError('AMBIGUOUS', `${query}: its containers live in ${namespaces.size} network namespaces: ${members.map((c) => c.name).join(', ')}`);
  return running.find((c) => c.infra) ?? running[0] ?? members.find((c) => c.infra) ?? members[0]!;
}

function podNames(topo: Pick<Topology, 'containers'>): string {
  const names = [...new Set(topo.containers.filter((c) => c.pod).map((c) => (c.pod!.namespace ? `${c.pod!.namespace}/${c.pod!.name}` : c.pod!.name)))].sort();
  return names.length ? ` (pods here: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})` : '';
}
