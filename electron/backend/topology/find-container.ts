// Finding a container by what a person types: the one place that decides
// NOT_FOUND and AMBIGUOUS, for captures, `vethscope veth` and every front door.
import type { Container, Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';

/**
 * Containers matching what a person typed, in tiers (the first tier with a match wins):
 * an exact name or id; a compose service (`web` is the container of service web, every
 * replica when scaled); a name or id prefix, or a run of the name's words whatever the
 * separator (`web-1` and `web_1` both find nb_web_1 and nb-web-1).
 */
export function matchContainers(topo: Pick<Topology, 'containers'>, query: string): Container[] {
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
  return topo.containers.filter((c) => c.id.startsWith(query) || c.name.startsWith(query) || (byWords && containsRun(nameWords(c.name), words)));
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
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** Exactly one container, or a CodedError saying why not. */
export function findContainer(topo: Topology, query: string): Container {
  const found = matchContainers(topo, query);
  if (found.length === 0) {
    if (!topo.docker.available) throw new CodedError('DOCKER_UNAVAILABLE', `cannot look up container "${query}": ${topo.docker.error?.message ?? 'Docker is unavailable'}`);
    const near = suggestContainers(topo, query);
    throw new CodedError('NOT_FOUND', `no container named or with id starting "${query}"${near.length ? `: did you mean ${near.join(' or ')}?` : ''}`);
  }
  if (found.length > 1)
    throw new CodedError('AMBIGUOUS', `"${query}" matches ${found.length} containers: ${found.map((c) => `${c.name} (${c.id.slice(0, 12)})`).join(', ')}`);
  return found[0]!;
}
