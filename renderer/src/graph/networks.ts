// Which Docker network each host bridge is, so the map can say "nb-front" where the
// kernel says br-8f6edaf192f9. Docker names a user-defined network's bridge after the
// network id (br-<first 12 of the id>); any bridge (docker0, a --bridge one) is also
// found from a container's address on that network: the interface holding it, its host
// peer, that peer's bridge.
import type { Topology } from '../../../shared/topology';

const ipOnly = (cidr: string) => cidr.split('/')[0]!;

/** `${hostInode}/${bridge}` -> network names on it (sorted). */
export function bridgeNetworks(topo: Topology): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const host = topo.namespaces.find((n) => n.inode === topo.hostNetns);
  const hostIfaces = new Map((host?.interfaces ?? []).map((i) => [i.name, i]));
  const add = (bridge: string, network: string) => {
    const k = `${topo.hostNetns}/${bridge}`;
    (out.get(k) ?? out.set(k, new Set()).get(k)!).add(network);
  };
  for (const c of topo.containers) {
    for (const n of c.networks) {
      const byId = n.networkId ? `br-${n.networkId.slice(0, 12)}` : null;
      if (byId && hostIfaces.get(byId)?.kind === 'bridge') {
        add(byId, n.name);
        continue;
      }
      const ips = [n.ipv4, n.ipv6].filter((x): x is string => Boolean(x)).map(ipOnly);
      const inner = c.interfaces.find((i) => i.addresses.some((a) => ips.includes(ipOnly(a))));
      const peer = inner?.hostPeer ? hostIfaces.get(inner.hostPeer) : undefined;
      if (peer?.master && hostIfaces.get(peer.master)?.kind === 'bridge') add(peer.master, n.name);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}
