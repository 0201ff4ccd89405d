// One capture's live state: the CaptureInfo the UI sees, folded from helper
// events, plus the last packets as summaries. No I/O here, so the state
// machine is unit-testable with literal events.
import type { z } from 'zod';
import type { CaptureInfo, CaptureRequestParsed, PacketSummary } from '../../../shared/capture';
import type { helperEvents } from '../../../shared/helper-protocol';
import type { ResolvedIface } from './targets';

type Stats = z.infer<(typeof helperEvents)['captureStats']>;
type Samples = z.infer<(typeof helperEvents)['captureSamples']>;
type Ended = z.infer<(typeof helperEvents)['captureEnded']>;
export type Summarize = (linkType: number, data: Buffer, origLen: number) => { src: string; dst: string; protocol: string; info: string };

export const PACKET_RING = 200;

export class CaptureSession {
  readonly info: CaptureInfo;
  /** Every interface ever attached, in helper index order (start ifaces, then attached ones). */
  readonly ifaces: ResolvedIface[];
  /** Helper index -> ended (gone/error) or live. */
  readonly ended = new Map<number, 'gone' | 'error'>();
  private readonly packets: PacketSummary[] = [];
  private nextNo = 1;
  private last: { t: number; packets: number; bytes: number } | null = null;
  /** Waiters for the end of the capture. */
  private readonly endWaiters: Array<() => void> = [];
  /** A reason we decided ourselves (target-gone) that beats the helper's 'user'. */
  forcedReason: CaptureInfo['reason'] = null;

  constructor(
    id: string,
    req: CaptureRequestParsed,
    ifaces: ResolvedIface[],
    path: string,
    now = new Date(),
  ) {
    this.ifaces = [...ifaces];
    this.info = {
      id,
      state: 'starting',
      reason: null,
      error: null,
      format: req.format,
      filter: req.filter ?? '',
      targets: req.targets,
      interfaces: ifaces.map((r) => ({ label: r.label, containerId: r.containerId, containerName: r.containerName, at: { netns: r.atNetns, name: r.iface }, packets: 0, dropped: 0 })),
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

  running(files: string[]): void {
    if (this.done) return;
    this.info.state = 'running';
    if (files.length) this.info.files = files;
  }

  onStats(s: Stats, nowMs = Date.now()): void {
    if (this.done) return;
    if (this.last && nowMs > this.last.t) {
      const dt = (nowMs - this.last.t) / 1000;
      this.info.packetsPerSec = Math.max(0, (s.packets - this.last.packets) / dt);
      this.info.bytesPerSec = Math.max(0, (s.bytes - this.last.bytes) / dt);
    }
    this.last = { t: nowMs, packets: s.packets, bytes: s.bytes };
    this.info.packets = s.packets;
    this.info.bytes = s.bytes;
    this.info.dropped = s.dropped;
    if (s.files.length) this.info.files = s.files;
    for (const i of s.ifaces) {
      const iface = this.info.interfaces[i.index];
      if (!iface) continue;
      iface.packets = i.packets;
      iface.dropped = i.dropped;
    }
  }

  onSamples(s: Samples, summarize: Summarize): PacketSummary[] {
    const fresh: PacketSummary[] = [];
    for (const x of s.samples) {
      const data = Buffer.from(x.data, 'base64');
      let d: ReturnType<Summarize>;
      try {
        d = summarize(x.linkType, data, x.origLen);
      } catch {
        // A decoder bug must not stop the capture: show the packet undecoded.
        d = { src: '', dst: '', protocol: `LINKTYPE ${x.linkType}`, info: `${x.origLen} bytes` };
      }
      fresh.push({
        no: this.nextNo++,
        time: x.tsSec + x.tsUsec / 1e6,
        iface: this.info.interfaces[x.iface]?.label ?? `#${x.iface}`,
        length: x.origLen,
        ...d,
      });
    }
    this.packets.push(...fresh);
    if (this.packets.length > PACKET_RING) this.packets.splice(0, this.packets.length - PACKET_RING);
    return fresh;
  }

  recentPackets(): PacketSummary[] {
    return [...this.packets];
  }

  /** Record an interface's end; returns true when no interface is left delivering. */
  onIfaceEnded(index: number, reason: 'gone' | 'error'): boolean {
    this.ended.set(index, reason);
    return this.ifaces.every((_, i) => this.ended.has(i));
  }

  openGap(label: string, at = new Date()): void {
    if (this.info.gaps.some((g) => g.label === label && g.to === null)) return;
    this.info.gaps.push({ label, from: at.toISOString(), to: null });
  }

  closeGap(label: string, at = new Date()): void {
    const g = this.info.gaps.find((x) => x.label === label && x.to === null);
    if (g) g.to = at.toISOString();
  }

  attached(r: ResolvedIface): number {
    this.ifaces.push(r);
    this.info.interfaces.push({ label: r.label, containerId: r.containerId, containerName: r.containerName, at: { netns: r.atNetns, name: r.iface }, packets: 0, dropped: 0 });
    return this.ifaces.length - 1;
  }

  onEnded(e: Ended, at = new Date()): void {
    if (this.done) return;
    const reason = this.forcedReason && (e.reason === 'user' || e.reason === 'error') ? this.forcedReason : e.reason;
    this.info.reason = reason;
    this.info.error = e.error;
    this.info.state = e.reason === 'error' || e.reason === 'disk-full' ? 'failed' : 'stopped';
    this.finish(at, e);
  }

  /** The helper vanished: nothing more will come. The file is whatever reached the disk. */
  onHelperDied(message: string, at = new Date()): void {
    if (this.done) return;
    this.info.state = 'failed';
    this.info.reason = 'helper-died';
    this.info.error = { code: 'HELPER_DIED', message };
    this.finish(at);
  }

  fail(code: string, message: string, at = new Date()): void {
    if (this.done) return;
    this.info.state = 'failed';
    this.info.reason = 'error';
    this.info.error = { code, message };
    this.finish(at);
  }

  private finish(at: Date, e?: Ended): void {
    this.info.endedAt = at.toISOString();
    this.info.packetsPerSec = 0;
    this.info.bytesPerSec = 0;
    if (e) {
      this.info.packets = Math.max(this.info.packets, e.packets);
      this.info.bytes = Math.max(this.info.bytes, e.bytes);
      this.info.dropped = Math.max(this.info.dropped, e.dropped);
      if (e.files.length) this.info.files = e.files;
    }
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
