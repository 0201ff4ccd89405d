// One-line packet summaries (source, destination, protocol, info) for the live
// packet list, worded like Wireshark's columns so people recognise them.
// Stateless: no reassembly, no relative sequence numbers. Never throws: a cut
// or malformed packet yields what could be decoded plus a note in `info`.
import { ipv4, ipv6, mac } from './addr';
import { icmp, icmpv6, tcp, udp } from './transport';
import { cutShort, type IpContext, type Summary } from './types';

export type { Summary } from './types';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;

const ETHERTYPES: Record<number, string> = { 0x8035: 'RARP', 0x88cc: 'LLDP', 0x888e: 'EAPOL', 0x8847: 'MPLS', 0x8848: 'MPLS', 0x88f7: 'PTPv2', 0x8863: 'PPPoED', 0x8864: 'PPPoES' };
const IP_PROTOCOLS: Record<number, string> = { 2: 'IGMP', 4: 'IPIP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP' };
const protoName = (p: number) => ({ 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' })[p] ?? IP_PROTOCOLS[p] ?? `${p}`;

interface L2 {
  src: string;
  dst: string;
}

export function summarize(linkType: number, data: Buffer, origLen: number): Summary {
  try {
    return byLinkType(linkType, data, origLen);
  } catch {
    // Every read is bounds-checked above; this is a backstop so one odd packet never breaks the list.
    return { src: '', dst: '', protocol: 'Unknown', info: '[Malformed Packet]' };
  }
}

function byLinkType(linkType: number, d: Buffer, origLen: number): Summary {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return ethernet(d, origLen);
    case LINKTYPE_LINUX_SLL:
      if (d.length < 16) return cutShort({ src: '', dst: '', protocol: 'SLL', info: '' }, d, origLen);
      return byEtherType(d.readUInt16BE(14), d, 16, { src: sllAddr(d, d.readUInt16BE(4), 6), dst: '' }, origLen);
    case LINKTYPE_LINUX_SLL2:
      if (d.length < 20) return cutShort({ src: '', dst: '', protocol: 'SLL2', info: '' }, d, origLen);
      return byEtherType(d.readUInt16BE(0), d, 20, { src: sllAddr(d, d[11]!, 12), dst: '' }, origLen);
    case LINKTYPE_RAW:
    case 12: // DLT_RAW as some BSDs number it
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: {
      const v = d.length ? d[0]! >> 4 : 0;
      const l2 = { src: '', dst: '' };
      if (v === 4) return ip4(d, 0, l2, origLen);
      if (v === 6) return ip6(d, 0, l2, origLen);
      return cutShort({ src: '', dst: '', protocol: 'Raw', info: d.length ? `Unknown IP version ${v}` : '' }, d, d.length ? d.length : origLen);
    }
    default:
      return { src: '', dst: '', protocol: `DLT ${linkType}`, info: `Link type ${linkType} is not decoded` };
  }
}

/** A cooked header's link-layer address, as a MAC when it is one. */
function sllAddr(d: Buffer, len: number, addrOff: number): string {
  if (len === 6) return mac(d, addrOff);
  return d.subarray(addrOff, addrOff + Math.min(len, 8)).toString('hex').replace(/(..)(?!$)/g, '$1:');
}

function ethernet(d: Buffer, origLen: number): Summary {
  if (d.length < 14) return cutShort({ src: '', dst: '', protocol: 'Ethernet', info: '' }, d, origLen);
  const l2 = { src: mac(d, 6), dst: mac(d, 0) };
  let type = d.readUInt16BE(12);
  let off = 14;
  // 802.1Q / 802.1ad tags (stacked for QinQ): the real ethertype follows them.
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (d.length < off + 4) return cutShort({ ...l2, protocol: '802.1Q', info: `PRI: ${d[off] === undefined ? '?' : d[off]! >> 5}` }, d, origLen);
    type = d.readUInt16BE(off + 2);
    off += 4;
  }
  return byEtherType(type, d, off, l2, origLen);
}

function byEtherType(type: number, d: Buffer, off: number, l2: L2, origLen: number): Summary {
  if (type === 0x0800) return ip4(d, off, l2, origLen);
  if (type === 0x86dd) return ip6(d, off, l2, origLen);
  if (type === 0x0806) return arp(d, off, l2, origLen);
  if (type < 0x0600) return { ...l2, protocol: 'LLC', info: `IEEE 802.3 frame, length ${type}` };
  return { ...l2, protocol: ETHERTYPES[type] ?? 'Ethernet', info: `Ethertype 0x${type.toString(16).padStart(4, '0')}` };
}

