// Reading pcapng blocks in place: the fields of a block header, an Interface Description
// Block's link type and timestamp resolution, an Enhanced Packet Block's header. Pure
// functions over Buffers; the byte order comes from the Section Header Block.
import { BT_EPB, BT_IDB, BT_SHB, BYTE_ORDER_MAGIC } from './pcapng-writer';

export { BT_EPB, BT_IDB, BT_SHB };
export const BT_ISB = 0x00000005;
/** type + length + ... + trailing length. */
export const BLOCK_MIN = 12;
/** An Enhanced Packet Block's fixed part before the packet data. */
export const EPB_HEAD = 28;
/** A block longer than this is damage, not data (libpcap's own limits are far below). */
export const BLOCK_MAX = 16 << 20;

export interface BlockHead {
  type: number;
  length: number;
}

/** Byte order of a section, from its SHB's byte-order magic; null when `buf` at `off` is no SHB. */
export function sectionLittleEndian(buf: Buffer, off = 0): boolean | null {
  if (buf.length < off + 12 || buf.readUInt32LE(off) !== BT_SHB) return null;
  if (buf.readUInt32LE(off + 8) === BYTE_ORDER_MAGIC) return true;
  if (buf.readUInt32BE(off + 8) === BYTE_ORDER_MAGIC) return false;
  return null;
}

export function blockHead(buf: Buffer, off: number, le: boolean): BlockHead {
  return le ? { type: buf.readUInt32LE(off), length: buf.readUInt32LE(off + 4) } : { type: buf.readUInt32BE(off), length: buf.readUInt32BE(off + 4) };
}

export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (if_tsresol; 1e6 when absent). */
  unitsPerSec: number;
}

/** Link type, snaplen and if_tsresol of a whole IDB block at `off`. */
export function interfaceInfo(buf: Buffer, off: number, le: boolean): InterfaceInfo {
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const length = u32(off + 4);
  let unitsPerSec = 1e6;
  for (let o = off + 16; o + 4 <= off + length - 4; ) {
    const code = u16(o);
    const len = u16(o + 2);
    if (code === 0) break;
    if (code === 9 && len >= 1) {
      const v = buf[o + 4]!;
      unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    }
    o += 4 + Math.ceil(len / 4) * 4;
  }
  return { linkType: u16(off + 8), snaplen: u32(off + 12), unitsPerSec };
}

export interface PacketHead {
  iface: number;
  tsHi: number;
  tsLo: number;
  capLen: number;
  origLen: number;
}

/** The fixed part of an EPB at `off` (at least EPB_HEAD bytes must be in `buf`). */
export function packetHead(buf: Buffer, off: number, le: boolean): PacketHead {
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  return { iface: u32(off + 8), tsHi: u32(off + 12), tsLo: u32(off + 16), capLen: u32(off + 20), origLen: u32(off + 24) };
}

/** A packet's time in nanoseconds since the epoch (exact: BigInt). */
export function packetTimeNs(h: Pick<PacketHead, 'tsHi' | 'tsLo'>, unitsPerSec: number): bigint {
  const units = (BigInt(h.tsHi) << 32n) | BigInt(h.tsLo);
  return unitsPerSec === 1e9 ? units : (units * 1_000_000_000n) / BigInt(unitsPerSec);
}
