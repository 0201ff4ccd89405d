// Several interfaces' pcapng parts (one per dumpcap, each already in time order) become one
// file in time order: one Section Header Block, every part's Interface Description Block in
// part order (part i is interface i), the Enhanced Packet Blocks merged by timestamp with
// their interface id set, and an Interface Statistics Block per interface. Packet blocks are
// copied as they are (only the 4-byte interface id changes), in large reads and writes, and
// the event loop gets a turn every few megabytes.
import { closeSync, openSync, constants, readSync, writeSync } from 'node:fs';
import { BLOCK_MAX, BT_EPB, BT_IDB, EPB_HEAD, blockHead, interfaceInfo, packetHead, packetTimeNs, sectionLittleEndian } from '../../../formats/pcap/pcapng-blocks';
import { interfaceStatisticsBlock, sectionHeaderBlock } from '../../../formats/pcap/pcapng-writer';
import { fsFailure } from '../../../../shared/result';

export interface Part {
  path: string;
  /** Whole blocks end here (the tail walker's boundary): nothing after it is read. */
  end: number;
  /** tcpdump/dumpcap's final counters for the statistics block. */
  received: number;
  dropped: number;
}

export interface MergeLimits {
  packetCount?: number;
  maxBytes?: number;
}

export interface MergeResult {
  packets: number;
  bytes: number;
  /** A limit cut the merge short (the rest of the parts was left out). */
  limited: 'count' | 'size' | null;
}

const READ = 1 << 20;
const WRITE = 4 << 20;
const YIELD_EVERY = 16 << 20;

class PartReader {
  private buf = Buffer.allocUnsafeSlow(READ);
  private bufStart = 0;
  private bufLen = 0;
  private off = 0;
  le = true;
  unitsPerSec = 1e6;
  idb: Buffer | null = null;
  /** The current packet block: its bytes (valid until next()) and time. */
  block: Buffer | null = null;
  time = 0n;
  origLen = 0;

  constructor(
    private readonly fd: number,
    private readonly end: number,
  ) {}

  private view(off: number, len: number): Buffer | null {
    if (off + len > this.end) return null;
    if (off < this.bufStart || off + len > this.bufStart + this.bufLen) {
      if (len > this.buf.length) this.buf = Buffer.allocUnsafeSlow(len);
      this.bufStart = off;
      this.bufLen = readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.end - off), off);
      if (this.bufLen < len) return null;
    }
    return this.buf.subarray(off - this.bufStart, off - this.bufStart + len);
  }

  /** Section header and the first interface; false when the part holds no usable start. */
  open(): boolean {
    const shb = this.view(0, 12);
    const le = shb ? sectionLittleEndian(shb) : null;
    if (le === null) return false;
    this.le = le;
    return this.next();
  }

  /** Advance to the next packet block (reading the IDB on the way); false at the end. */
  next(): boolean {
    this.block = null;
    for (;;) {
      const head = this.view(this.off, 8);
      if (!head) return false;
      const { type, length } = blockHead(head, 0, this.le);
      if (length < 12 || length > BLOCK_MAX) return false;
      const whole = this.view(this.off, length);
      if (!whole) return false;
      this.off += length;
      if (type === BT_IDB && !this.idb) {
        this.idb = Buffer.from(whole);
        this.unitsPerSec = interfaceInfo(whole, 0, this.le).unitsPerSec;
      } else if (type === BT_EPB && this.idb && length >= EPB_HEAD) {
        const h = packetHead(whole, 0, this.le);
        this.block = whole;
        this.time = packetTimeNs(h, this.unitsPerSec);
        this.origLen = h.origLen;
        return true;
      }
    }
  }
}

/** Merge `parts` into `output`, a new file (O_EXCL: never one that is there already). */
export async function mergeParts(parts: Part[], output: string, sectionComment: string, limits: MergeLimits = {}): Promise<MergeResult> {
  const fds = parts.map((p) => openSync(p.path, constants.O_RDONLY | constants.O_NOFOLLOW));
  let out = -1;
  try {
    out = openSync(output, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    const readers = parts.map((p, i) => new PartReader(fds[i]!, p.end));
    const live = readers.map((r) => r.open());
    const slab = Buffer.allocUnsafeSlow(WRITE);
    let used = 0;
    let written = 0;
    const flush = () => {
      let done = 0;
      while (done < used) done += writeSync(out, slab, done, used - done);
      written += used;
      used = 0;
    };
    const put = (b: Buffer) => {
      if (used + b.length > slab.length) flush();
      if (b.length > slab.length) {
        writeSync(out, b);
        written += b.length;
        return;
      }
      b.copy(slab, used);
      used += b.length;
    };
    put(sectionHeaderBlock({ comment: sectionComment, userAppl: 'vethscope' }));
    // Interface i is part i; a part without a usable start still gets its description (from
    // nothing, its packets are none), so later ids stay right.
    const idbOf = readers.map((r) => r.idb);
    for (const b of idbOf) if (b) put(b);
    const idOf = new Map<number, number>();
    idbOf.forEach((b, i) => b && idOf.set(i, idOf.size));
    let packets = 0;
    let bytes = 0;
    let limited: MergeResult['limited'] = null;
    let sinceYield = 0;
    for (;;) {
      let best = -1;
      for (let i = 0; i < readers.length; i++) if (live[i] && readers[i]!.block && (best < 0 || readers[i]!.time < readers[best]!.time)) best = i;
      if (best < 0) break;
      if (limits.packetCount && packets >= limits.packetCount) {
        limited = 'count';
        break;
      }
      const r = readers[best]!;
      const block = r.block!;
      if (r.le) block.writeUInt32LE(idOf.get(best)!, 8);
      else block.writeUInt32BE(idOf.get(best)!, 8);
      put(block);
      packets++;
      bytes += r.origLen;
      sinceYield += block.length;
      if (limits.maxBytes && written + used >= limits.maxBytes) {
        limited = 'size';
        break;
      }
      live[best] = r.next();
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        flush();
        await new Promise((res) => setImmediate(res));
      }
    }
    const now = BigInt(Date.now());
    parts.forEach((p, i) => {
      const id = idOf.get(i);
      if (id === undefined) return;
      const units = readers[i]!.unitsPerSec;
      put(interfaceStatisticsBlock({ interfaceId: id, timestamp: (now * BigInt(units)) / 1000n, received: BigInt(p.received), dropped: BigInt(p.dropped) }));
    });
    flush();
    return { packets, bytes, limited };
  } catch (e) {
    throw fsFailure((e as NodeJS.ErrnoException).code, output, 'write');
  } finally {
    for (const fd of fds) closeSync(fd);
    if (out >= 0) closeSync(out);
  }
}
