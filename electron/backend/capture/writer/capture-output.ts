// The capture's output: one pcapng (or classic pcap) file, or a ring of them.
//
// Write path: every block is encoded (packet bytes copied) into a reusable
// slab; a slab is sealed into a batch at BATCH_BYTES or on flush() (the session
// flushes every 50 ms), and batches go to disk with async fs.write, one write
// in flight, in order. So the event loop never waits for the disk, nothing
// holds on to the pipe chunks a packet came in (they are free the moment the
// packet is encoded), and the memory in use is the batches queued: the session
// pauses reading tcpdump while `queuedBytes` is above its high-water mark.
//
// Only whole batches (whole blocks) are written, at explicit offsets; on
// ENOSPC/EDQUOT (or any write error) the file is cut back to the end of the
// last whole batch, so it stays readable, and the packets of that batch and of
// every batch still queued are reported in `lost` (they are not in the file).
import { close, closeSync, constants, ftruncateSync, openSync, unlinkSync, write } from 'node:fs';
import { CodedError, fsFailure } from '../../../../shared/result';
import { checkFormatFits } from '../../../../shared/capture';
import {
  epbLength,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  pcapGlobalHeader,
  sectionHeaderBlock,
  splitTs,
  writeEpbInto,
  writePcapRecordInto,
  type InterfaceDescriptionOptions,
} from '../../../formats/pcap/pcapng-writer';
import type { PcapRecord } from '../../../formats/pcap/pcap-stream';

export interface OutputOptions {
  path: string;
  format: 'pcapng' | 'pcap';
  ring: { files: number; fileBytes: number } | null;
  sectionComment: string;
  /**
   * An open FIFO (or pipe) to stream into instead of creating `path`: written in order (no
   * offsets), never cut back, no file kept. EPIPE means its reader went away.
   */
  stream?: number;
}

