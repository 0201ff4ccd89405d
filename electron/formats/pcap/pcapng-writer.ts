// Encoders for the pcapng blocks we write (little-endian, one section) and for
// classic pcap headers. Pure functions returning Buffers; the capture engine
// decides where the bytes go. Layouts follow draft-ietf-opsawg-pcapng.

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;

type Option = { code: number; value: Buffer };

const pad4 = (n: number) => (n + 3) & ~3;

function strOpt(code: number, s: string | undefined): Option[] {
  if (s === undefined || s === '') return [];
  const value = Buffer.from(s, 'utf8');
  // Option length is a u16; a longer value cannot be encoded, so cut it at a UTF-8 boundary.
  return [{ code, value: value.length > 0xffff ? Buffer.from(value.subarray(0, 0xffff).toString('utf8').replace(/\uFFFD$/, ''), 'utf8') : value }];
}

function u64Opt(code: number, v: bigint | undefined): Option[] {
  if (v === undefined) return [];
  const value = Buffer.alloc(8);
  value.writeBigUInt64LE(BigInt.asUintN(64, v));
  return [{ code, value }];
}

function optionsLength(opts: Option[]): number {
  if (opts.length === 0) return 0;
  return opts.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4; // + opt_endofopt
}

/** Write options at `off`; padding bytes are zero because buffers come from Buffer.alloc. */
function writeOptions(buf: Buffer, off: number, opts: Option[]): number {
  if (opts.length === 0) return off;
  for (const o of opts) {
    buf.writeUInt16LE(o.code, off);
    buf.writeUInt16LE(o.value.length, off + 2);
    o.value.copy(buf, off + 4);
    off += 4 + pad4(o.value.length);
  }
  buf.writeUInt16LE(OPT_ENDOFOPT, off);
  buf.writeUInt16LE(0, off + 2);
  return off + 4;
}

/** A whole block: type, total length, fixed body, options, total length again. */
function block(type: number, fixed: Buffer, opts: Option[]): Buffer {
  const total = 8 + fixed.length + optionsLength(opts) + 4;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(type, 0);
  buf.writeUInt32LE(total, 4);
  fixed.copy(buf, 8);
  const end = writeOptions(buf, 8 + fixed.length, opts);
  buf.writeUInt32LE(total, end);
  return buf;
}

function splitTimestamp(buf: Buffer, off: number, ts: bigint): void {
  const t = BigInt.asUintN(64, ts);
  buf.writeUInt32LE(Number(t >> 32n), off);
  buf.writeUInt32LE(Number(t & 0xffffffffn), off + 4);
}

export interface SectionHeaderOptions {
  comment?: string;
  hardware?: string;
  os?: string;
  userAppl?: string;
}

export function sectionHeaderBlock(opts: SectionHeaderOptions = {}): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4); // major
  fixed.writeUInt16LE(0, 6); // minor
  fixed.writeBigInt64LE(-1n, 8); // section length unknown: we stream
  return block(BT_SHB, fixed, [
    ...strOpt(OPT_COMMENT, opts.comment),
    ...strOpt(SHB_HARDWARE, opts.hardware),
    ...strOpt(SHB_OS, opts.os),
    ...strOpt(SHB_USERAPPL, opts.userAppl),
  ]);
}

export interface InterfaceDescriptionOptions {
  linkType: number;
  snaplen: number;
  /** if_name: what Wireshark shows as the interface, e.g. `web-1/eth0 (veth1a2b3c)`. */
  name: string;
  description?: string;
  comment?: string;
  /** if_tsresol as a power of ten: 6 = microseconds (the pcapng default), 9 = nanoseconds. */
  tsresol?: number;
  /** Capture filter as a libpcap filter string. */
  filter?: string;
}

export function interfaceDescriptionBlock(opts: InterfaceDescriptionOptions): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(opts.linkType & 0xffff, 0);
  fixed.writeUInt32LE(opts.snaplen >>> 0, 4);
  const o: Option[] = [...strOpt(OPT_COMMENT, opts.comment), ...strOpt(IF_NAME, opts.name), ...strOpt(IF_DESCRIPTION, opts.description)];
  if (opts.tsresol !== undefined && opts.tsresol !== 6) {
    if (!Number.isInteger(opts.tsresol) || opts.tsresol < 0 || opts.tsresol > 127) throw new RangeError(`tsresol ${opts.tsresol} is not a power-of-ten exponent 0..127`);
    o.push({ code: IF_TSRESOL, value: Buffer.from([opts.tsresol]) });
  }
  if (opts.filter) o.push({ code: IF_FILTER, value: Buffer.concat([Buffer.from([0]), Buffer.from(opts.filter, 'utf8')]) });
  return block(BT_IDB, fixed, o);
}

export interface EnhancedPacketOptions {
  interfaceId: number;
  /** In units of the interface's tsresol (microseconds by default). */
  timestamp: bigint;
  capLen: number;
  origLen: number;
  data: Buffer;
  comment?: string;
}

/**
 * The EPB as [header, packet data, trailer] so a writer can hand the packet
 * bytes to writev without copying them. `data` is used as is (not copied).
 */
