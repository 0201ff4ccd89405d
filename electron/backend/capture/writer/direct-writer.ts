// Zero-copy capture: classic pcap of exactly one interface, written by tcpdump itself
// (running as the user, `-w FILE`), so no packet byte passes through node on its way
// to disk. We create the file first (O_EXCL|O_NOFOLLOW, 0600: never an existing one)
// and read it back:
//   - counts and samples: every TAIL_MS the record headers tcpdump appended are walked
//     from the last record boundary (the headers and sampled heads only; bodies of large
//     records are skipped), at most TAIL_MAX_BYTES per tick, so the backend keeps yielding;
//   - size limit: checked at each tail read; the file is cut back to the record that
//     reached it (tcpdump overshoots by up to one tick of traffic, which is truncated);
//   - packet count: tcpdump's own -c N (the helper passes it);
//   - disk full or quota: tcpdump ignores write errors (4.99.3 on a full tmpfs exits 0
//     with the file ending mid-record), so a file that stays mid-record across two reads,
//     or does not grow while tcpdump reports more packets captured than it holds, is out
//     of space: the capture stops and the file is cut back to its last whole record.
// At the end the walk stops at the number of packets tcpdump says it wrote, never at the
// file's size; while capturing it stops at the first record tcpdump cannot have written
// (no bytes captured, more than the snap length or the packet, a fraction past one second):
// zeros of a file made sparse mid-capture are no packets, and cost nothing.
import { closeSync, constants, fstatSync, ftruncateSync, readSync, statfsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TcpdumpCounters } from '../../../../shared/helper-protocol';
import { PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN, parsePcapGlobalHeader, type PcapHeader } from '../../../formats/pcap/pcap-stream';
import { createCaptureFile } from './capture-output';
import { SAMPLE_HEAD_BYTES, SampleRing, type CaptureWriter, type PendingIface, type WriterCounts, type WriterEnd, type WriterHooks, type WriterIface } from './capture-writer';

export interface DirectWriterOptions {
  path: string;
  stop: { packetCount?: number; maxBytes?: number };
}

const TAIL_MS = 250;
/** Most walked per tick (the rest waits for the next tick); the final walk yields every this much. */
const TAIL_MAX_BYTES = 64 << 20;
const READ_BYTES = 256 << 10;
/** After a record longer than this, the next read is this small (header + sampled head). */
const SMALL_READ = 4096;
/** A record longer than this is damage (as PcapStreamParser judges). */
const MAX_CAPLEN = 256 * 1024 * 4;

/** Less than this free for ordinary users on the file's file system: full. */
const FULL_BELOW = 2 << 20;

function fileSystemFull(path: string): boolean {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize < FULL_BELOW;
  } catch {
    return false;
  }
}

/** Only what tcpdump can write by itself: classic pcap, one interface, no ring, no follow. */
export function directCapable(o: { format: string; interfaces: number; ring: unknown; follow: boolean }): boolean {
  return o.format === 'pcap' && o.interfaces === 1 && !o.ring && !o.follow;
}

export class DirectWriter implements CaptureWriter {
  readonly engine = 'tcpdump' as const;
  private fd: number | null = null;
  private header: PcapHeader | null = null;
  private index: number | null = null;
  private readonly samples = new SampleRing();
  private timer: NodeJS.Timeout | null = null;
  private readonly buf = Buffer.allocUnsafeSlow(READ_BYTES);
  /** File offset of the first record not yet walked (always a record boundary). */
  private boundary = PCAP_GLOBAL_HEADER_LEN;
  /** Where the file is cut back to at the end (a limit was reached there, or it is damaged). */
  private cutAt: number | null = null;
  private limit: 'size' | null = null;
  private stalls = 0;
  private lastSize = 0;
  private lastBoundary = 0;
  private capturedAtStall = 0;
  private diskFull = false;
  private ending: Promise<WriterEnd> | null = null;
  /** tcpdump's own count of packets written (from the helper's stats). */
  captured = 0;
  packets = 0;
  bytes = 0;

  constructor(
    private readonly o: DirectWriterOptions,
    private readonly hooks: WriterHooks,
  ) {}

  get files(): string[] {
    return [this.o.path];
  }

  open(): void {
    // Read-write: we read the tail back and cut a partial record off at the end.
    this.fd = createCaptureFile(this.o.path, constants.O_RDWR);
  }

  async prepareInterface(_desc: WriterIface): Promise<PendingIface> {
    return { output: this.o.path };
  }

  confirm(_pending: PendingIface, index: number): void {
    this.index = index;
  }

