// Builders for synthetic frames, written from the RFC layouts (not from the
// decoder), so tests can compare our summaries with tshark's on the same bytes.

const hex = (s: string) => Buffer.from(s.replace(/[:.\s]/g, ''), 'hex');
export const macb = (m: string) => hex(m);
export const ip4b = (a: string) => Buffer.from(a.split('.').map(Number));
export function ip6b(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export const MAC_A = '02:aa:00:00:00:01';
export const MAC_B = '02:bb:00:00:00:02';

export function eth(type: number, payload: Buffer, opts: { src?: string; dst?: string; vlan?: number[] } = {}): Buffer {
  const tags = (opts.vlan ?? []).map((id) => {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(0x8100, 0);
    t.writeUInt16BE(id, 2);
    return t;
  });
  // Each tag's TPID sits where the ethertype was; the real type follows the last tag.
  const tpidAndTags = Buffer.concat(tags);
  const typeB = Buffer.alloc(2);
  typeB.writeUInt16BE(type);
  return Buffer.concat([macb(opts.dst ?? MAC_B), macb(opts.src ?? MAC_A), tpidAndTags, typeB, payload]);
}

export function ipv4(src: string, dst: string, proto: number, payload: Buffer, opts: { ttl?: number; id?: number; frag?: number; total?: number } = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(opts.total ?? 20 + payload.length, 2);
  h.writeUInt16BE(opts.id ?? 0x1234, 4);
  h.writeUInt16BE(opts.frag ?? 0x4000, 6);
  h[8] = opts.ttl ?? 64;
  h[9] = proto;
  ip4b(src).copy(h, 12);
  ip4b(dst).copy(h, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([h, payload]);
}

/** IPv6 with optional extension headers given as [type, body] (body padded to 8n-2 bytes by the caller). */
export function ipv6(src: string, dst: string, nh: number, payload: Buffer, opts: { hop?: number; ext?: Array<[number, Buffer]> } = {}): Buffer {
  const exts = opts.ext ?? [];
  const chain: Buffer[] = [];
  let first = nh;
  for (let i = exts.length - 1; i >= 0; i--) {
    const [type, body] = exts[i]!;
    const e = Buffer.concat([Buffer.from([first, (body.length + 2) / 8 - 1]), body]);
    chain.unshift(e);
    first = type;
  }
  const rest = Buffer.concat([...chain, payload]);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(rest.length, 4);
  h[6] = first;
  h[7] = opts.hop ?? 64;
  ip6b(src).copy(h, 8);
  ip6b(dst).copy(h, 24);
  return Buffer.concat([h, rest]);
}

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 };

export function tcp(sport: number, dport: number, flags: number, opts: { seq?: number; ack?: number; win?: number; options?: Buffer; payload?: Buffer } = {}): Buffer {
  const o = opts.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + o.length);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(opts.seq ?? 1000, 4);
  h.writeUInt32BE(opts.ack ?? 0, 8);
  h[12] = ((20 + o.length) / 4) << 4;
  h[13] = flags;
  h.writeUInt16BE(opts.win ?? 64240, 14);
  o.copy(h, 20);
  return Buffer.concat([h, opts.payload ?? Buffer.alloc(0)]);
}

/** MSS, SACK permitted, timestamps, NOP, window scale: what Linux puts in a SYN. */
export const LINUX_SYN_OPTIONS = hex('020405b4 0402 080a 0001e240 00000000 01 030307');

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function icmpEcho(request: boolean, id: number, seq: number, v6 = false): Buffer {
  const b = Buffer.alloc(8 + 16, 0x42);
  b[0] = v6 ? (request ? 128 : 129) : request ? 8 : 0;
  b[1] = 0;
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  return b;
}

export function arp(op: 1 | 2, sha: string, spa: string, tha: string, tpa: string): Buffer {
  return Buffer.concat([hex('0001 0800 06 04'), Buffer.from([0, op]), macb(sha), ip4b(spa), macb(tha), ip4b(tpa)]);
}

function dnsName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

export function dns(id: number, opts: { response?: boolean; rcode?: number; qname: string; qtype: number; answers?: Array<{ type: number; rdata: Buffer }> }): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE((opts.response ? 0x8180 : 0x0100) | (opts.rcode ?? 0), 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(opts.answers?.length ?? 0, 6);
  const q = Buffer.concat([dnsName(opts.qname), Buffer.from([0, opts.qtype, 0, 1])]);
  const ans = (opts.answers ?? []).map((a) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(a.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(300, 4);
    fixed.writeUInt16BE(a.rdata.length, 8);
    return Buffer.concat([hex('c00c'), fixed, a.rdata]); // name: pointer to the question
  });
  return Buffer.concat([h, q, ...ans]);
}

/** ICMPv6 neighbour discovery: NS (135) / NA (136) with a link-layer address option, RS (133). */
export function ndp(type: 133 | 135 | 136, target: string | null, lla: string, naFlags = 0): Buffer {
  const body = type === 133 ? Buffer.alloc(4) : Buffer.concat([Buffer.from([naFlags, 0, 0, 0]), ip6b(target!)]);
  const opt = Buffer.concat([Buffer.from([type === 136 ? 2 : 1, 1]), macb(lla)]);
  return Buffer.concat([Buffer.from([type, 0, 0, 0]), body, opt]);
}

export function sll(protocol: number, payload: Buffer, srcMac = MAC_A): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(4, 0); // sent by us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  macb(srcMac).copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

export function sll2(protocol: number, payload: Buffer, srcMac = MAC_A): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(7, 4); // ifindex
  h.writeUInt16BE(1, 8);
  h[10] = 0;
  h[11] = 6;
  macb(srcMac).copy(h, 12);
  return Buffer.concat([h, payload]);
}
