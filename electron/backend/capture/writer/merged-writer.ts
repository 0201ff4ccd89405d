// Every interface's tcpdump writes pcap into its own FIFO; records are merged in time
// order into one file (pcapng with an Interface Description Block per interface, or
// classic pcap for a single one), or a ring of files.
import { unlinkSync } from 'node:fs';
import { toErrorInfo } from '../../../../shared/result';
import { printable } from '../../../../shared/text';
import type { TcpdumpCounters } from '../../../../shared/helper-protocol';
import type { PcapHeader, PcapRecord } from '../../../formats/pcap/pcap-stream';
import { CaptureOutput } from './capture-output';
import { SampleRing, StopLimits, type CaptureWriter, type PendingIface, type WriterCounts, type WriterEnd, type WriterHooks, type WriterIface } from './capture-writer';
import type { FifoDir } from './fifo';
import { Merger } from './merger';
import { PcapPipe } from './pcap-pipe';

export interface MergedWriterOptions {
  path: string;
  format: 'pcapng' | 'pcap';
  ring: { files: number; fileBytes: number } | null;
  sectionComment: string;
  filter: string;
  stop: { packetCount?: number; maxBytes?: number };
  /** An open FIFO to stream into instead of creating `path` (CaptureOutput's `stream`). */
  stream?: number;
}

interface Iface {
  desc: WriterIface;
  fifo: string;
  pipe: PcapPipe;
  /** Merger queue. */
  queue: number;
  /** Helper index, once confirmed. */
  index: number | null;
  header: PcapHeader | null;
  idb: number | null;
  packets: number;
  bytes: number;
}

const TICK_MS = 50; // merge + write; files are flushed every tick
/** Stop reading tcpdump above this much waiting for the disk (merger + output), read again below LOW_WATER. */
const HIGH_WATER = 24 << 20;
const LOW_WATER = 8 << 20;
/** How long begin() waits for the pcap header of every start interface. */
const HEADER_WAIT_MS = 5000;
/** After the tcpdumps were stopped, how long their streams may take to end. */
const DRAIN_WAIT_MS = 3000;

export class MergedWriter implements CaptureWriter {
  readonly engine = 'tcpdump' as const;
  private readonly ifaces: Iface[] = [];
  private readonly pending = new Map<PendingIface, Iface>();
  private merger = new Merger(200);
  private readonly out: CaptureOutput;
  private readonly samples = new SampleRing();
  private readonly limits: StopLimits;
  private timer: NodeJS.Timeout | null = null;
  private ready = false;
  private throttled = false;
  private ending: Promise<WriterEnd> | null = null;
  private limitReported = false;

  constructor(
    private readonly o: MergedWriterOptions,
    private readonly fifos: FifoDir,
    private readonly hooks: WriterHooks,
  ) {
    this.limits = new StopLimits(o.stop);
    this.out = new CaptureOutput({ path: o.path, format: o.format, ring: o.ring, sectionComment: o.sectionComment, ...(o.stream !== undefined ? { stream: o.stream } : {}) });
    this.out.onWritten = () => this.throttle();
    this.out.onError = (e) => {
      this.takeBackUnwritten();
      if (!this.ending) hooks.onFailure(e.code === 'DISK_FULL' ? 'disk-full' : 'error', toErrorInfo(e));
    };
  }

  get files(): string[] {
    return [...this.out.files];
  }

  open(): void {
    this.out.open(); // PERMISSION_DENIED / NOT_FOUND here, before any tcpdump runs
  }

  async prepareInterface(desc: WriterIface): Promise<PendingIface> {
    const { path, socket } = await this.fifos.open(desc.label);
    const f: Iface = { desc, fifo: path, queue: this.merger.addInterface(), index: null, header: null, idb: null, packets: 0, bytes: 0, pipe: null as unknown as PcapPipe };
    f.pipe = new PcapPipe(socket, {
      onHeader: (h) => {
        f.header = h;
        if (this.ready && f.index !== null) this.addIdb(f); // attached later: its IDB goes in now, before its first packet
      },
      onRecords: (recs) => this.onRecords(f, recs),
      onEnd: () => {
        this.merger.endInterface(f.queue);
        this.fifos.remove(f.fifo);
      },
    });
    const pending = { output: path };
    this.pending.set(pending, f);
    return pending;
  }