  discard(): void {
    /* the file is removed by abort() */
  }

  async begin(): Promise<void> {
    this.readHeader();
    this.timer = setInterval(() => this.tail(), TAIL_MS);
  }

  /** tcpdump flushes the file header (-U) before it says it listens; it is there by now, or soon. */
  private readHeader(): void {
    if (this.header || this.fd === null) return;
    const b = Buffer.alloc(PCAP_GLOBAL_HEADER_LEN);
    try {
      if (readSync(this.fd, b, 0, b.length, 0) === b.length) this.header = parsePcapGlobalHeader(b);
    } catch {
      /* not there yet: next tick */
    }
  }

  /** tcpdump's counters from the helper: the disk-full check compares against them. */
  onCounters(c: TcpdumpCounters): void {
    this.captured = Math.max(this.captured, c.captured);
  }

  /** Walk what tcpdump appended since the last boundary: count, sample, size limit, disk full. */
  private tail(): void {
    this.readHeader();
    if (this.fd === null || !this.header || this.cutAt !== null || this.ending) return;
    const size = this.size();
    const budget = this.walk(size, TAIL_MAX_BYTES, Infinity);
    if (this.limit) {
      this.hooks.onLimit('size');
      return;
    }
    // Out of space (or quota): the file stops growing mid-record or behind what tcpdump says it
    // captured, while tcpdump goes on counting packets (its writes fail and it does not care),
    // or the file system itself is full. A tcpdump the kernel is merely throttling (dirty
    // pages at full rate) counts nothing while it waits: that is no disk-full.
    const midRecord = size > this.boundary && budget > 0;
    const behind = this.captured > this.packets;
    if (size === this.lastSize && this.boundary === this.lastBoundary && (midRecord || behind)) {
      if (this.stalls++ === 0) this.capturedAtStall = this.captured;
    } else this.stalls = 0;
    this.lastSize = size;
    this.lastBoundary = this.boundary;
    const progressing = this.captured > this.capturedAtStall;
    if (this.stalls >= 2 && (progressing || fileSystemFull(this.o.path)) && !this.diskFull) {
      this.diskFull = true;
      this.hooks.onFailure('disk-full', { code: 'DISK_FULL', message: `no space left for ${this.o.path} (the file stopped growing mid-packet)` });
    }
  }

  private size(): number {
    try {
      return fstatSync(this.fd!).size;
    } catch {
      return 0;
    }
  }

