// Pure helpers for the remote hosts' regions and list (no React): what each host's
// heading says, and searching every host's map with the header's search.
import type { HostTopology } from '../../../shared/api';
import type { HostStatus } from '../../../shared/topology';
import { printable } from '../../../shared/text';
import type { GraphModel } from '../graph/model';
import { searchGraph, type SearchHit } from '../graph/search';

/** `alpha · reachable · 12 ms` / `beta · unreachable: why · retry 14:02:10`. */
export function hostLine(h: HostStatus): string {
  const name = printable(h.id);
  if (h.state === 'reachable') return `${name} · reachable · ${h.latencyMs ?? '?'} ms${h.remoteHostname && h.remoteHostname !== h.name ? ` · hostname ${h.remoteHostname}` : ''}`;
  if (h.state === 'connecting') return `${name} · connecting…`;
  const retry = h.retryAt ? ` · retry ${new Date(h.retryAt).toLocaleTimeString()}` : '';
  return `${name} · unreachable: ${printable(h.lastError?.message ?? 'no answer')}${retry}`;
}

/** Where a source came from, in words. */
export function sourceLabel(h: HostStatus): string {
  switch (h.source) {
    case 'docker-context':
      return `docker context ${printable(h.context ?? '')}`.trim();
    case 'docker-host':
      return 'DOCKER_HOST';
    case 'command-line':
      return '--host';
    case 'local':
      return 'this machine';
    default:
      return 'added here';
  }
}

export interface HostHit extends SearchHit {
  host: string;
}

/** The search on every host's map: each host's best match, labelled by the host ("alpha: web-a"). */
export function searchHosts(models: Array<{ host: string; model: GraphModel }>, query: string): HostHit[] {
  const hits: HostHit[] = [];
  for (const m of models) {
    const hit = searchGraph(m.model, query);
    if (hit) hits.push({ ...hit, host: m.host, why: `${printable(m.host)}: ${hit.why}` });
  }
  return hits;
}

/** A newer snapshot of one host replaces the older; hosts that disappeared from the list drop out. */
export function mergeHosts(prev: HostTopology[], next: HostTopology[]): HostTopology[] {
  return next.map((n) => {
    const p = prev.find((x) => x.host.id === n.host.id);
    return p && JSON.stringify(p) === JSON.stringify(n) ? p : n;
  });
}

/** One selected node of one host (its selection key, graph/selection.ts). */
export interface HostSelection {
  host: string;
  key: string;
}

/** A click: alone it selects only that node; additive (Shift/Ctrl) adds or removes it, on any host. */
export function toggleSelection(cur: HostSelection[], s: HostSelection, additive: boolean): HostSelection[] {
  const same = (x: HostSelection) => x.host === s.host && x.key === s.key;
  if (!additive) return [s];
  return cur.some(same) ? cur.filter((x) => !same(x)) : [...cur, s];
}