export function enhancedPacketBlockParts(opts: EnhancedPacketOptions): Buffer[] {
  if (opts.data.length < opts.capLen) throw new RangeError(`data has ${opts.data.length} bytes, capLen says ${opts.capLen}`);
  const data = opts.data.length === opts.capLen ? opts.data : opts.data.subarray(0, opts.capLen);
  const o = strOpt(OPT_COMMENT, opts.comment);
  const padLen = pad4(opts.capLen) - opts.capLen;
  const trailerLen = padLen + optionsLength(o) + 4;
  const total = 28 + pad4(opts.capLen) + trailerLen - padLen;
  const head = Buffer.allocUnsafe(28);
  head.writeUInt32LE(BT_EPB, 0);
  head.writeUInt32LE(total, 4);
  head.writeUInt32LE(opts.interfaceId, 8);
  splitTimestamp(head, 12, opts.timestamp);
  head.writeUInt32LE(opts.capLen, 20);
  head.writeUInt32LE(opts.origLen, 24);
  const trailer = Buffer.alloc(trailerLen);
  const end = writeOptions(trailer, padLen, o);
  trailer.writeUInt32LE(total, end);
  return [head, data, trailer];
}

export function enhancedPacketBlock(opts: EnhancedPacketOptions): Buffer {
  return Buffer.concat(enhancedPacketBlockParts(opts));
}

export interface InterfaceStatisticsOptions {
  interfaceId: number;
  timestamp: bigint;
  /** isb_ifrecv: packets received by the interface (tcpdump's "received by filter"). */
  received?: bigint;
  /** isb_ifdrop: packets dropped by the kernel. */
  dropped?: bigint;
  comment?: string;
}

export function interfaceStatisticsBlock(opts: InterfaceStatisticsOptions): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(opts.interfaceId, 0);
  splitTimestamp(fixed, 4, opts.timestamp);
  return block(BT_ISB, fixed, [...strOpt(OPT_COMMENT, opts.comment), ...u64Opt(ISB_IFRECV, opts.received), ...u64Opt(ISB_IFDROP, opts.dropped)]);
}

// ---- classic pcap (little-endian, as most readers expect from x86 writers) ----

export function pcapGlobalHeader(linkType: number, snaplen: number, nanos = false): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  // thiszone and sigfigs stay 0, as every modern writer leaves them.
  b.writeUInt32LE(snaplen >>> 0, 16);
  b.writeUInt32LE(linkType >>> 0, 20);
  return b;
}

export function pcapRecordHeader(rec: { tsSec: number; tsFrac: number; capLen: number; origLen: number }): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32LE(rec.tsSec >>> 0, 0);
  b.writeUInt32LE(rec.tsFrac >>> 0, 4);
  b.writeUInt32LE(rec.capLen >>> 0, 8);
  b.writeUInt32LE(rec.origLen >>> 0, 12);
  return b;
}

// ---- allocation-free encoders for the capture hot path ----

const TWO32 = 0x1_0000_0000;

/**
 * `tsSec * unitsPerSec + tsFrac` as the two 32-bit halves pcapng wants, in
 * plain numbers (exact: every intermediate stays below 2^53), so the hot path
 * allocates no BigInt per packet.
 */
export function splitTs(tsSec: number, tsFrac: number, unitsPerSec: number): [hi: number, lo: number] {
  const s = tsSec >>> 0;
  const aHi = (s >>> 16) * unitsPerSec; // × 2^16
  const aLo = (s & 0xffff) * unitsPerSec;
  const q = Math.floor(aHi / 65536);
  const r = aHi - q * 65536; // aHi × 2^16 = q × 2^32 + r × 2^16
  const low = r * 65536 + aLo + tsFrac;
  const carry = Math.floor(low / TWO32);
  return [q + carry, low - carry * TWO32];
}

/** Bytes an EPB without options takes for `capLen` bytes of packet. */
export const epbLength = (capLen: number) => 32 + pad4(capLen);

/**
 * Encode a whole EPB (no options) into `buf` at `off`, copying the packet
 * bytes; returns the offset after it. Padding is zeroed. The caller makes sure
 * `epbLength(capLen)` bytes fit.
 */
export function writeEpbInto(buf: Buffer, off: number, interfaceId: number, tsHi: number, tsLo: number, capLen: number, origLen: number, data: Buffer): number {
  const total = 32 + pad4(capLen);
  buf.writeUInt32LE(BT_EPB, off);
  buf.writeUInt32LE(total, off + 4);
  buf.writeUInt32LE(interfaceId, off + 8);
  buf.writeUInt32LE(tsHi, off + 12);
  buf.writeUInt32LE(tsLo, off + 16);
  buf.writeUInt32LE(capLen, off + 20);
  buf.writeUInt32LE(origLen, off + 24);
  data.copy(buf, off + 28, 0, capLen);
  let p = off + 28 + capLen;
  const end = off + total - 4;
  while (p < end) buf[p++] = 0;
  buf.writeUInt32LE(total, end);
  return off + total;
}

/** Classic pcap record header + data into `buf` at `off`; returns the offset after it. */
export function writePcapRecordInto(buf: Buffer, off: number, tsSec: number, tsFrac: number, capLen: number, origLen: number, data: Buffer): number {
  buf.writeUInt32LE(tsSec >>> 0, off);
  buf.writeUInt32LE(tsFrac >>> 0, off + 4);
  buf.writeUInt32LE(capLen >>> 0, off + 8);
  buf.writeUInt32LE(origLen >>> 0, off + 12);
  data.copy(buf, off + 16, 0, capLen);
  return off + 16 + capLen;
}
