// One capture: a tcpdump per interface, merged in time order into one file.
// Lifecycle: start() → running → end(reason) → ended (captureEnded emitted once).
import type { z } from 'zod';
import type { CaptureSpecIface, helperEvents, helperOps } from '../../../shared/helper-protocol';
import { CodedError, toErrorInfo, type ErrorInfo } from '../../../shared/result';
import type { PcapHeader, PcapRecord } from '../../formats/pcap/pcap-stream';
import type { Invoker } from '../identity';
import { CaptureOutput } from './capture-output';
import { Merger } from './merger';
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
/** Stop reading tcpdump above this much waiting for the disk (merger + output), read again below LOW_WATER. */
const HIGH_WATER = 24 << 20;
const LOW_WATER = 8 << 20;

/**
 * Whether a stats event is worth sending: something changed, or it is the first
 * unchanged one after a change (the backend's rate falls to 0 from it), or 10 s
 * passed. An idle capture then costs no JSON twice a second.
 */
export class StatsGate {
  private key = '';
  private same = 0;
  private at = 0;
  due(key: string, now = Date.now()): boolean {
    if (key !== this.key) {
      this.key = key;
      this.same = 0;
    } else if (++this.same > 1 && now - this.at < 10_000) return false;
    this.at = now;
    return true;
  }
}

/**
 * The heads of the last SAMPLE_MAX packets, copied into preallocated slots:
 * nothing keeps a packet (or the pipe chunk it came in) alive for the live view.
 */
export class SampleRing {
  private readonly slots = Array.from({ length: SAMPLE_MAX }, () => ({ iface: 0, tsSec: 0, tsFrac: 0, origLen: 0, len: 0, head: Buffer.allocUnsafeSlow(SAMPLE_BYTES) }));
  private next = 0;
  private count = 0;

  add(iface: number, rec: PcapRecord): void {
    const s = this.slots[this.next]!;
    this.next = (this.next + 1) % SAMPLE_MAX;
    if (this.count < SAMPLE_MAX) this.count++;
    s.iface = iface;
    s.tsSec = rec.tsSec;
    s.tsFrac = rec.tsFrac;
    s.origLen = rec.origLen;
    s.len = rec.data.copy(s.head, 0, 0, Math.min(SAMPLE_BYTES, rec.capLen));
  }

  /** Oldest first; empties the ring. */
  take<T>(fn: (s: { iface: number; tsSec: number; tsFrac: number; origLen: number; head: Buffer }) => T): T[] {
    const out: T[] = [];
    for (let i = this.count; i > 0; i--) {
      const s = this.slots[(this.next - i + SAMPLE_MAX) % SAMPLE_MAX]!;
      out.push(fn({ iface: s.iface, tsSec: s.tsSec, tsFrac: s.tsFrac, origLen: s.origLen, head: s.head.subarray(0, s.len) }));
    }
    this.count = 0;
    return out;
  }

