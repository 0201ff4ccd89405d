// TCP, UDP, ICMP and ICMPv6 summaries, worded like Wireshark's info column.
import { ipv6, mac } from './addr';
import { summarizeDns } from './dns';
import { cutShort, type IpContext, type Summary } from './types';

const ARROW = '\u2192';
// Wireshark lists set flags from the lowest bit up.
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];

export function tcp(d: Buffer, o: number, ip: IpContext): Summary {
  const base = { src: ip.src, dst: ip.dst, protocol: 'TCP', info: '' };
  if (d.length < o + 14) return cutShort(base, d, ip.origLen);
  const sport = d.readUInt16BE(o);
  const dport = d.readUInt16BE(o + 2);
  const seq = d.readUInt32BE(o + 4);
  const ack = d.readUInt32BE(o + 8);
  const hlen = (d[o + 12]! >> 4) * 4;
  const bits = d.readUInt16BE(o + 12) & 0x1ff;
  const set = TCP_FLAGS.filter((_, i) => bits & (1 << i));
  let info = `${sport} ${ARROW} ${dport} [${set.length ? set.join(', ') : '<None>'}] Seq=${seq}`;
  if (bits & 0x10) info += ` Ack=${ack}`;
  if (d.length < o + 20) return cutShort({ ...base, info }, d, ip.origLen);
  info += ` Win=${d.readUInt16BE(o + 14)}`;
  if (bits & 0x20) info += ` Urg=${d.readUInt16BE(o + 18)}`;
  if (hlen < 20) return cutShort({ ...base, info }, d, d.length);
  info += ` Len=${Math.max(0, ip.payloadLen - hlen)}`;
  const opts = tcpOptions(d, o + 20, Math.min(o + hlen, d.length));
  if (opts) info += ` ${opts}`;
  if (d.length < o + hlen) return cutShort({ ...base, info }, d, ip.origLen);
  return { ...base, info };
}

function tcpOptions(d: Buffer, p: number, end: number): string {
  const parts: string[] = [];
  while (p < end) {
    const kind = d[p]!;
    if (kind === 0) break;
    if (kind === 1) {
      p++;
      continue;
    }
    const len = d[p + 1];
    if (len === undefined || len < 2 || p + len > end) break;
    if (kind === 2 && len === 4) parts.push(`MSS=${d.readUInt16BE(p + 2)}`);
    else if (kind === 3 && len === 3) parts.push(`WS=${2 ** Math.min(d[p + 2]!, 14)}`);
    else if (kind === 4) parts.push('SACK_PERM');
    else if (kind === 5) for (let q = p + 2; q + 8 <= p + len; q += 8) parts.push(`SLE=${d.readUInt32BE(q)} SRE=${d.readUInt32BE(q + 4)}`);
    else if (kind === 8 && len === 10) parts.push(`TSval=${d.readUInt32BE(p + 2)} TSecr=${d.readUInt32BE(p + 6)}`);
    p += len;
  }
  return parts.join(' ');
}

export function udp(d: Buffer, o: number, ip: IpContext): Summary {
  const base = { src: ip.src, dst: ip.dst, protocol: 'UDP', info: '' };
  if (d.length < o + 8) return cutShort(base, d, ip.origLen);
  const sport = d.readUInt16BE(o);
  const dport = d.readUInt16BE(o + 2);
  const ulen = d.readUInt16BE(o + 4);
  // A zero UDP length happens with IPv6 jumbograms (and GSO); trust IP then.
  const len = ulen >= 8 ? ulen : ip.payloadLen;
  const info = `${sport} ${ARROW} ${dport} Len=${Math.max(0, len - 8)}`;
  if (sport === 53 || dport === 53) {
    const dns = summarizeDns(d.subarray(o + 8, Math.min(d.length, o + len)));
    if (dns) return dns.complete ? { ...base, protocol: 'DNS', info: dns.info } : cutShort({ ...base, protocol: 'DNS', info: dns.info }, d, ip.origLen);
    return cutShort({ ...base, info }, d, ip.origLen);
  }
  return { ...base, info };
}

const ICMP_UNREACH = [
  'Network unreachable', 'Host unreachable', 'Protocol unreachable', 'Port unreachable', 'Fragmentation needed',
  'Source route failed', 'Destination network unknown', 'Destination host unknown', 'Source host isolated',
  'Network administratively prohibited', 'Host administratively prohibited', 'Network unreachable for TOS',
  'Host unreachable for TOS', 'Communication administratively filtered', 'Host precedence violation', 'Precedence cutoff in effect',
];
const ICMP_TYPES: Record<number, string> = {
  4: 'Source quench (flow control)', 9: 'Router advertisement', 10: 'Router solicitation', 12: 'Parameter problem',
  13: 'Timestamp request', 14: 'Timestamp reply', 15: 'Information request', 16: 'Information reply',
  17: 'Address mask request', 18: 'Address mask reply',
};

