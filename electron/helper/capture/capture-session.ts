// One capture: a tcpdump per interface, merged in time order into one file.
// Lifecycle: start() → running → end(reason) → ended (captureEnded emitted once).
import type { z } from 'zod';
import type { CaptureSpecIface, helperEvents, helperOps } from '../../../shared/helper-protocol';
import { CodedError, toErrorInfo, type ErrorInfo } from '../../../shared/result';
import type { PcapHeader, PcapRecord } from '../../capture/pcap/pcap-stream';
import type { Invoker } from '../identity';
import { CaptureOutput } from './capture-file';
import { Merger, type Queued } from './merger';
import { TcpdumpSource } from './tcpdump-source';
import { unlinkAsUser } from './user-files';

type StartParams = z.output<typeof helperOps.startCapture.params>;
type IfaceSpec = z.output<typeof CaptureSpecIface>;
type Ended = z.output<typeof helperEvents.captureEnded>;
type EndReason = Ended['reason'];
export type Emit = (event: keyof typeof helperEvents, data: unknown) => void;

const TICK_MS = 50; // merge + write; files are flushed every tick (well under 250 ms)
const STATS_MS = 500;
const POLL_MS = 1000;
const GONE_GRACE_MS = 1500;
const SAMPLE_MAX = 200;
const SAMPLE_BYTES = 256;

interface Iface {
  spec: IfaceSpec;
  source: TcpdumpSource;
  header: PcapHeader | null;
  idb: number | null;
  packets: number;
  bytes: number;
}

export class CaptureSession {
  state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting';
  private readonly ifaces: Iface[] = [];
  private readonly merger = new Merger(200);
  private readonly out: CaptureOutput;
  private timers: NodeJS.Timeout[] = [];
  private goneTimer: NodeJS.Timeout | null = null;
  private samples: Queued[] = [];
  private ready = false;
  private ending: Promise<Ended> | null = null;

  constructor(
    readonly p: StartParams,
    private readonly invoker: Invoker,
    private readonly emit: Emit,
  ) {
    this.out = new CaptureOutput({ path: p.path, format: p.format, ring: p.ring, sectionComment: p.sectionComment, invoker });
  }

