// What every front door sees of one capture (CaptureInfo), kept up to date from the
// writer's counts, the helper's tcpdump counters and the packets sampled for the live view.
import type { CaptureInfo, CaptureRequestParsed, PacketSummary } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import type { PacketSample, WriterCounts } from './writer/capture-writer';
import type { ResolvedIface } from './targets';

export type Summarize = (linkType: number, data: Buffer, origLen: number) => { src: string; dst: string; protocol: string; info: string };

export const PACKET_RING = 200;

export class CaptureRecord {
  readonly info: CaptureInfo;
  /** Every interface ever captured, by the helper's index (start ifaces, then attached ones). */
  readonly ifaces = new Map<number, ResolvedIface>();
  /** Helper index -> how its tcpdump ended without being asked. */
  readonly ended = new Map<number, 'gone' | 'error' | 'exited'>();
  private readonly slot = new Map<number, number>();
  private readonly packets: PacketSummary[] = [];
  private readonly undecoded: PacketSample[] = [];
  private readonly drops = new Map<number, number>();
  private last: { t: number; packets: number; bytes: number } | null = null;
  private readonly endWaiters: Array<() => void> = [];
  private lastBottleneck: CaptureInfo['bottleneck'] = null;

  constructor(id: string, req: CaptureRequestParsed, path: string, now = new Date()) {
    this.info = {
      id,
      state: 'starting',
      reason: null,
      error: null,
      format: req.format,
      filter: req.filter ?? '',
      targets: req.targets,
      interfaces: [],
      files: [path],
      startedAt: now.toISOString(),
      endedAt: null,
      packets: 0,
      bytes: 0,
      dropped: 0,
      packetsPerSec: 0,
      bytesPerSec: 0,
      gaps: [],
    };
  }

  get done(): boolean {
    return this.info.state === 'stopped' || this.info.state === 'failed';
  }

  /** The helper started this interface's tcpdump and gave it `index`. */
  added(index: number, r: ResolvedIface): void {
    this.ifaces.set(index, r);
    this.slot.set(index, this.info.interfaces.length);
    this.info.interfaces.push({ label: r.label, containerId: r.containerId, containerName: r.containerName, at: { netns: r.atNetns, name: r.iface }, packets: 0, dropped: 0, ...(r.host ? { host: r.host } : {}) });
  }

  running(files: string[]): void {
    if (this.done) return;
    this.info.state = 'running';
    if (files.length) this.info.files = files;
  }

  /** Which side cannot keep up right now (null: everything does). Once it ended: the last one seen. */
  bottleneck(b: CaptureInfo['bottleneck']): void {
    if (this.done) return;
    if (b) this.lastBottleneck = b;
    if (b || this.info.bottleneck) this.info.bottleneck = b ?? null;
  }

  /** tcpdump's kernel drops for one interface. */
  dropped(index: number, count: number): void {
    this.drops.set(index, count);
    const i = this.slot.get(index);
    if (i !== undefined) this.info.interfaces[i]!.dropped = count;
    this.info.dropped = [...this.drops.values()].reduce((a, b) => a + b, 0);
  }

  /** What is in the file so far, and the rate since the last update. */
  counted(c: WriterCounts, nowMs = Date.now()): void {
    if (this.done) return;
    if (this.last && nowMs > this.last.t) {
      const dt = (nowMs - this.last.t) / 1000;
      this.info.packetsPerSec = Math.max(0, (c.packets - this.last.packets) / dt);
      this.info.bytesPerSec = Math.max(0, (c.bytes - this.last.bytes) / dt);
    }
    this.last = { t: nowMs, packets: c.packets, bytes: c.bytes };
    this.info.packets = c.packets;
    this.info.bytes = c.bytes;
    if (c.files.length) this.info.files = c.files;
    for (const [index, n] of c.ifaces) {
      const i = this.slot.get(index);
      if (i !== undefined) this.info.interfaces[i]!.packets = n.packets;
    }
  }

