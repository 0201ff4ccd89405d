// Decide which namespaces read through sysfs can be trusted as they are.
// sysfs gives ifindex and iflink but neither the link kind nor IFLA_LINK_NETNSID,
// so a container link with iflink != ifindex counts as a veth only when exactly one
// interface anywhere could be its peer, that one is a host veth (kind and netnsid
// from `ip -d` in the host), the host veth points back, nobody else claims it, and
// the host's netnsids stay one-to-one with the namespaces they pair with.
// Every other namespace is handed back to be read with `ip` inside it.
import type { RawLink } from './ip-json';
import type { SysfsLink } from './sysfs-read';

/** What pairing needs of a namespace (namespaces.ts's RawNamespace, kept opaque here). */
export interface PairableNamespace {
  isHost: boolean;
  links: RawLink[];
}

export interface FastPairing<RawNamespace extends PairableNamespace> {
  accepted: Map<RawNamespace, RawLink[]>;
  /** Namespaces to read with `ip` instead, and why. */
  rejected: Map<RawNamespace, string>;
}

interface Claim<RawNamespace> {
  ns: RawNamespace;
  host: RawLink;
}

export function pairSysfsNamespaces<RawNamespace extends PairableNamespace>(ipRead: readonly RawNamespace[], fast: ReadonlyMap<RawNamespace, SysfsLink[]>): FastPairing<RawNamespace> {
  const rejected = new Map<RawNamespace, string>();
  const host = ipRead.find((n) => n.isHost);
  const hostLinks = host?.links ?? [];
  const claims: Claim<RawNamespace>[] = [];

  // Links by (ifindex, the index they point at), counted once: each container link asks who could be its peer.
  const key = (ifindex: number, points: number | null) => `${ifindex}:${points}`;
  const hostVeths = group(
    hostLinks.filter((h) => h.kind === 'veth' && h.linkNetnsid !== null),
    (h) => key(h.ifindex, h.linkIndex),
  );
  const ipElsewhere = new Map<string, number>();
  for (const d of ipRead) if (!d.isHost) for (const l of d.links) ipElsewhere.set(key(l.ifindex, l.linkIndex), (ipElsewhere.get(key(l.ifindex, l.linkIndex)) ?? 0) + 1);
  const sysfsLinked = new Map<string, number>();
  for (const [, e] of fast) for (const l of e) if (l.kind === 'linked') sysfsLinked.set(key(l.ifindex, l.iflink), (sysfsLinked.get(key(l.ifindex, l.iflink)) ?? 0) + 1);

  for (const [ns, links] of fast) {
    for (const c of links) {
      if (c.kind === 'unknown') {
        rejected.set(ns, `${c.name}: kind not visible in sysfs`);
        break;
      }
      if (c.kind !== 'linked') continue;
      const peerKey = key(c.iflink, c.ifindex);
      const hostCands = hostVeths.get(peerKey) ?? [];
      // c itself is not under peerKey: a 'linked' link never points at its own index.
      const others = (ipElsewhere.get(peerKey) ?? 0) + (sysfsLinked.get(peerKey) ?? 0);
      if (hostCands.length !== 1 || others > 0) {
        rejected.set(ns, `${c.name}: ${hostCands.length + others} possible peers`);
        break;
      }
      claims.push({ ns, host: hostCands[0]! });
    }
  }

  // Settle conflicts until none are left: rejecting only removes claims.
  for (let changed = true; changed; ) {
    changed = false;
    const live = claims.filter((c) => !rejected.has(c.ns));
    const reject = (ns: RawNamespace, why: string) => {
      if (!rejected.has(ns)) {
        rejected.set(ns, why);
        changed = true;
      }
    };
    const byHost = group(live, (c) => c.host);
    for (const [h, cs] of byHost) if (new Set(cs.map((c) => c.ns)).size > 1 || cs.length > 1) for (const c of cs) reject(c.ns, `host ${h.name} claimed twice`);
    // The host names each other namespace by one netnsid: one nsid, one namespace, and back.
    for (const [nsid, cs] of group(live, (c) => c.host.linkNetnsid)) if (new Set(cs.map((c) => c.ns)).size > 1) for (const c of cs) reject(c.ns, `host netnsid ${nsid} would name two namespaces`);
    for (const [ns, cs] of group(live, (c) => c.ns)) if (new Set(cs.map((c) => c.host.linkNetnsid)).size > 1) reject(ns, 'host uses two netnsids for it');
  }

  const accepted = new Map<RawNamespace, RawLink[]>();
  for (const [ns, links] of fast) if (!rejected.has(ns)) accepted.set(ns, links.map(toRawLink));
  return { accepted, rejected };
}

function group<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

function toRawLink(l: SysfsLink): RawLink {
  const veth = l.kind === 'linked';
  return {
    ifindex: l.ifindex,
    name: l.name,
    kind: veth ? 'veth' : (l.kind as 'loopback' | 'bridge' | 'tun'),
    rawKind: veth ? 'veth' : l.kind === 'loopback' ? null : l.kind,
    mac: l.mac,
    mtu: l.mtu,
    state: l.state,
    addresses: l.addresses,
    master: l.master,
    linkIndex: veth ? l.iflink : null,
    linkNetnsid: null,
    linkNetnsUnknown: veth ? true : undefined,
  };
}
