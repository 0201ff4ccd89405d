// Parse `ip -json -details addr show` into the fields the resolver needs.
import type { InterfaceKind } from '../../shared/topology';
import type { RawLink } from '../../shared/helper-protocol';

export type { RawLink };

/**
 * iproute2 prints interface names raw inside its JSON strings: a control character in a
 * name (ESC is legal in a Linux interface name) makes the whole document invalid, and the
 * namespace's every interface would be lost. Outside strings `ip -json` prints only
 * printable characters and whitespace, so every other control character is inside a
 * string: escape it, and the name survives as it is.
 */
export function parseIpJson(text: string): unknown {
  return JSON.parse((text || '[]').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

interface IpAddrJson {
  ifindex?: number;
  ifname?: string;
  link_index?: number;
  link_netnsid?: number;
  link_type?: string;
  address?: string;
  mtu?: number;
  operstate?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

const KIND_BY_INFO: Record<string, InterfaceKind> = {
  veth: 'veth',
  bridge: 'bridge',
  macvlan: 'macvlan',
  macvtap: 'macvlan',
  ipvlan: 'ipvlan',
  ipvtap: 'ipvlan',
  vxlan: 'vxlan',
  tun: 'tun',
};

export function kindOf(entry: IpAddrJson): InterfaceKind {
  const info = entry.linkinfo?.info_kind;
  if (info) return KIND_BY_INFO[info] ?? 'other';
  if (entry.link_type === 'loopback') return 'loopback';
  if (entry.link_type === 'none') return 'tun'; // tun devices without linkinfo (older kernels)
  if (entry.link_type === 'ether') return 'physical';
  return 'other';
}

export function parseIpAddrJson(text: string): RawLink[] {
  const parsed = parseIpJson(text);
  if (!Array.isArray(parsed)) throw new Error('ip -json did not print an array');
  const links: RawLink[] = [];
  for (const entry of parsed as IpAddrJson[]) {
    if (typeof entry.ifindex !== 'number' || typeof entry.ifname !== 'string') continue;
    // `ip` prints "eth0@if7" only in text mode; in JSON the name is clean.
    const kind = kindOf(entry);
    let linkIndex = typeof entry.link_index === 'number' ? entry.link_index : null;
    const linkNetnsid = typeof entry.link_netnsid === 'number' ? entry.link_netnsid : null;
    // The kernel omits IFLA_LINK when the peer's index equals this link's own index.
    if (linkIndex === null && linkNetnsid !== null && kind !== 'physical') linkIndex = entry.ifindex;
    links.push({
      ifindex: entry.ifindex,
      name: entry.ifname,
      kind,
      rawKind: entry.linkinfo?.info_kind ?? null,
      mac: entry.address ?? null,
      mtu: typeof entry.mtu === 'number' ? entry.mtu : null,
      state: entry.operstate ?? 'UNKNOWN',
      addresses: (entry.addr_info ?? [])
        .filter((a) => a.local && typeof a.prefixlen === 'number')
        .map((a) => `${a.local}/${a.prefixlen}`),
      master: entry.master ?? null,
      linkIndex,
      linkNetnsid,
    });
  }
  return links;
}