  /**
   * Walk record headers from the boundary, at most `budget` bytes and `maxRecords` records.
   * Only headers (and the heads the live view samples) are read: small packets cost one
   * read per READ_BYTES, large ones one small read each. Returns the budget left.
   */
  private walk(size: number, budget: number, maxRecords: number): number {
    const le = this.header!.littleEndian;
    const u32 = (o: number) => (le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o));
    let want = READ_BYTES;
    let bufStart = -1;
    let bufLen = 0;
    let records = 0;
    while (this.boundary + PCAP_RECORD_HEADER_LEN <= size && budget > 0 && records < maxRecords) {
      const off = this.boundary;
      if (bufStart < 0 || off + PCAP_RECORD_HEADER_LEN + SAMPLE_HEAD_BYTES > bufStart + bufLen) {
        let n: number;
        try {
          n = readSync(this.fd!, this.buf, 0, Math.min(want, size - off), off);
        } catch {
          break;
        }
        if (n < PCAP_RECORD_HEADER_LEN) break;
        bufStart = off;
        bufLen = n;
      }
      const i = off - bufStart;
      if (i + PCAP_RECORD_HEADER_LEN > bufLen) {
        if (i === 0) break; // just read here: nothing more yet
        bufStart = -1; // header across the window's end: read again at the boundary
        continue;
      }
      const capLen = u32(i + 8);
      if (capLen > MAX_CAPLEN) {
        this.cutAt = this.boundary; // not a record boundary after all: keep the file up to here
        break;
      }
      // Not (yet) a record tcpdump wrote: zeros ahead of its write offset, or garbage. Wait here.
      if (!this.plausible(capLen, u32(i + 12), u32(i + 4))) break;
      const end = off + PCAP_RECORD_HEADER_LEN + capLen;
      if (end > size) break; // being written (or cut short): next tick
      const dataStart = i + PCAP_RECORD_HEADER_LEN;
      const headLen = Math.min(capLen, SAMPLE_HEAD_BYTES, bufLen - dataStart);
      if (headLen < Math.min(capLen, SAMPLE_HEAD_BYTES)) {
        if (i === 0 && want === READ_BYTES) break; // cannot happen for a whole record in a regular file
        bufStart = -1; // the sampled head is cut by the window: read again at the boundary
        want = READ_BYTES;
        continue;
      }
      this.samples.add(this.index ?? 0, { tsSec: u32(i), tsFrac: u32(i + 4), capLen, origLen: u32(i + 12), data: this.buf.subarray(dataStart, dataStart + headLen) });
      this.boundary = end;
      this.packets++;
      this.bytes += u32(i + 12);
      records++;
      budget -= PCAP_RECORD_HEADER_LEN + capLen;
      if (end > bufStart + bufLen) {
        bufStart = -1; // past the window: large records, read only a little at the next header
        want = capLen > SMALL_READ ? SMALL_READ : READ_BYTES;
      }
      if (this.o.stop.maxBytes && this.boundary >= this.o.stop.maxBytes) {
        this.cutAt = this.boundary;
        this.limit = 'size';
        break;
      }
    }
    return budget;
  }

  /** A record header tcpdump could have written: some bytes, within the snap length and the packet. */
  private plausible(capLen: number, origLen: number, tsFrac: number): boolean {
    const h = this.header!;
    return capLen > 0 && capLen <= (h.snaplen > 0 ? h.snaplen : MAX_CAPLEN) && capLen <= origLen && tsFrac < (h.nanos ? 1e9 : 1e6);
  }

  /** Whether the bytes from `off` to the end are the start of a record that never got finished. */
  private partialRecordAt(off: number): boolean {
    const size = this.size();
    if (size - off < PCAP_RECORD_HEADER_LEN) return size > off;
    const b = Buffer.alloc(PCAP_RECORD_HEADER_LEN);
    try {
      readSync(this.fd!, b, 0, b.length, off);
    } catch {
      return false;
    }
    const capLen = this.header!.littleEndian ? b.readUInt32LE(8) : b.readUInt32BE(8);
    return capLen <= MAX_CAPLEN && off + PCAP_RECORD_HEADER_LEN + capLen > size;
  }

  counts(): WriterCounts {
    return { packets: this.packets, bytes: this.bytes, files: this.files, ifaces: new Map([[this.index ?? 0, { packets: this.packets, bytes: this.bytes }]]) };
  }

  takeSamples() {
    const h = this.header;
    return this.samples.take(() => (h ? { linkType: h.linkType, nanos: h.nanos } : null));
  }

  finish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    this.ending ??= this.doFinish(final);
    return this.ending;
  }

  private async doFinish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    if (this.timer) clearInterval(this.timer);
    for (const c of final ?? []) this.onCounters(c);
    let reason: WriterEnd['reason'] = this.limit ?? (this.diskFull ? 'disk-full' : null);
    let error: WriterEnd['error'] = this.diskFull ? { code: 'DISK_FULL', message: `no space left for ${this.o.path} (the file stopped growing mid-packet)` } : null;
    if (this.fd !== null) {
      this.readHeader();
      // Everything tcpdump says it wrote, and no more; yielding now and then.
      if (this.header) {
        // tcpdump's exit report is exact; after a SIGKILL only the last poll is known: walk to the end then.
        const exact = final?.some((c) => c.ended === 'stopped' || c.ended === 'exited') ?? false;
        const wanted = exact ? this.captured : Infinity;
        while (this.cutAt === null && this.packets < wanted) {
          const before = this.packets;
          this.walk(this.size(), TAIL_MAX_BYTES, wanted - this.packets);
          if (this.packets === before) break;
          await new Promise((r) => setImmediate(r));
        }
      }
      const cut = this.cutAt ?? (this.header ? this.boundary : PCAP_GLOBAL_HEADER_LEN);
      if (this.size() > cut) {
        try {
          ftruncateSync(this.fd, cut);
        } catch {
          /* best effort */
        }
        // A partial record at the end that no limit explains: the write was cut short.
        if (this.cutAt === null && !this.diskFull && this.header && this.partialRecordAt(this.boundary)) {
          reason = 'disk-full';
          error = { code: 'DISK_FULL', message: `no space left for ${this.o.path} (tcpdump's last packet was cut short)` };
        }
      }
      if (this.limit) reason = this.limit;
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
    return { packets: this.packets, bytes: this.bytes, files: this.files, reason, error };
  }

  async abort(): Promise<void> {
    await this.finish(null);
    try {
      unlinkSync(this.o.path);
    } catch {
      /* gone already */
    }
  }
}
