// DNS message summary in the shape of Wireshark's info column:
// "Standard query 0x1a2b A example.test", "Standard query response 0x1a2b A example.test A 10.0.0.1".
import { ipv4, ipv6 } from './addr';

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS',
  99: 'SPF', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const OPCODES: Record<number, string> = { 0: 'Standard query', 1: 'Inverse query', 2: 'Server status request', 4: 'Zone change notification', 5: 'Dynamic update' };
const RCODES: Record<number, string> = { 1: 'Format error', 2: 'Server failure', 3: 'No such name', 4: 'Not implemented', 5: 'Refused' };

/** Records listed in the summary are capped so a hostile packet cannot make us work hard. */
const MAX_RRS = 32;

export const dnsTypeName = (t: number) => TYPES[t] ?? `Unknown (${t})`;

class Truncated extends Error {}

/** Read a (possibly compressed) name at `off` within msg; returns the name and the offset after it. */
function readName(msg: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let p = off;
  for (let jumps = 0; ; ) {
    if (p >= msg.length) throw new Truncated();
    const len = msg[p]!;
    if (len === 0) {
      p += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= msg.length) throw new Truncated();
      if (next < 0) next = p + 2;
      // Pointer loops are malformed; a bound on jumps stops them.
      if (++jumps > 32) throw new Truncated();
      p = ((len & 0x3f) << 8) | msg[p + 1]!;
      continue;
    }
    if (p + 1 + len > msg.length) throw new Truncated();
    labels.push(escape(msg.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
    if (labels.length > 128) throw new Truncated();
  }
  return { name: labels.length ? labels.join('.') : '<Root>', next: next < 0 ? p : next };
}

function escape(b: Buffer): string {
  let s = '';
  for (const c of b) s += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`;
  return s;
}

function rdataText(msg: Buffer, type: number, off: number, len: number): string | null {
  if (type === 1 && len === 4) return ipv4(msg, off);
  if (type === 28 && len === 16) return ipv6(msg, off);
  if (type === 2 || type === 5 || type === 12 || type === 6) return readName(msg, off).name;
  if (type === 15 && len >= 3) return `${msg.readUInt16BE(off)} ${readName(msg, off + 2).name}`;
  if (type === 33 && len >= 7) return `${msg.readUInt16BE(off)} ${msg.readUInt16BE(off + 2)} ${msg.readUInt16BE(off + 4)} ${readName(msg, off + 6).name}`;
  return null;
}

/**
 * Summarize the DNS message in `msg` (the UDP payload as captured).
 * Returns null when not even the 12-byte header is there.
 */
export function summarizeDns(msg: Buffer): { info: string; complete: boolean } | null {
  if (msg.length < 12) return null;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  let info = `${OPCODES[opcode] ?? `Unknown operation (${opcode})`}${isResponse ? ' response' : ''} 0x${id.toString(16).padStart(4, '0')}`;
  if (isResponse && rcode !== 0) info += ` ${RCODES[rcode] ?? `Unknown error (${rcode})`}`;
  const qd = msg.readUInt16BE(4);
  const rrs = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  let p = 12;
  try {
    for (let i = 0; i < Math.min(qd, MAX_RRS); i++) {
      const q = readName(msg, p);
      if (q.next + 4 > msg.length) throw new Truncated();
      info += ` ${dnsTypeName(msg.readUInt16BE(q.next))} ${q.name}`;
      p = q.next + 4;
    }
    for (let i = 0; i < Math.min(rrs, MAX_RRS); i++) {
      const rr = readName(msg, p);
      if (rr.next + 10 > msg.length) throw new Truncated();
      const type = msg.readUInt16BE(rr.next);
      const rdlen = msg.readUInt16BE(rr.next + 8);
      const rdata = rr.next + 10;
      if (rdata + rdlen > msg.length) throw new Truncated();
      const text = rdataText(msg, type, rdata, rdlen);
      info += ` ${dnsTypeName(type)}${text === null ? '' : ` ${text}`}`;
      p = rdata + rdlen;
    }
  } catch (e) {
    if (e instanceof Truncated || e instanceof RangeError) return { info, complete: false };
    throw e;
  }
  return { info, complete: true };
}
