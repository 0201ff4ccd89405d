// The first packets of a pcap or pcapng file, read as a stream: at most `limit`
// packets, and of each only its record header and the first `headBytes` of its data
// (what a packet list decodes). Bodies are skipped by position, never read, so a
// 10 GB file costs what its first `limit` packets cost. A file cut in the middle of a
// block (a crash, a capture still being written) yields the packets before the cut.
import { open, type FileHandle } from 'node:fs/promises';
import { parsePcapGlobalHeader, PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN } from './pcap-stream';

export interface FilePacket {
  /** 0-based index into `interfaces`. */
  iface: number;
  tsSec: number;
  tsUsec: number;
  capLen: number;
  origLen: number;
  /** The first headBytes of the packet. */
  head: Buffer;
}

export interface FileInterface {
  /** pcapng if_name (vethscope writes `web-1/eth0 (veth1a2b3c)`), null in classic pcap. */
  name: string | null;
  linkType: number;
}

export interface FilePackets {
  format: 'pcap' | 'pcapng';
  interfaces: FileInterface[];
  packets: FilePacket[];
  /** Stopped at `limit` with more in the file. */
  more: boolean;
}

export interface ReadOptions {
  limit: number;
  headBytes?: number;
  /** Blocks larger than this (not packets: a huge comment, garbage) end the read. */
  maxMetaBlock?: number;
}

const SHB = 0x0a0d0d0a;
const IDB = 1;
const EPB = 6;
const SPB = 3;
const BOM = 0x1a2b3c4d;

/** Reads at positions, through one small buffer. */
class Cursor {
  constructor(
    private readonly fh: FileHandle,
    public pos = 0,
  ) {}

  /** Exactly n bytes at the cursor (null at the end of the file or a cut block), advancing past them. */
  async take(n: number): Promise<Buffer | null> {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await this.fh.read(buf, 0, n, this.pos);
    if (bytesRead < n) return null;
    this.pos += n;
    return buf;
  }
}

export async function readPacketFile(path: string, opts: ReadOptions): Promise<FilePackets> {
  const fh = await open(path, 'r');
  try {
    const magic = await new Cursor(fh).take(4);
    if (magic && magic.readUInt32LE(0) === SHB) return await readPcapng(new Cursor(fh), opts);
    return await readPcap(new Cursor(fh), opts);
  } finally {
    await fh.close();
  }
}