  confirm(pending: PendingIface, index: number): void {
    const f = this.pending.get(pending);
    if (!f) return;
    this.pending.delete(pending);
    f.index = index;
    this.ifaces.push(f);
    if (this.ready && f.header) this.addIdb(f);
  }

  discard(pending: PendingIface): void {
    const f = this.pending.get(pending);
    if (!f) return;
    this.pending.delete(pending);
    f.pipe.destroy();
  }

  async begin(): Promise<void> {
    // Interface Description Blocks in the order the interfaces were asked for.
    const deadline = Date.now() + HEADER_WAIT_MS;
    while (this.ifaces.some((f) => !f.header && !f.pipe.done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const f of this.ifaces) if (f.header) this.addIdb(f);
    this.out.flush();
    this.ready = true;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private addIdb(f: Iface): void {
    if (f.idb !== null) return;
    const h = f.header!;
    f.idb = this.out.addInterface({
      linkType: h.linkType,
      snaplen: h.snaplen,
      name: f.desc.label,
      // if_description, where dumpcap's --ifdescr puts it: one field whichever writer made the file.
      description: f.desc.comment || undefined,
      tsresol: h.nanos ? 9 : 6,
      filter: this.o.filter || undefined,
      nanos: h.nanos,
    });
  }

  /**
   * One live interface and nothing waiting in the merger: straight into the output
   * batch (copied there, so the chunk is free at once). Otherwise through the merger,
   * which releases records as soon as time order allows.
   */
  private onRecords(f: Iface, recs: PcapRecord[]): void {
    if (this.ending) return;
    if (this.ready && f.idb !== null && this.merger.queued === 0 && this.liveInterfaces() === 1) {
      for (const rec of recs) if (!this.deliver(f, rec)) break;
    } else {
      this.merger.push(f.queue, recs, f.header?.nanos ?? false);
      if (this.ready) this.writeReady(false);
    }
    this.throttle();
  }

  private liveInterfaces(): number {
    let n = 0;
    for (const f of this.ifaces) if (!f.pipe.done) n++;
    return n;
  }

  /** Pause every tcpdump while too much waits for the disk; read again once it has caught up. */
  private throttle(): void {
    const waiting = this.out.queuedBytes + this.merger.bytes;
    if (!this.throttled && waiting > HIGH_WATER && !this.ending) {
      this.throttled = true;
      for (const f of this.ifaces) f.pipe.pause();
    } else if (this.throttled && (waiting < LOW_WATER || this.ending)) {
      this.throttled = false;
      for (const f of this.ifaces) f.pipe.resume();
    }
  }

  /** One record into the file (counted, sampled); false once a stop limit is reached. */
  private deliver(f: Iface, rec: PcapRecord): boolean {
    if (!this.out.isOpen || this.out.failed || f.idb === null) return false;
    if (!this.limits.allows(this.out.packets)) return this.limitReached();
    this.out.writePacket(f.idb, rec);
    f.packets++;
    f.bytes += rec.origLen;
    this.samples.add(f.index!, rec);
    if (this.limits.reached(this.out.packets, this.out.bytes)) return this.limitReached();
    return true;
  }

  private limitReached(): false {
    if (!this.ending && this.limits.hit && !this.limitReported) {
      this.limitReported = true;
      this.hooks.onLimit(this.limits.hit);
    }
    return false;
  }

  private writeReady(all: boolean): void {
    if (!this.merger.queued) return;
    const byQueue = new Map(this.ifaces.map((f) => [f.queue, f]));
    for (const q of this.merger.take(Date.now(), all)) {
      const f = byQueue.get(q.iface);
      if (f && !this.deliver(f, q.rec)) break;
    }
  }

  private tick(): void {
    if (this.ending) return;
    this.writeReady(false);
    this.out.flush(); // on disk within a tick or so
    this.throttle();
  }

  /** A failed write cut its batch (and dropped the queued ones): those packets are not in the file, so not counted. */
  private takeBackUnwritten(): void {
    const lost = this.out.lost;
    lost.packets.forEach((n, idb) => {
      const f = this.ifaces.find((x) => x.idb === idb);
      if (!f || !n) return;
      f.packets -= n;
      f.bytes -= lost.bytes[idb] ?? 0;
    });
    this.out.lost = { packets: [], bytes: [] };
  }

  counts(): WriterCounts {
    const ifaces = new Map<number, { packets: number; bytes: number }>();
    let packets = 0;
    let bytes = 0;
    for (const f of this.ifaces) {
      packets += f.packets;
      bytes += f.bytes;
      if (f.index !== null) ifaces.set(f.index, { packets: f.packets, bytes: f.bytes });
    }
    return { packets, bytes, files: this.files, ifaces };
  }

  takeSamples() {
    const byIndex = new Map(this.ifaces.map((f) => [f.index, f]));
    return this.samples.take((i) => {
      const h = byIndex.get(i)?.header;
      return h ? { linkType: h.linkType, nanos: h.nanos } : null;
    });
  }

  finish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    this.ending ??= this.doFinish(final);
    return this.ending;
  }

  private async doFinish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    if (this.timer) clearInterval(this.timer);
    this.throttle(); // read again: stopped tcpdumps flush what they have and exit
    const drained = Promise.all(this.ifaces.map((f) => f.pipe.whenEnded()));
    // unref: once drained, this timer must not keep a CLI process alive for DRAIN_WAIT_MS.
    const late = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), DRAIN_WAIT_MS).unref())]);
    if (late) for (const f of this.ifaces) f.pipe.destroy();
    for (const f of this.pending.values()) f.pipe.destroy();
    let reason: WriterEnd['reason'] = this.limits.hit;
    let error = null;
    try {
      if (this.out.isOpen) {
        if (this.ready) {
          for (const f of this.ifaces) if (f.header && f.idb === null) this.addIdb(f);
          this.writeReady(true);
        }
        const byIndex = new Map((final ?? []).map((c) => [c.index, c]));
        const stats = this.ifaces.flatMap((f) => {
          const c = f.index === null ? undefined : byIndex.get(f.index);
          // An interface that ended before the capture (its remote host dropped) says why in its statistics block.
          const early = c && c.ended && c.ended !== 'stopped' && c.message ? { comment: `ended early: ${printable(c.message)}` } : {};
          return f.idb === null || !c ? [] : [{ idb: f.idb, received: c.receivedByFilter, dropped: c.droppedByKernel, ...early }];
        });
        await this.out.close(final ? stats : null);
      } else {
        await this.out.close(null).catch(() => undefined);
      }
    } catch (e) {
      this.takeBackUnwritten();
      error = toErrorInfo(e);
      reason = error.code === 'DISK_FULL' ? 'disk-full' : 'error';
    }
    if (this.out.failed && !error) {
      this.takeBackUnwritten();
      error = toErrorInfo(this.out.failed);
      reason = error.code === 'DISK_FULL' ? 'disk-full' : 'error';
    }
    const { packets, bytes } = this.counts();
    // Nothing heavy stays behind with an ended capture.
    this.merger.clear();
    this.merger = new Merger(200);
    for (const f of this.ifaces) {
      f.pipe.dispose();
      this.fifos.remove(f.fifo);
    }
    return { packets, bytes, files: this.files, reason, error };
  }

  async abort(): Promise<void> {
    await this.finish(null);
    for (const f of this.files) {
      try {
        unlinkSync(f);
      } catch {
        /* gone already */
      }
    }
  }
}
