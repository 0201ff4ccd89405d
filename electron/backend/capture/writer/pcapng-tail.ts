// Following a pcapng file another process (dumpcap, as the user) is writing: block headers
// are walked from the last whole-block boundary, packets counted and their heads sampled
// for the live view. Only headers and the sampled heads are read: the bodies of large
// packets are skipped, and only the last `sampleLast` packets of each walk (the live view keeps
// no more) and the file's first (its earliest time) have their heads read and handed on.
// Never further than asked (a budget per call), never past what the writer says it wrote at the end.
import { fstatSync, readSync } from 'node:fs';
import { BLOCK_MAX, BLOCK_MIN, BT_EPB, BT_IDB, BT_ISB, BT_SHB, EPB_HEAD, blockHead, interfaceInfo, packetHead, sectionLittleEndian, type InterfaceInfo } from '../../../formats/pcap/pcapng-blocks';
import { SAMPLE_HEAD_BYTES } from './capture-writer';

const WINDOW = 256 << 10;
/** After a large block, read only what the next header and sampled head need: a window over
 * 64 KiB packets would read the whole file back (at 1 Gbit/s, ~0.1 s of CPU per 500 MB). */
const LARGE_BLOCK = 4096;
/** One read per large block: its successor's header and sampled head (a syscall costs the same for 28 bytes or 512). */
const HEAD_READ = 512;
/** An Enhanced Packet Block's bytes around its packet: the fixed header and the trailing length (dumpcap writes no options). */
const EPB_FRAMING = EPB_HEAD + 4;

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

  /** The walk's last `sampleLast` packets, copied as they pass (tsHi, tsLo, capLen, origLen, head length; heads), handed on after the walk. */
  private readonly recent: Float64Array;
  private readonly heads: Buffer;

  constructor(
    readonly fd: number,
    private readonly onPacket: (p: TailedPacket) => void = () => undefined,
    private readonly sampleLast = Infinity,
  ) {
    const slots = Number.isFinite(sampleLast) ? Math.max(1, sampleLast) : 0;
    this.recent = new Float64Array(slots * 5);
    this.heads = Buffer.allocUnsafeSlow(slots * SAMPLE_HEAD_BYTES);
  }

  size(): number {
    try {
      return fstatSync(this.fd).size;
    } catch {
      return 0;
    }
  }

  /**
   * The bytes of `packets` packets the writer says it wrote past the walk, judged from the file's
   * size up to `end` without walking: each one's 0-3 bytes of padding are counted in.
   */
  bytesPastWalk(packets: number, end = this.size()): number {
    return Math.max(0, end - this.boundary - packets * EPB_FRAMING);
  }

  /**
   * bytesPastWalk for a file its writer closed whole: the file must end in the Interface
   * Statistics Block dumpcap writes when it closes, whose trailing length matches its header,
   * and hold at least the framing of `packets` packets. Null: walk it.
   */
  unwalkedBytes(packets: number): number | null {
    const size = this.size();
    if (this.le === null || size - this.boundary < BLOCK_MIN) return null;
    const tail = Buffer.alloc(4);
    try {
      if (readSync(this.fd, tail, 0, 4, size - 4) !== 4) return null;
      const length = this.le ? tail.readUInt32LE(0) : tail.readUInt32BE(0);
      if (length < BLOCK_MIN || length % 4 !== 0 || size - length < this.boundary) return null;
      const head = Buffer.alloc(8);
      if (readSync(this.fd, head, 0, 8, size - length) !== 8) return null;
      const h = blockHead(head, 0, this.le);
      if (h.type !== BT_ISB || h.length !== length) return null;
      const end = size - length;
      return end - this.boundary >= packets * EPB_FRAMING ? this.bytesPastWalk(packets, end) : null;
    } catch {
      return null;
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
    let kept = 0;
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
        // Every head when all are sampled, and the file's first; the others' after the walk.
        if (!load(off, Math.min(length, EPB_HEAD + SAMPLE_HEAD_BYTES))) break;
        const h = packetHead(this.buf, off - winStart, this.le);
        const start = off - winStart + EPB_HEAD;
        const headLen = Math.max(0, Math.min(h.capLen, SAMPLE_HEAD_BYTES, length - EPB_HEAD));
        if (this.recent.length === 0 || this.packets === 0) this.onPacket({ tsHi: h.tsHi, tsLo: h.tsLo, capLen: h.capLen, origLen: h.origLen, head: this.buf.subarray(start, start + headLen) });
        else {
          const k = kept++ % this.sampleLast;
          const m = k * 5;
          this.recent[m] = h.tsHi;
          this.recent[m + 1] = h.tsLo;
          this.recent[m + 2] = h.capLen;
          this.recent[m + 3] = h.origLen;
          this.recent[m + 4] = headLen;
          this.buf.copy(this.heads, k * SAMPLE_HEAD_BYTES, start, start + headLen);
        }
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
    // The walk's last packets, oldest first.
    const r = this.recent;
    for (let i = kept - Math.min(kept, this.sampleLast); i < kept; i++) {
      const k = i % this.sampleLast;
      const at = k * SAMPLE_HEAD_BYTES;
      this.onPacket({ tsHi: r[k * 5]!, tsLo: r[k * 5 + 1]!, capLen: r[k * 5 + 2]!, origLen: r[k * 5 + 3]!, head: this.heads.subarray(at, at + r[k * 5 + 4]!) });
    }
    return walked;
  }
}