export function icmp(d: Buffer, o: number, ip: IpContext): Summary {
  const base = { src: ip.src, dst: ip.dst, protocol: 'ICMP', info: '' };
  if (d.length < o + 2) return cutShort(base, d, ip.origLen);
  const type = d[o]!;
  const code = d[o + 1]!;
  let info: string;
  if (type === 0 || type === 8) {
    if (d.length < o + 8) return cutShort({ ...base, info: `Echo (ping) ${type ? 'request' : 'reply'}` }, d, ip.origLen);
    const id = d.readUInt16BE(o + 4);
    const seq = d.readUInt16BE(o + 6);
    const seqLE = d.readUInt16LE(o + 6);
    // Wireshark pads "reply" to the width of "request", then two spaces.
    info = `Echo (ping) ${type ? 'request  ' : 'reply    '}id=0x${hex4(id)}, seq=${seq}/${seqLE}, ttl=${ip.ttl}`;
  } else if (type === 3) info = `Destination unreachable (${ICMP_UNREACH[code] ?? `Unknown (${code})`})`;
  else if (type === 11) info = `Time-to-live exceeded (${code === 0 ? 'Time to live exceeded in transit' : code === 1 ? 'Fragment reassembly time exceeded' : `Unknown (${code})`})`;
  else if (type === 5) info = `Redirect (${['Redirect for network', 'Redirect for host', 'Redirect for TOS and network', 'Redirect for TOS and host'][code] ?? `Unknown (${code})`})`;
  else info = ICMP_TYPES[type] ?? `Unknown ICMP (obsolete or malformed?) (type ${type})`;
  return { ...base, info };
}

const ICMP6_UNREACH = [
  'no route to destination', 'communication with destination administratively prohibited', 'beyond scope of source address',
  'address unreachable', 'port unreachable', 'source address failed ingress/egress policy', 'reject route to destination',
];
const ICMP6_TYPES: Record<number, string> = {
  2: 'Packet Too Big', 4: 'Parameter Problem', 130: 'Multicast Listener Query', 131: 'Multicast Listener Report',
  132: 'Multicast Listener Done', 137: 'Redirect', 143: 'Multicast Listener Report Message v2',
};

/** The link-layer address from the first ND option of `kind` (1 source, 2 target), if present. */
function ndLinkAddr(d: Buffer, p: number, kind: number): string | null {
  while (p + 2 <= d.length) {
    const len = d[p + 1]! * 8;
    if (len === 0) return null;
    if (d[p] === kind && len >= 8 && p + 8 <= d.length) return mac(d, p + 2);
    p += len;
  }
  return null;
}

export function icmpv6(d: Buffer, o: number, ip: IpContext): Summary {
  const base = { src: ip.src, dst: ip.dst, protocol: 'ICMPv6', info: '' };
  if (d.length < o + 2) return cutShort(base, d, ip.origLen);
  const type = d[o]!;
  const code = d[o + 1]!;
  const need = (n: number, info: string): Summary | null => (d.length < o + n ? cutShort({ ...base, info }, d, ip.origLen) : null);
  let info: string;
  if (type === 128 || type === 129) {
    info = `Echo (ping) ${type === 128 ? 'request' : 'reply'}`;
    const short = need(8, info);
    if (short) return short;
    info += ` id=0x${hex4(d.readUInt16BE(o + 4))}, seq=${d.readUInt16BE(o + 6)}, hop limit=${ip.ttl}`;
  } else if (type === 133 || type === 134) {
    info = type === 133 ? 'Router Solicitation' : 'Router Advertisement';
    const lla = ndLinkAddr(d, o + (type === 133 ? 8 : 16), 1);
    if (lla) info += ` from ${lla}`;
  } else if (type === 135) {
    info = 'Neighbor Solicitation';
    const short = need(24, info);
    if (short) return short;
    info += ` for ${ipv6(d, o + 8)}`;
    const lla = ndLinkAddr(d, o + 24, 1);
    if (lla) info += ` from ${lla}`;
  } else if (type === 136) {
    info = 'Neighbor Advertisement';
    const short = need(24, info);
    if (short) return short;
    info += ` ${ipv6(d, o + 8)}`;
    const f = d[o + 4]!;
    const flags = [f & 0x80 ? 'rtr' : '', f & 0x40 ? 'sol' : '', f & 0x20 ? 'ovr' : ''].filter(Boolean);
    if (flags.length) info += ` (${flags.join(', ')})`;
    const lla = ndLinkAddr(d, o + 24, 2);
    if (lla) info += ` is at ${lla}`;
  } else if (type === 1) info = `Destination Unreachable (${ICMP6_UNREACH[code] ?? `Unknown (${code})`})`;
  else if (type === 3) info = `Time Exceeded (${code === 0 ? 'hop limit exceeded in transit' : code === 1 ? 'fragment reassembly time exceeded' : `Unknown (${code})`})`;
  else info = ICMP6_TYPES[type] ?? `Unknown ICMPv6 type (${type})`;
  // Neighbour discovery names its link-layer address from options at the end: a cut there loses words.
  if (type >= 133 && type <= 136 && d.length < o + ip.payloadLen) return cutShort({ ...base, info }, d, ip.origLen);
  return { ...base, info };
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