function arp(d: Buffer, o: number, l2: L2, origLen: number): Summary {
  const base = { ...l2, protocol: 'ARP', info: '' };
  if (d.length < o + 8) return cutShort(base, d, origLen);
  const htype = d.readUInt16BE(o);
  const ptype = d.readUInt16BE(o + 2);
  const hlen = d[o + 4]!;
  const plen = d[o + 5]!;
  const op = d.readUInt16BE(o + 6);
  // Only Ethernet/IPv4 ARP has the familiar wording; anything else is named by opcode.
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) return { ...base, info: op === 1 ? 'request' : op === 2 ? 'reply' : `opcode ${op}` };
  if (d.length < o + 28) return cutShort({ ...base, info: op === 1 ? 'Who has ?' : 'reply' }, d, origLen);
  const sha = mac(d, o + 8);
  const spa = ipv4(d, o + 14);
  const tpa = ipv4(d, o + 24);
  const thaZero = d.subarray(o + 18, o + 24).every((b) => b === 0);
  let info: string;
  if (op === 1) {
    if (spa === '0.0.0.0' && thaZero) info = `Who has ${tpa}? (ARP Probe)`;
    else if (spa === tpa && thaZero) info = `ARP Announcement for ${spa}`;
    else if (spa === tpa) info = `Gratuitous ARP for ${spa} (Request)`;
    else info = `Who has ${tpa}? Tell ${spa}`;
  } else if (op === 2) {
    info = spa === tpa ? `Gratuitous ARP for ${spa} (Reply)` : `${spa} is at ${sha}`;
  } else info = `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
  return { ...base, info };
}

function ip4(d: Buffer, o: number, l2: L2, origLen: number): Summary {
  if (d.length < o + 20) return cutShort({ ...l2, protocol: 'IPv4', info: '' }, d, origLen);
  const ihl = (d[o]! & 0xf) * 4;
  const src = ipv4(d, o + 12);
  const dst = ipv4(d, o + 16);
  const base = { src, dst, protocol: 'IPv4', info: '' };
  if (d[o]! >> 4 !== 4 || ihl < 20) return cutShort({ ...base, info: 'Bogus IPv4 header' }, d, d.length);
  const total = d.readUInt16BE(o + 2);
  const id = d.readUInt16BE(o + 4);
  const frag = d.readUInt16BE(o + 6);
  const proto = d[o + 9]!;
  const fragOff = (frag & 0x1fff) * 8;
  // Wireshark names fragments this way until reassembly; we never reassemble.
  if (fragOff !== 0 || frag & 0x2000)
    return { ...base, info: `Fragmented IP protocol (proto=${protoName(proto)} ${proto}, off=${fragOff}, ID=${id.toString(16).padStart(4, '0')})` };
  // total == 0 is what TSO/BIG TCP super-frames carry: the frame length is the truth then.
  const payloadLen = total >= ihl ? total - ihl : origLen - o - ihl;
  const ctx: IpContext = { src, dst, ttl: d[o + 8]!, payloadLen, origLen };
  if (d.length < o + ihl) return cutShort(base, d, origLen);
  return transport(proto, d, o + ihl, ctx, base);
}

/** IPv6 extension headers we walk past to reach the upper layer. */
const EXT_GENERIC = new Set([0, 43, 60, 135, 139, 140]);

function ip6(d: Buffer, o: number, l2: L2, origLen: number): Summary {
  if (d.length < o + 40) return cutShort({ ...l2, protocol: 'IPv6', info: '' }, d, origLen);
  const src = ipv6(d, o + 8);
  const dst = ipv6(d, o + 24);
  const base = { src, dst, protocol: 'IPv6', info: '' };
  const plen = d.readUInt16BE(o + 4);
  let payloadLen = plen || origLen - o - 40; // 0 = jumbogram / BIG TCP
  let nh = d[o + 6]!;
  let p = o + 40;
  for (let hops = 0; hops < 16; hops++) {
    if (nh === 59) return { ...base, info: 'IPv6 no next header' };
    if (nh === 44) {
      if (d.length < p + 8) return cutShort(base, d, origLen);
      const offMore = d.readUInt16BE(p + 2);
      if ((offMore & 0xfff8) !== 0 || offMore & 1)
        return { ...base, info: `IPv6 fragment (off=${offMore & 0xfff8} more=${offMore & 1 ? 'y' : 'n'} ident=0x${d.readUInt32BE(p + 4).toString(16).padStart(8, '0')} nxt=${d[p]})` };
      nh = d[p]!;
      p += 8;
      payloadLen -= 8;
      continue;
    }
    if (!EXT_GENERIC.has(nh) && nh !== 51) break;
    if (d.length < p + 2) return cutShort(base, d, origLen);
    const len = nh === 51 ? (d[p + 1]! + 2) * 4 : (d[p + 1]! + 1) * 8;
    nh = d[p]!;
    p += len;
    payloadLen -= len;
  }
  if (d.length < p) return cutShort(base, d, origLen);
  return transport(nh, d, p, { src, dst, ttl: d[o + 7]!, payloadLen, origLen }, base);
}

function transport(proto: number, d: Buffer, o: number, ip: IpContext, base: Summary): Summary {
  if (proto === 6) return tcp(d, o, ip);
  if (proto === 17) return udp(d, o, ip);
  if (proto === 1 && base.protocol === 'IPv4') return icmp(d, o, ip);
  if (proto === 58) return icmpv6(d, o, ip);
  return { ...base, info: `${protoName(proto)} (${proto})` };
}
