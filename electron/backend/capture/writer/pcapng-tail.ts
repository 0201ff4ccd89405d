// Following a pcapng file another process (dumpcap, as the user) is writing: block headers
// are walked from the last whole-block boundary, packets counted and their heads sampled
// for the live view. Only headers and the sampled heads are read: the bodies of large
// packets are skipped. Never further than asked (a budget per call), never past what the
// writer says it wrote at the end.
import { fstatSync, readSync } from 'node:fs';
import { BLOCK_MAX, BLOCK_MIN, BT_EPB, BT_IDB, BT_SHB, EPB_HEAD, blockHead, interfaceInfo, packetHead, sectionLittleEndian, type InterfaceInfo } from '../../../formats/pcap/pcapng-blocks';
import { SAMPLE_HEAD_BYTES } from './capture-writer';

const WINDOW = 256 << 10;
/** After a large block, read only what the next header and sampled head need: a window over
 * 64 KiB packets would read the whole file back (at 1 Gbit/s, ~0.1 s of CPU per 500 MB). */
const LARGE_BLOCK = 4096;
const HEAD_READ = 4096;

export interface TailedPacket {
  tsHi: number;
  tsLo: number;
  capLen: number;
  origLen: number;
  head: Buffer;
}

export class PcapngTail {
  private readonly buf = Buffer.allocUnsafeSlow(WINDOW);
  private le: boolean | null = null;
  /** Offset of the first block not yet walked: always a block boundary. */
  boundary = 0;
  /** The file is damaged from here (a length that cannot be): keep it up to this offset. */
  damagedAt: number | null = null;
  iface: InterfaceInfo | null = null;
  packets = 0;
  bytes = 0;
  /** Offset just after the last Enhanced Packet Block (where a cut keeps every packet). */
  afterLastPacket = 0;

  constructor(
    readonly fd: number,
    private readonly onPacket: (p: TailedPacket) => void = () => undefined,
  ) {}

  size(): number {
    try {
      return fstatSync(this.fd).size;
    } catch {
      return 0;
    }
  }

  /**
   * Walk whole blocks from the boundary: at most `budget` bytes read (a large block counts its
   * header read only) and `maxPackets` packets.
   * Returns how many packets were walked.
   */
  walk(budget: number, maxPackets = Infinity): number {
    const size = this.size();
    let walked = 0;
    let winStart = -1;
    let winLen = 0;
    let ahead = WINDOW;
    const load = (off: number, want: number): boolean => {
      if (winStart >= 0 && off >= winStart && off + want <= winStart + winLen) return true;
      let n = 0;
      try {
        n = readSync(this.fd, this.buf, 0, Math.min(WINDOW, size - off, Math.max(want, ahead)), off);
      } catch {
        return false;
      }
      winStart = off;
      winLen = n;
      return n >= want;
    };
    while (this.damagedAt === null && budget > 0 && walked < maxPackets && this.boundary + BLOCK_MIN <= size) {
      const off = this.boundary;
      if (!load(off, 8)) break;
      if (this.le === null) {
        this.le = sectionLittleEndian(this.buf, off - winStart);
        if (this.le === null) {
          this.damagedAt = off;
          break;
        }
      }
      const { type, length } = blockHead(this.buf, off - winStart, this.le);
      if (length < BLOCK_MIN || length % 4 !== 0 || length > BLOCK_MAX) {
        this.damagedAt = off;
        break;
      }
      if (off + length > size) break; // still being written
      if (type === BT_SHB) {
        if (!load(off, 12)) break;
        this.le = sectionLittleEndian(this.buf, off - winStart);
      } else if (type === BT_IDB) {
        if (!load(off, length)) break;
        this.iface ??= interfaceInfo(this.buf, off - winStart, this.le);
      } else if (type === BT_EPB) {
        const want = Math.min(length, EPB_HEAD + SAMPLE_HEAD_BYTES);
        if (!load(off, want)) break;
        const h = packetHead(this.buf, off - winStart, this.le);
        const start = off - winStart + EPB_HEAD;
        this.onPacket({ tsHi: h.tsHi, tsLo: h.tsLo, capLen: h.capLen, origLen: h.origLen, head: this.buf.subarray(start, start + Math.min(h.capLen, SAMPLE_HEAD_BYTES)) });
        this.packets++;
        this.bytes += h.origLen;
        this.afterLastPacket = off + length;
        walked++;
      }
      this.boundary = off + length;
      ahead = length > LARGE_BLOCK ? HEAD_READ : WINDOW;
      // The budget is what walking costs: a large packet's body is skipped, not read.
      budget -= Math.min(length, HEAD_READ);
    }
    return walked;
  }
}
