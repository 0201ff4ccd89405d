// Read a whole pcap or pcapng file into memory: for tests, for counting packets
// in finished files, and for files a capture left behind. A file cut in the
// middle of its last block (a crash, or a file still being written) yields
// every complete packet plus `truncatedTail: true` instead of an error.
import { readFile } from 'node:fs/promises';
import { PcapStreamParser, PcapFormatError } from '../../electron/formats/pcap/pcap-stream';

export interface CaptureFileInterface {
  name?: string;
  description?: string;
  comment?: string;
  linkType: number;
  snaplen?: number;
}

export interface CaptureFilePacket {
  interfaceId: number;
  /** In units given by tsresol. */
  timestamp: bigint;
  /** The raw if_tsresol byte: a power of ten (6 = usec, 9 = nsec), or 0x80|n for 2^-n. */
  tsresol: number;
  capLen: number;
  origLen: number;
  data: Buffer;
  comment?: string;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  interfaces: CaptureFileInterface[];
  sectionComment?: string;
  packets: CaptureFilePacket[];
  truncatedTail: boolean;
  /** Interface Statistics Blocks' comments, by interface (a remote host's part that ended early says why). */
  statisticsComments?: Array<{ interfaceId: number; comment: string }>;
}

export async function readCaptureFile(path: string): Promise<CaptureFile> {
  return parseCaptureBuffer(await readFile(path));
}

/** Parse a capture already in memory (packets reference `buf`). */
export function parseCaptureBuffer(buf: Buffer): CaptureFile {
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x0a0d0d0a) return parsePcapng(buf);
  return parsePcap(buf);
}

function parsePcap(buf: Buffer): CaptureFile {
  const parser = new PcapStreamParser();
  const recs = parser.push(buf);
  const hdr = parser.header;
  if (!hdr) throw new PcapFormatError('file too short for a pcap header');
  const tsresol = hdr.nanos ? 9 : 6;
  const mult = hdr.nanos ? 1_000_000_000n : 1_000_000n;
  return {
    format: 'pcap',
    interfaces: [{ linkType: hdr.linkType, snaplen: hdr.snaplen }],
    packets: recs.map((r) => ({
      interfaceId: 0,
      timestamp: BigInt(r.tsSec) * mult + BigInt(r.tsFrac),
      tsresol,
      capLen: r.capLen,
      origLen: r.origLen,
      data: r.data,
    })),
    truncatedTail: parser.pendingBytes > 0,
  };
}

interface Reader {
  u16(o: number): number;
  u32(o: number): number;
}

const readerFor = (buf: Buffer, le: boolean): Reader =>
  le
    ? { u16: (o) => buf.readUInt16LE(o), u32: (o) => buf.readUInt32LE(o) }
    : { u16: (o) => buf.readUInt16BE(o), u32: (o) => buf.readUInt32BE(o) };

/** Options from `start` to `end`: code -> values (strings decoded lazily by callers). */
function readOptions(buf: Buffer, r: Reader, start: number, end: number): Map<number, Buffer[]> {
  const m = new Map<number, Buffer[]>();
  let o = start;
  while (o + 4 <= end) {
    const code = r.u16(o);
    const len = r.u16(o + 2);
    if (code === 0 || o + 4 + len > end) break;
    const list = m.get(code) ?? [];
    list.push(buf.subarray(o + 4, o + 4 + len));
    m.set(code, list);
    o += 4 + ((len + 3) & ~3);
  }
  return m;
}

const str = (m: Map<number, Buffer[]>, code: number) => m.get(code)?.[0]?.toString('utf8');

function parsePcapng(buf: Buffer): CaptureFile {
  const out: CaptureFile = { format: 'pcapng', interfaces: [], packets: [], truncatedTail: false };
  // Interface ids in EPBs are per section; we number interfaces across the file.
  let sectionBase = 0;
  let r = readerFor(buf, true);
  const tsresols: number[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 12) {
      out.truncatedTail = true;
      break;
    }
    const typeLE = buf.readUInt32LE(off);
    if (typeLE === 0x0a0d0d0a) {
      // Byte order is known only after reading the SHB's magic.
      const bom = buf.readUInt32LE(off + 8);
      if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) throw new PcapFormatError(`bad pcapng byte-order magic at ${off}`);
      r = readerFor(buf, bom === 0x1a2b3c4d);
      sectionBase = out.interfaces.length;
    }
    const type = r.u32(off);
    const len = r.u32(off + 4);
    if (len < 12 || len % 4 !== 0 || off + len > buf.length || r.u32(off + len - 4) !== len) {
      // Half-written (or garbage) block: keep what came before it.
      out.truncatedTail = true;
      break;
    }
    const body = off + 8;
    const bodyEnd = off + len - 4;
    if (type === 0x0a0d0d0a) {
      const opts = readOptions(buf, r, body + 16, bodyEnd);
      const c = str(opts, 1);
      if (c !== undefined && out.sectionComment === undefined) out.sectionComment = c;
    } else if (type === 1 && bodyEnd - body >= 8) {
      const opts = readOptions(buf, r, body + 8, bodyEnd);
      const iface: CaptureFileInterface = { linkType: r.u16(body), snaplen: r.u32(body + 4) };
      const name = str(opts, 2);
      const description = str(opts, 3);
      const comment = str(opts, 1);
      if (name !== undefined) iface.name = name;
      if (description !== undefined) iface.description = description;
      if (comment !== undefined) iface.comment = comment;
      out.interfaces.push(iface);
      tsresols.push(opts.get(9)?.[0]?.[0] ?? 6);
    } else if (type === 6 && bodyEnd - body >= 20) {
      const interfaceId = sectionBase + r.u32(body);
      const capLen = r.u32(body + 12);
      if (body + 20 + capLen > bodyEnd) throw new PcapFormatError(`EPB at ${off} claims more data than the block holds`);
      const opts = readOptions(buf, r, body + 20 + ((capLen + 3) & ~3), bodyEnd);
      const pkt: CaptureFilePacket = {
        interfaceId,
        timestamp: (BigInt(r.u32(body + 4)) << 32n) | BigInt(r.u32(body + 8)),
        tsresol: tsresols[interfaceId] ?? 6,
        capLen,
        origLen: r.u32(body + 16),
        data: buf.subarray(body + 20, body + 20 + capLen),
      };
      const comment = str(opts, 1);
      if (comment !== undefined) pkt.comment = comment;
      out.packets.push(pkt);
    } else if (type === 3 && bodyEnd - body >= 4) {
      // Simple Packet Block: interface 0 of the section, no timestamp, length bounded by the snaplen.
      const origLen = r.u32(body);
      const snap = out.interfaces[sectionBase]?.snaplen || origLen;
      const capLen = Math.min(origLen, snap, bodyEnd - body - 4);
      out.packets.push({ interfaceId: sectionBase, timestamp: 0n, tsresol: tsresols[sectionBase] ?? 6, capLen, origLen, data: buf.subarray(body + 4, body + 4 + capLen) });
    } else if (type === 5 && bodyEnd - body >= 12) {
      const comment = str(readOptions(buf, r, body + 12, bodyEnd), 1);
      if (comment !== undefined) (out.statisticsComments ??= []).push({ interfaceId: sectionBase + r.u32(body), comment });
    }
    // Other blocks (NRB, DSB, custom) carry nothing this reader reports.
    off += len;
  }
  return out;
}