  get size(): number {
    return this.count;
  }
}

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
  private merger = new Merger(200);
  private readonly out: CaptureOutput;
  private timers: NodeJS.Timeout[] = [];
  private goneTimer: NodeJS.Timeout | null = null;
  private samples: SampleRing | null = new SampleRing();
  private ready = false;
  private ending: Promise<Ended> | null = null;
  /** A stop limit (count, size) was reached: nothing more goes into the file. */
  private limit: EndReason | null = null;
  /** Reading is paused: too much is waiting for the disk. */
  private throttled = false;

  constructor(
    readonly p: StartParams,
    private readonly invoker: Invoker,
    private readonly emit: Emit,
  ) {
    this.out = new CaptureOutput({ path: p.path, format: p.format, ring: p.ring, sectionComment: p.sectionComment, invoker });
    this.out.onWritten = () => this.throttle();
    this.out.onError = (e) => {
      this.takeBackUnwritten();
      if (this.state === 'running') void this.end(e.code === 'DISK_FULL' ? 'disk-full' : 'error', toErrorInfo(e));
    };
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
      await this.out.close(null).catch(() => undefined); // the start error matters more
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
        onRecords: (recs: PcapRecord[]) => this.onRecords(index, f, recs),
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

  /**
   * One live interface and nothing waiting in the merger: straight into the
   * output batch (copied there, so the pipe chunk is free at once). Otherwise
   * through the merger, which releases records as soon as order allows.
   */
  private onRecords(index: number, f: Iface, recs: PcapRecord[]): void {
    if (this.state === 'ended') return;
    if (this.merger.queued === 0 && this.ready && this.liveSources() === 1 && f.idb !== null) {
      for (const rec of recs) if (!this.deliver(index, rec)) break;
    } else {
      this.merger.push(index, recs, f.header?.nanos ?? false);
      if (this.ready) this.writeReady(false);
    }
    this.throttle();
  }

  private liveSources(): number {
    let n = 0;
    for (const f of this.ifaces) if (!f.source.ended) n++;
    return n;
  }

  /** Pause every tcpdump while too much waits for the disk; read again once it has caught up. */
  private throttle(): void {
    const waiting = this.out.queuedBytes + this.merger.bytes;
    if (!this.throttled && waiting > HIGH_WATER && this.state === 'running') {
      this.throttled = true;
      for (const f of this.ifaces) f.source.pause();
    } else if (this.throttled && (waiting < LOW_WATER || this.state !== 'running')) {
      this.throttled = false;
      for (const f of this.ifaces) f.source.resume();
    }
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
    // The backend may attachInterface (follow) within the grace period; with
    // keepAliveSec it has that long to decide (it stops or attaches itself).
    this.goneTimer = setTimeout(
      () => {
        this.goneTimer = null;
        if (this.ifaces.every((f) => f.source.ended)) void this.end('target-gone');
      },
      this.p.keepAliveSec ? this.p.keepAliveSec * 1000 : GONE_GRACE_MS,
    );
  }

  /** One record into the file (counted, sampled); false once a stop limit is reached. */
  private deliver(index: number, rec: PcapRecord): boolean {
    if (this.limit || !this.out.isOpen || this.out.failed) return false;
    const { packetCount, maxBytes } = this.p.stop;
    if (packetCount && this.out.packets >= packetCount) return this.hitLimit('count');
    const f = this.ifaces[index]!;
    if (f.idb === null) return true; // cannot happen: headers precede records
    this.out.writePacket(f.idb, rec);
    f.packets++;
    f.bytes += rec.origLen;
    this.samples?.add(index, rec);
    if (maxBytes && this.out.bytes >= maxBytes) return this.hitLimit('size');
    if (packetCount && this.out.packets >= packetCount) return this.hitLimit('count');
    return true;
  }

  private hitLimit(reason: EndReason): false {
    this.limit = reason;
    if (this.state === 'running') void this.end(reason);
    return false;
  }

  /** Move merged records into the file. */
  private writeReady(all: boolean): void {
    if (!this.merger.queued) return;
    for (const q of this.merger.take(Date.now(), all)) if (!this.deliver(q.iface, q.rec)) break;
  }

  private tick(): void {
    if (!this.ready || this.state !== 'running') return;
    this.writeReady(false);
    this.out.flush(); // hand the batch to the writer: on disk within a tick or so
    this.throttle();
  }

  /** A failed write cut its batch (and dropped the queued ones): those packets were never written, so they are not counted. */
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

  private readonly gate = new StatsGate();

  private report(): void {
    const st = this.stats();
    if (this.gate.due(`${st.packets}/${st.dropped}/${st.ifaces.map((f) => f.ended ?? '').join(',')}`)) this.emit('captureStats', st);
    if (!this.samples?.size) return;
    this.emit('captureSamples', {
      captureId: this.p.captureId,
      samples: this.samples.take((s) => {
        const h = this.ifaces[s.iface]!.header!;
        return {
          iface: s.iface,
          tsSec: s.tsSec,
          tsUsec: h.nanos ? Math.floor(s.tsFrac / 1000) : s.tsFrac,
          origLen: s.origLen,
          linkType: h.linkType,
          data: s.head.toString('base64'),
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
    this.throttle(); // not running any more: read again so tcpdump can flush and exit on SIGINT
    await Promise.all(this.ifaces.map((f) => f.source.stop(2000)));
    let finalReason = reason;
    try {
      if (this.out.isOpen && reason !== 'disk-full') {
        this.writeReady(true);
        await this.out.close(this.ifaces.flatMap((f) => (f.idb === null ? [] : [{ idb: f.idb, received: f.source.receivedByFilter, dropped: f.source.dropped }])));
      } else {
        await this.out.close(null).catch(() => undefined);
      }
    } catch (e) {
      this.takeBackUnwritten();
      error = toErrorInfo(e);
      finalReason = error.code === 'DISK_FULL' ? 'disk-full' : 'error';
    }
    if (this.out.failed && finalReason !== 'disk-full' && finalReason !== 'error') {
      // The write failed while stopping: say so rather than the stop's reason.
      this.takeBackUnwritten();
      error = toErrorInfo(this.out.failed);
      finalReason = error.code === 'DISK_FULL' ? 'disk-full' : 'error';
    }
    this.state = 'ended';
    const ended: Ended = { captureId: this.p.captureId, reason: finalReason, error, ...this.totals(), files: [...this.out.files] };
    this.emit('captureStats', this.stats());
    this.emit('captureEnded', ended);
    // Ended sessions are kept a while (to answer ALREADY_STOPPED): keep nothing heavy.
    this.merger.clear();
    this.merger = new Merger(200);
    this.samples = null;
    for (const f of this.ifaces) f.source.parser.dispose();
    return ended;
  }
}