/** A new file of ours: never an existing one, never through a symlink, readable by us alone. */
export function createCaptureFile(path: string, flags = constants.O_WRONLY): number {
  try {
    return openSync(path, flags | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    throw fsFailure((e as NodeJS.ErrnoException).code, path, 'create');
  }
}

const fsError = (e: unknown, path: string) => fsFailure((e as NodeJS.ErrnoException).code, path, 'write');

export interface IfaceDesc extends InterfaceDescriptionOptions {
  nanos: boolean;
}

/** A batch is sealed once it holds this much (and on every flush). */
const BATCH_BYTES = 2 << 20;
/**
 * Slab size: a slab below BATCH_BYTES always has room for one more record of
 * the largest size the parser accepts (1 MiB + headers).
 */
const SLAB_BYTES = 4 << 20;
/** Spare slabs kept for reuse (the rest are left to the GC). */
const SLAB_SPARE = 2;

interface Batch {
  buf: Buffer;
  len: number;
  /** Per interface (IDB index): packets and original bytes in this batch. */
  packets: number[];
  bytes: number[];
  /** Close the current file and open the next ring file before writing this batch. */
  rotate: boolean;
}

/** name.pcapng → name_00001.pcapng */
export function ringName(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const num = String(n).padStart(5, '0');
  return dot > slash + 1 ? `${path.slice(0, dot)}_${num}${path.slice(dot)}` : `${path}_${num}`;
}

export class CaptureOutput {
  readonly files: string[] = [];
  private fd: number | null = null;
  private fileNo = 0;
  /** Bytes of whole batches written to the current file (where a failed write is cut back to). */
  private committed = 0;
  private totalCommitted = 0;
  private ifaces: IfaceDesc[] = [];
  /** The batch being filled. */
  private cur: Batch | null = null;
  private readonly queue: Batch[] = [];
  private spare: Buffer[] = [];
  private writing = false;
  /** Bytes sealed or being filled but not yet on disk. */
  private queued = 0;
  /** Bytes queued for the current ring file (rotation point). */
  private fileQueued = 0;
  private failure: CodedError | null = null;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  packets = 0;
  /** Packets (and their original bytes) per interface that a failed write kept out of the file. */
  lost: { packets: number[]; bytes: number[] } = { packets: [], bytes: [] };
  /** Called after each completed write (the session resumes reading below its low-water mark). */
  onWritten: (() => void) | null = null;
  /** Called once when a write fails (the file is cut back and closed by then). */
  onError: ((e: CodedError) => void) | null = null;

  constructor(private readonly o: OutputOptions) {}

  /** Create the first file before any tcpdump runs. */
  open(): void {
    this.fileNo = 1;
    this.fd = this.o.stream ?? this.createFile(1);
    this.writeFileHeader();
  }

  /** Bytes accepted so far (on disk or queued). */
  get bytes(): number {
    return this.totalCommitted + this.queued;
  }

  /** Bytes accepted but not yet on disk: the memory the output holds. */
  get queuedBytes(): number {
    return this.queued;
  }

  get failed(): CodedError | null {
    return this.failure;
  }

  get isOpen(): boolean {
    return this.fd !== null && !this.closed;
  }

  private createFile(n: number): number {
    const path = this.o.ring ? ringName(this.o.path, n) : this.o.path;
    const fd = createCaptureFile(path);
    this.files.push(path);
    if (this.o.ring && this.files.length > this.o.ring.files) {
      try {
        unlinkSync(this.files.shift()!);
      } catch {
        /* already gone, or they moved it */
      }
    }
    return fd;
  }

  private writeFileHeader(): void {
    if (this.o.format === 'pcapng') {
      this.append(sectionHeaderBlock({ comment: this.o.sectionComment, userAppl: 'vethscope' }));
      for (const d of this.ifaces) this.append(interfaceDescriptionBlock(d));
    } else if (this.ifaces[0]) {
      this.append(pcapGlobalHeader(this.ifaces[0].linkType, this.ifaces[0].snaplen, this.ifaces[0].nanos));
    }
  }

  addInterface(d: IfaceDesc): number {
    checkFormatFits(this.o.format, this.ifaces.length + 1, false);
    this.ifaces.push(d);
    if (this.o.format === 'pcapng') this.append(interfaceDescriptionBlock(d));
    else this.append(pcapGlobalHeader(d.linkType, d.snaplen, d.nanos));
    return this.ifaces.length - 1;
  }

  /** The batch being filled, with room for `n` more bytes. */
  private room(n: number): Batch {
    let b = this.cur;
    if (b && b.len + n > b.buf.length) {
      this.seal();
      b = null;
    }
    if (!b) {
      const size = Math.max(SLAB_BYTES, n);
      const buf = size === SLAB_BYTES && this.spare.length ? this.spare.pop()! : Buffer.allocUnsafeSlow(size);
      b = this.cur = { buf, len: 0, packets: [], bytes: [], rotate: false };
    }
    return b;
  }

  private append(block: Buffer): void {
    const b = this.room(block.length);
    block.copy(b.buf, b.len);
    b.len += block.length;
    this.queued += block.length;
    this.fileQueued += block.length;
  }

  /** Encode one packet (its bytes are copied: `rec.data` may be reused once this returns). */
  writePacket(iface: number, rec: PcapRecord): void {
    if (this.closed || this.failure) return;
    if (this.o.ring && this.fileQueued >= this.o.ring.fileBytes) this.rotate();
    const d = this.ifaces[iface]!;
    const n = this.o.format === 'pcapng' ? epbLength(rec.capLen) : 16 + rec.capLen;
    const b = this.room(n);
    if (this.o.format === 'pcapng') {
      const [hi, lo] = splitTs(rec.tsSec, rec.tsFrac, d.nanos ? 1e9 : 1e6);
      b.len = writeEpbInto(b.buf, b.len, iface, hi, lo, rec.capLen, rec.origLen, rec.data);
    } else {
      b.len = writePcapRecordInto(b.buf, b.len, rec.tsSec, rec.tsFrac, rec.capLen, rec.origLen, rec.data);
    }
    b.packets[iface] = (b.packets[iface] ?? 0) + 1;
    b.bytes[iface] = (b.bytes[iface] ?? 0) + rec.origLen;
    this.queued += n;
    this.fileQueued += n;
    this.packets++;
    if (b.len >= BATCH_BYTES) this.seal();
  }

  /** Next ring file: everything queued so far goes to the current one. */
  private rotate(): void {
    this.seal();
    this.fileQueued = 0;
    this.room(0).rotate = true;
    this.writeFileHeader();
  }

  private seal(): void {
    const b = this.cur;
    if (!b) return;
    this.cur = null;
    if (b.len === 0 && !b.rotate) {
      this.recycle(b.buf);
      return;
    }
    this.queue.push(b);
    this.pump();
  }

  private recycle(buf: Buffer): void {
    if (buf.length === SLAB_BYTES && this.spare.length < SLAB_SPARE) this.spare.push(buf);
  }

  /** Hand everything encoded so far to the writer (non-blocking). */
  flush(): void {
    if (this.failure || this.closed) return;
    this.seal();
  }

  private pump(): void {
    if (this.writing || this.failure) return;
    const b = this.queue[0];
    if (!b) {
      for (const f of this.idleWaiters.splice(0)) f();
      return;
    }
    if (b.rotate) {
      try {
        closeSync(this.fd!);
        this.fd = null;
        this.fileNo++;
        this.fd = this.createFile(this.fileNo);
        this.committed = 0;
      } catch (e) {
        this.fail(e instanceof CodedError ? e : fsError(e, this.o.path));
        return;
      }
      b.rotate = false;
    }
    this.writing = true;
    this.writeSome(b, 0);
  }

  private writeSome(b: Batch, done: number): void {
    write(this.fd!, b.buf, done, b.len - done, this.o.stream === undefined ? this.committed + done : null, (err, n) => {
      if (err) {
        this.writing = false;
        const gone = this.o.stream !== undefined && err.code === 'EPIPE';
        this.fail(gone ? new CodedError('INTERNAL', `nothing reads ${this.o.path} any more (its reader closed it)`) : fsError(err, this.files[this.files.length - 1] ?? this.o.path), { batch: b, written: done });
        return;
      }
      done += n;
      if (done < b.len) {
        if (n === 0) {
          this.writing = false;
          this.fail(new CodedError('DISK_FULL', `no space left for ${this.files[this.files.length - 1] ?? this.o.path}`), { batch: b, written: done });
          return;
        }
        this.writeSome(b, done);
        return;
      }
      this.writing = false;
      this.queue.shift();
      this.committed += b.len;
      this.totalCommitted += b.len;
      this.queued -= b.len;
      this.recycle(b.buf);
      this.onWritten?.();
      this.pump();
    });
  }

  /**
   * Cut the file back to its last whole block, close it, and count what never reached it.
   * A batch the disk took only part of keeps the whole blocks inside that part: a burst
   * (the event loop was busy, a big batch) must not lose everything already on disk.
   */
  private fail(err: CodedError, partial?: { batch: Batch; written: number }): void {
    if (this.failure) return;
    this.failure = err;
    let keep = 0;
    if (partial && partial.written > 0) keep = this.keepWholeBlocks(partial.batch, partial.written);
    if (this.fd !== null) {
      try {
        if (this.o.stream === undefined) ftruncateSync(this.fd, this.committed + keep); // whole blocks only
      } catch {
        /* best effort */
      }
      try {
        closeSync(this.fd);
      } catch {
        /* already gone */
      }
      this.fd = null;
    }
    const all = [...this.queue, ...(this.cur ? [this.cur] : [])];
    this.queue.length = 0;
    this.cur = null;
    for (const b of all) {
      b.packets.forEach((n, i) => {
        this.lost.packets[i] = (this.lost.packets[i] ?? 0) + (n ?? 0);
        this.packets -= n ?? 0;
      });
      b.bytes.forEach((n, i) => (this.lost.bytes[i] = (this.lost.bytes[i] ?? 0) + (n ?? 0)));
    }
    this.queued = 0;
    this.spare = [];
    for (const f of this.idleWaiters.splice(0)) f();
    this.onError?.(err);
  }

  /**
   * Bytes of whole blocks (pcapng) or records (pcap) at the start of `b` within `written`;
   * the packets in them are taken off the batch's counts (they stay in the file).
   */
  private keepWholeBlocks(b: Batch, written: number): number {
    let off = 0;
    if (this.o.format === 'pcap' && this.committed === 0) off = written >= 24 ? 24 : 0; // the file's global header
    if (off === 0 && this.o.format === 'pcap' && this.committed === 0) return 0;
    for (;;) {
      let len: number;
      let iface = 0;
      let packet = false;
      if (this.o.format === 'pcapng') {
        if (off + 8 > written) break;
        len = b.buf.readUInt32LE(off + 4);
        packet = b.buf.readUInt32LE(off) === 6; // Enhanced Packet Block
        if (packet && off + 28 <= written) iface = b.buf.readUInt32LE(off + 8);
      } else {
        if (off + 16 > written) break;
        len = 16 + b.buf.readUInt32LE(off + 8);
        packet = true;
      }
      if (len < 8 || off + len > written) break;
      if (packet) {
        const orig = this.o.format === 'pcapng' ? b.buf.readUInt32LE(off + 24) : b.buf.readUInt32LE(off + 12);
        b.packets[iface] = (b.packets[iface] ?? 0) - 1;
        b.bytes[iface] = (b.bytes[iface] ?? 0) - orig;
      }
      off += len;
    }
    return off;
  }

  /** Resolves when everything handed over is on disk; rejects with the write error if one happened. */
  drain(): Promise<void> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    if (!this.writing && !this.queue.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.idleWaiters.push(() => (this.failure ? reject(this.failure) : resolve())));
  }

  /** Interface Statistics Blocks (pcapng), write everything, close. Rejects with DISK_FULL (file cut back, closed) when out of space. */
  /** `stats` are keyed by IDB number: an interface whose attach failed has none, so positions would shift. */
  async close(stats: Array<{ idb: number; received: number; dropped: number; comment?: string }> | null): Promise<void> {
    if (this.closed) return;
    if (this.failure) {
      this.closed = true;
      throw this.failure;
    }
    if (stats && this.o.format === 'pcapng') {
      const now = BigInt(Date.now());
      for (const s of stats) {
        const d = this.ifaces[s.idb];
        if (!d) continue;
        const ts = d.nanos ? now * 1_000_000n : now * 1000n;
        this.append(interfaceStatisticsBlock({ interfaceId: s.idb, timestamp: ts, received: BigInt(s.received), dropped: BigInt(s.dropped), ...(s.comment ? { comment: s.comment } : {}) }));
      }
    }
    try {
      await this.drain();
    } finally {
      this.closed = true;
      this.spare = [];
      if (this.fd !== null) {
        const fd = this.fd;
        this.fd = null;
        await new Promise<void>((r) => close(fd, () => r()));
      }
    }
  }
}