async function readPcap(c: Cursor, opts: ReadOptions): Promise<FilePackets> {
  const headBytes = opts.headBytes ?? 256;
  const gh = await c.take(PCAP_GLOBAL_HEADER_LEN);
  if (!gh) return { format: 'pcap', interfaces: [], packets: [], more: false };
  const h = parsePcapGlobalHeader(gh);
  const u32 = (b: Buffer, o: number) => (h.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const out: FilePackets = { format: 'pcap', interfaces: [{ name: null, linkType: h.linkType }], packets: [], more: false };
  for (;;) {
    const rh = await c.take(PCAP_RECORD_HEADER_LEN);
    if (!rh) break;
    if (out.packets.length === opts.limit) {
      out.more = true;
      break;
    }
    const capLen = u32(rh, 8);
    const head = await c.take(Math.min(capLen, headBytes));
    if (!head) break;
    c.pos += capLen - head.length;
    const frac = u32(rh, 4);
    out.packets.push({ iface: 0, tsSec: u32(rh, 0), tsUsec: h.nanos ? Math.floor(frac / 1000) : frac, capLen, origLen: u32(rh, 12), head });
  }
  return out;
}

interface IfaceState {
  linkType: number;
  name: string | null;
  /** if_tsresol: a power of ten (6 = µs), or 0x80|n for 2^-n. */
  tsresol: number;
  snaplen: number;
}

async function readPcapng(c: Cursor, opts: ReadOptions): Promise<FilePackets> {
  const headBytes = opts.headBytes ?? 256;
  const maxMeta = opts.maxMetaBlock ?? 1 << 20;
  const out: FilePackets = { format: 'pcapng', interfaces: [], packets: [], more: false };
  let le = true;
  let section: IfaceState[] = [];
  let sectionBase = 0;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  for (;;) {
    const start = c.pos;
    const bh = await c.take(12);
    if (!bh) break;
    if (bh.readUInt32LE(0) === SHB) {
      const bom = bh.readUInt32LE(8);
      if (bom !== BOM && bom !== 0x4d3c2b1a) break;
      le = bom === BOM;
      sectionBase = out.interfaces.length;
      section = [];
    }
    const type = u32(bh, 0);
    const len = u32(bh, 4);
    if (len < 12 || len % 4 !== 0) break;
    const end = start + len;
    if (type === EPB || type === SPB) {
      if (out.packets.length === opts.limit) {
        out.more = true;
        break;
      }
      const p = type === EPB ? await epb(c, bh, section, sectionBase, headBytes, u32) : await spb(c, bh, section, sectionBase, headBytes, u32);
      if (!p || !(await wholeBlock(c, end, len, u32))) break;
      out.packets.push(p);
    } else if (type === IDB) {
      if (len > maxMeta) break;
      const rest = await c.take(len - 12);
      if (!rest || u32(rest, rest.length - 4) !== len) break;
      const body = Buffer.concat([bh.subarray(8), rest.subarray(0, rest.length - 4)]);
      const iface = idb(body, u16, u32);
      section.push(iface);
      out.interfaces.push({ name: iface.name, linkType: iface.linkType });
    } else if (!(await wholeBlock(c, end, len, u32))) break;
    c.pos = end;
  }
  return out;
}

/** The block's trailing length is there and matches: the block is whole. */
async function wholeBlock(c: Cursor, end: number, len: number, u32: (b: Buffer, o: number) => number): Promise<boolean> {
  c.pos = end - 4;
  const t = await c.take(4);
  return t !== null && u32(t, 0) === len;
}

function idb(body: Buffer, u16: (b: Buffer, o: number) => number, u32: (b: Buffer, o: number) => number): IfaceState {
  const s: IfaceState = { linkType: u16(body, 0), snaplen: u32(body, 4), name: null, tsresol: 6 };
  for (let o = 8; o + 4 <= body.length; ) {
    const code = u16(body, o);
    const n = u16(body, o + 2);
    if (code === 0 || o + 4 + n > body.length) break;
    if (code === 2) s.name = body.toString('utf8', o + 4, o + 4 + n);
    if (code === 9 && n >= 1) s.tsresol = body[o + 4]!;
    o += 4 + ((n + 3) & ~3);
  }
  return s;
}

/** A timestamp in the interface's units as seconds + microseconds. */
function toTime(ts: bigint, tsresol: number): { tsSec: number; tsUsec: number } {
  const perSec = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  const sec = ts / perSec;
  return { tsSec: Number(sec), tsUsec: Number(((ts % perSec) * 1_000_000n) / perSec) };
}

type U32 = (b: Buffer, o: number) => number;

async function epb(c: Cursor, bh: Buffer, section: IfaceState[], base: number, headBytes: number, u32: U32): Promise<FilePacket | null> {
  const fixed = await c.take(16);
  if (!fixed) return null;
  const id = u32(bh, 8);
  const capLen = u32(fixed, 8);
  const head = await c.take(Math.min(capLen, headBytes));
  if (!head) return null;
  const ts = (BigInt(u32(fixed, 0)) << 32n) | BigInt(u32(fixed, 4));
  return { iface: base + id, ...toTime(ts, section[id]?.tsresol ?? 6), capLen, origLen: u32(fixed, 12), head };
}

/** Simple Packet Block: interface 0 of the section, no timestamp. */
async function spb(c: Cursor, bh: Buffer, section: IfaceState[], base: number, headBytes: number, u32: U32): Promise<FilePacket | null> {
  const origLen = u32(bh, 8);
  const capLen = Math.min(origLen, section[0]?.snaplen || origLen);
  const head = await c.take(Math.min(capLen, headBytes));
  if (!head) return null;
  return { iface: base, tsSec: 0, tsUsec: 0, capLen, origLen, head };
}