  async start(): Promise<{ captureId: string; files: string[]; linkTypes: number[] }> {
    if (this.p.format === 'pcap' && this.p.ifaces.length > 1) throw new CodedError('INVALID_INPUT', 'classic pcap holds one interface only: use pcapng');
    this.out.open(); // as the invoking user: PERMISSION_DENIED here, before any tcpdump runs
    try {
      const started = this.p.ifaces.map((spec) => this.spawn(spec));
      await Promise.all(started.map((s) => s.promise));
      for (const f of this.ifaces) this.addIdb(f);
      this.out.flush();
    } catch (e) {
      await Promise.all(this.ifaces.map((f) => f.source.stop(500)));
      try {
        this.out.close(null);
      } catch {
        /* the start error matters more */
      }
      for (const f of this.out.files) unlinkAsUser(this.invoker, f);
      this.state = 'ended';
      throw e;
    }
    this.ready = true;
    this.state = 'running';
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => this.report(), STATS_MS));
    this.timers.push(setInterval(() => this.ifaces.forEach((f) => f.source.poll()), POLL_MS));
    if (this.p.stop.durationSec) this.timers.push(setTimeout(() => void this.end('duration'), this.p.stop.durationSec * 1000));
    return { captureId: this.p.captureId, files: [...this.out.files], linkTypes: this.ifaces.map((f) => f.header!.linkType) };
  }

  /** Index of the new interface (events use it) and its link type. */
  async attach(spec: IfaceSpec): Promise<{ index: number; linkType: number }> {
    if (this.state !== 'running') throw new CodedError('ALREADY_STOPPED', `capture ${this.p.captureId} has ended`);
    if (this.p.format === 'pcap') throw new CodedError('INVALID_INPUT', 'classic pcap holds one interface only: use pcapng');
    const { index, promise } = this.spawn(spec);
    if (this.goneTimer) clearTimeout(this.goneTimer);
    this.goneTimer = null;
    try {
      const h = await promise;
      return { index, linkType: h.linkType };
    } catch (e) {
      // A failed attach must not cancel the grace period for good: if nothing
      // else is capturing, the capture still ends as target-gone.
      this.armGoneTimer();
      throw e;
    }
  }

  private spawn(spec: IfaceSpec): { index: number; promise: Promise<PcapHeader> } {
    const index = this.merger.addInterface();
    const f: Iface = { spec, header: null, idb: null, packets: 0, bytes: 0, source: null as unknown as TcpdumpSource };
    f.source = new TcpdumpSource(
      { netns: spec.netns, iface: spec.iface, filter: this.p.filter, snaplen: this.p.snaplen },
      {
        onHeader: (h) => {
          f.header = h;
          if (this.ready) this.addIdb(f); // attached later: its IDB goes in now, before its first packet
        },
        onRecords: (recs: PcapRecord[]) => this.merger.push(index, recs, f.header?.nanos ?? false),
        onEnd: (kind, message) => this.onIfaceEnd(index, kind, message),
      },
    );
    this.ifaces.push(f);
    let promise: Promise<PcapHeader>;
    try {
      promise = f.source.start();
    } catch (e) {
      this.merger.endInterface(index);
      promise = Promise.reject(e);
    }
    return { index, promise };
  }

  private addIdb(f: Iface): void {
    const h = f.header!;
    f.idb = this.out.addInterface({
      linkType: h.linkType,
      snaplen: h.snaplen,
      name: f.spec.label || f.spec.iface,
      comment: f.spec.comment || undefined,
      tsresol: h.nanos ? 9 : 6,
      filter: this.p.filter || undefined,
      nanos: h.nanos,
    });
  }

  private onIfaceEnd(index: number, kind: 'stopped' | 'gone' | 'error', message: string): void {
    this.merger.endInterface(index);
    if (this.state !== 'running' || kind === 'stopped') return;
    this.emit('captureIfaceEnded', { captureId: this.p.captureId, iface: index, reason: kind, message });
    this.armGoneTimer();
  }

  /** Every interface has ended: target-gone after the grace period, unless an attach comes first. */
  private armGoneTimer(): void {
    if (this.state !== 'running' || this.goneTimer || !this.ifaces.every((f) => f.source.ended)) return;
    // The backend may attachInterface (follow) within the grace period.
    this.goneTimer = setTimeout(() => {
      this.goneTimer = null;
      if (this.ifaces.every((f) => f.source.ended)) void this.end('target-gone');
    }, GONE_GRACE_MS);
  }

  /** Move merged records into the file; returns a stop reason when a limit is hit. */
  private writeReady(all: boolean): EndReason | null {
    const batch = this.merger.take(Date.now(), all);
    const { packetCount, maxBytes } = this.p.stop;
    for (const q of batch) {
      if (packetCount && this.out.packets >= packetCount) return 'count';
      const f = this.ifaces[q.iface]!;
      if (f.idb === null) continue; // cannot happen: headers precede records
      this.out.writePacket(f.idb, q.rec);
      f.packets++;
      f.bytes += q.rec.origLen;
      this.samples.push(q);
      if (this.samples.length > SAMPLE_MAX * 2) this.samples = this.samples.slice(-SAMPLE_MAX);
      if (maxBytes && this.out.bytes >= maxBytes) return 'size';
    }
    if (packetCount && this.out.packets >= packetCount) return 'count';
    return null;
  }

  private tick(): void {
    if (!this.ready || this.state !== 'running') return;
    try {
      const reason = this.writeReady(false);
      this.out.flush();
      if (reason) void this.end(reason);
    } catch (e) {
      this.takeBackUnwritten();
      const err = toErrorInfo(e);
      void this.end(err.code === 'DISK_FULL' ? 'disk-full' : 'error', err);
    }
  }

  /** A failed flush cut its batch out of the file: those packets were never written, so they are not counted. */
  private takeBackUnwritten(): void {
    for (const { iface, origLen } of this.out.lostInFailedFlush) {
      const f = this.ifaces.find((x) => x.idb === iface);
      if (!f) continue;
      f.packets--;
      f.bytes -= origLen;
    }
    this.out.lostInFailedFlush = [];
  }

  private totals() {
    const packets = this.ifaces.reduce((n, f) => n + f.packets, 0);
    const bytes = this.ifaces.reduce((n, f) => n + f.bytes, 0);
    const dropped = this.ifaces.reduce((n, f) => n + f.source.dropped, 0);
    return { packets, bytes, dropped };
  }

  stats() {
    return {
      captureId: this.p.captureId,
      ...this.totals(),
      files: [...this.out.files],
      ifaces: this.ifaces.map((f, index) => ({
        index,
        packets: f.packets,
        bytes: f.bytes,
        dropped: f.source.dropped,
        ended: f.source.ended,
        message: f.source.ended ? f.source.endMessage : null,
      })),
    };
  }

  private report(): void {
    this.emit('captureStats', this.stats());
    if (!this.samples.length) return;
    const take = this.samples.slice(-SAMPLE_MAX);
    this.samples = [];
    this.emit('captureSamples', {
      captureId: this.p.captureId,
      samples: take.map((q) => {
        const h = this.ifaces[q.iface]!.header!;
        return {
          iface: q.iface,
          tsSec: q.rec.tsSec,
          tsUsec: h.nanos ? Math.floor(q.rec.tsFrac / 1000) : q.rec.tsFrac,
          origLen: q.rec.origLen,
          linkType: h.linkType,
          data: q.rec.data.subarray(0, SAMPLE_BYTES).toString('base64'),
        };
      }),
    });
  }

  /** Stop everything, drain, finish the file; resolves with what captureEnded carried. Idempotent. */
  end(reason: EndReason, error: ErrorInfo | null = null): Promise<Ended> {
    if (!this.ending) this.ending = this.doEnd(reason, error);
    return this.ending;
  }

  private async doEnd(reason: EndReason, error: ErrorInfo | null): Promise<Ended> {
    this.state = 'stopping';
    for (const t of this.timers) clearInterval(t);
    if (this.goneTimer) clearTimeout(this.goneTimer);
    await Promise.all(this.ifaces.map((f) => f.source.stop(2000)));
    let finalReason = reason;
    try {
      if (this.out.isOpen && reason !== 'disk-full') {
        const limit = this.writeReady(true);
        if (limit && reason === 'user') finalReason = reason; // the user's stop came first
        this.out.close(this.ifaces.map((f) => ({ received: f.source.receivedByFilter, dropped: f.source.dropped })));
      }
    } catch (e) {
      this.takeBackUnwritten();
      error = toErrorInfo(e);
      finalReason = error.code === 'DISK_FULL' ? 'disk-full' : 'error';
    }
    this.state = 'ended';
    const ended: Ended = { captureId: this.p.captureId, reason: finalReason, error, ...this.totals(), files: [...this.out.files] };
    this.emit('captureStats', this.stats());
    this.emit('captureEnded', ended);
    return ended;
  }
}
