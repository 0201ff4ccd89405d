// The capture's output: one pcapng (or classic pcap) file, or a ring of them.
// Blocks are queued in memory and written with writev on flush (the session
// flushes every few tens of ms, so a reader always finds whole blocks). On
// ENOSPC/EDQUOT the file is cut back to the end of the last whole batch, so it
// stays readable.
import { closeSync, ftruncateSync, writevSync } from 'node:fs';
import { CodedError } from '../../../shared/result';
import {
  enhancedPacketBlockParts,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  pcapGlobalHeader,
  pcapRecordHeader,
  sectionHeaderBlock,
  type InterfaceDescriptionOptions,
} from '../../capture/pcap/pcapng-writer';
import type { PcapRecord } from '../../capture/pcap/pcap-stream';
import type { Invoker } from '../identity';
import { createAsUser, fsError, unlinkAsUser } from './user-files';

export interface OutputOptions {
  path: string;
  format: 'pcapng' | 'pcap';
  ring: { files: number; fileBytes: number } | null;
  sectionComment: string;
  invoker: Invoker;
}

export interface IfaceDesc extends InterfaceDescriptionOptions {
  nanos: boolean;
}

const IOV_MAX = 1024;

/** name.pcapng → name_00001.pcapng */
export function ringName(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const num = String(n).padStart(5, '0');
  return dot > slash + 1 ? `${path.slice(0, dot)}_${num}${path.slice(dot)}` : `${path}_${num}`;
}

function writeAll(fd: number, input: Buffer[]): void {
  const bufs = input.slice();
  let i = 0;
  while (i < bufs.length) {
    const slice = bufs.slice(i, i + IOV_MAX);
    let n = writevSync(fd, slice);
    // Skip what went out; a partial write leaves the rest of one buffer for the next round.
    while (i < bufs.length && n >= bufs[i]!.length) n -= bufs[i++]!.length;
    if (n > 0) bufs[i] = bufs[i]!.subarray(n);
  }
}

export class CaptureOutput {
  readonly files: string[] = [];
  private fd: number | null = null;
  private fileNo = 0;
  private committed = 0; // bytes of whole batches in the current file
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private totalCommitted = 0;
  private ifaces: IfaceDesc[] = [];
  packets = 0;
  /** Packets queued since the last successful flush (interface, original length). */
  private unflushed: Array<{ iface: number; origLen: number }> = [];
  /** The packets a failed flush cut back out of the file: their counts must be taken back. */
  lostInFailedFlush: Array<{ iface: number; origLen: number }> = [];

  constructor(private readonly o: OutputOptions) {}

  /** Create the first file (as the invoking user) before any tcpdump runs. */
  open(): void {
    this.openNext();
  }

  get bytes(): number {
    return this.totalCommitted + this.pendingBytes;
  }

  private openNext(): void {
    this.fileNo++;
    const path = this.o.ring ? ringName(this.o.path, this.fileNo) : this.o.path;
    this.fd = createAsUser(this.o.invoker, path);
    this.files.push(path);
    this.committed = 0;
    if (this.o.ring && this.files.length > this.o.ring.files) unlinkAsUser(this.o.invoker, this.files.shift()!);
    if (this.o.format === 'pcapng') {
      this.queue([sectionHeaderBlock({ comment: this.o.sectionComment, userAppl: 'vethscope' })]);
      for (const d of this.ifaces) this.queue([interfaceDescriptionBlock(d)]);
    } else if (this.ifaces[0]) {
      this.queue([pcapGlobalHeader(this.ifaces[0].linkType, this.ifaces[0].snaplen, this.ifaces[0].nanos)]);
    }
  }

  addInterface(d: IfaceDesc): number {
    if (this.o.format === 'pcap' && this.ifaces.length) throw new CodedError('INVALID_INPUT', 'classic pcap holds one interface only: use pcapng');
    this.ifaces.push(d);
    if (this.o.format === 'pcapng') this.queue([interfaceDescriptionBlock(d)]);
    else this.queue([pcapGlobalHeader(d.linkType, d.snaplen, d.nanos)]);
    return this.ifaces.length - 1;
  }

  private queue(parts: Buffer[]): void {
    for (const p of parts) {
      this.pending.push(p);
      this.pendingBytes += p.length;
    }
  }

  writePacket(iface: number, rec: PcapRecord): void {
    const d = this.ifaces[iface]!;
    if (this.o.ring && this.committed + this.pendingBytes >= this.o.ring.fileBytes) this.rotate();
    if (this.o.format === 'pcapng') {
      const ts = BigInt(rec.tsSec) * (d.nanos ? 1_000_000_000n : 1_000_000n) + BigInt(rec.tsFrac);
      this.queue(enhancedPacketBlockParts({ interfaceId: iface, timestamp: ts, capLen: rec.capLen, origLen: rec.origLen, data: rec.data }));
    } else {
      this.queue([pcapRecordHeader(rec), rec.data]);
    }
    this.packets++;
    this.unflushed.push({ iface, origLen: rec.origLen });
  }

  private rotate(): void {
    this.flush();
    closeSync(this.fd!);
    this.fd = null;
    this.openNext();
  }

  /** Write everything queued. Throws CodedError DISK_FULL (file cut back and closed) when out of space. */
  flush(): void {
    if (this.fd === null || !this.pending.length) return;
    const bufs = this.pending;
    const n = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      writeAll(this.fd, bufs);
    } catch (e) {
      const err = fsError(e, this.files[this.files.length - 1]!);
      try {
        ftruncateSync(this.fd, this.committed); // drop the half-written batch: whole blocks only
      } catch {
        /* best effort */
      }
      closeSync(this.fd);
      this.fd = null;
      this.lostInFailedFlush = this.unflushed;
      this.packets -= this.unflushed.length;
      this.unflushed = [];
      throw err;
    }
    this.unflushed = [];
    this.committed += n;
    this.totalCommitted += n;
  }

  /** Interface Statistics Blocks (pcapng), flush, close. */
  close(stats: Array<{ received: number; dropped: number }> | null): void {
    if (this.fd === null) return;
    if (stats && this.o.format === 'pcapng') {
      const now = BigInt(Date.now());
      stats.forEach((s, i) => {
        const d = this.ifaces[i];
        if (!d) return;
        const ts = d.nanos ? now * 1_000_000n : now * 1000n;
        this.queue([interfaceStatisticsBlock({ interfaceId: i, timestamp: ts, received: BigInt(s.received), dropped: BigInt(s.dropped) })]);
      });
    }
    try {
      this.flush();
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }
}