  /**
   * Keep sampled packet heads for the live view, undecoded: decoding waits until someone
   * looks (a `packets` listener, getPackets). Only the last PACKET_RING are ever kept.
   */
  keep(samples: PacketSample[]): void {
    for (const x of samples) {
      const time = x.tsSec + x.tsUsec / 1e6;
      if (this.info.firstPacketTime == null || time < this.info.firstPacketTime) this.info.firstPacketTime = time;
      if (!x.timeOnly) this.undecoded.push(x);
    }
    if (this.undecoded.length > PACKET_RING) this.undecoded.splice(0, this.undecoded.length - PACKET_RING);
  }

  /** Decode what was kept (and `samples`) for the live view; returns the new rows. */
  sampled(samples: PacketSample[], summarize: Summarize): PacketSummary[] {
    this.keep(samples);
    const fresh: PacketSummary[] = [];
    for (const x of this.undecoded.splice(0)) {
      let d: ReturnType<Summarize>;
      try {
        d = summarize(x.linkType, x.data, x.origLen);
      } catch {
        // A decoder bug must not stop the capture: show the packet undecoded.
        d = { src: '', dst: '', protocol: `LINKTYPE ${x.linkType}`, info: `${x.origLen} bytes` };
      }
      const i = this.slot.get(x.iface);
      fresh.push({ no: x.no, time: x.tsSec + x.tsUsec / 1e6, iface: (i !== undefined ? this.info.interfaces[i]?.label : undefined) ?? `#${x.iface}`, length: x.origLen, ...d });
    }
    this.packets.push(...fresh);
    if (this.packets.length > PACKET_RING) this.packets.splice(0, this.packets.length - PACKET_RING);
    return fresh;
  }

  /** The last PACKET_RING packets, decoding any kept since the last look. */
  recentPackets(summarize: Summarize): PacketSummary[] {
    if (this.undecoded.length) this.sampled([], summarize);
    return [...this.packets];
  }

  /** An interface's tcpdump ended by itself; true when none is left capturing. */
  ifaceEnded(index: number, reason: 'gone' | 'error' | 'exited', message?: string): boolean {
    this.ended.set(index, reason);
    const i = this.slot.get(index);
    // Why this interface's part ended while the others go on (a remote host dropped, a container went away).
    if (i !== undefined && message) this.info.interfaces[i]!.ended = { reason, message };
    return [...this.ifaces.keys()].every((i) => this.ended.has(i));
  }

  openGap(label: string, at = new Date()): void {
    if (this.info.gaps.some((g) => g.label === label && g.to === null)) return;
    this.info.gaps.push({ label, from: at.toISOString(), to: null });
  }

  closeGap(label: string, at = new Date()): void {
    const g = this.info.gaps.find((x) => x.label === label && x.to === null);
    if (g) g.to = at.toISOString();
  }

  /** The capture is over; the file is complete. */
  finished(e: { state: 'stopped' | 'failed'; reason: NonNullable<CaptureInfo['reason']>; error: ErrorInfo | null; packets: number; bytes: number; files: string[] }, at = new Date()): void {
    if (this.done) return;
    this.info.state = e.state;
    this.info.reason = e.reason;
    this.info.error = e.error;
    this.info.endedAt = at.toISOString();
    this.info.packetsPerSec = 0;
    this.info.bytesPerSec = 0;
    if (this.lastBottleneck) this.info.bottleneck = this.lastBottleneck;
    this.info.packets = e.packets;
    this.info.bytes = e.bytes;
    if (e.files.length) this.info.files = e.files;
    for (const g of this.info.gaps) if (g.to === null) g.to = this.info.endedAt;
    for (const w of this.endWaiters.splice(0)) w();
  }

  waitEnd(timeoutMs: number): Promise<boolean> {
    if (this.done) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.endWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
