// One running capture: the helper's tcpdumps, the writer that turns their streams into
// the user's file, and the record every front door sees. It decides when the capture
// ends (stop, limits, duration, disk full, the targets gone) and follows a restarting
// container when asked. One end, whatever ends it.
import { HELPER_LIMITS, type HelperEventData, type TcpdumpCounters, type TcpdumpSpec } from '../../../shared/helper-protocol';
import type { CaptureInfo, CaptureRequestParsed, PacketSummary } from '../../../shared/capture';
import type { Topology } from '../../../shared/topology';
import { CodedError, toErrorInfo, type ErrorInfo } from '../../../shared/result';
import { BottleneckProbe } from './bottleneck';
import { CaptureRecord, type Summarize } from './capture-record';
import { Follower } from './follow';
import type { HelperPort } from './helper-port';
import type { ResolvedIface } from './targets';
import type { CaptureWriter, PendingIface } from './writer/capture-writer';
import { DirectWriter } from './writer/direct-writer';
import { DumpcapWriter } from './writer/dumpcap-writer';

type EndReason = NonNullable<CaptureInfo['reason']>;

export interface LiveCaptureDeps {
  helper: HelperPort;
  summarize: Summarize;
  discover: () => Promise<Topology>;
  /** Something a front door should see changed (throttled by the caller). */
  changed: (force: boolean) => void;
  /** Where fresh packets go while someone watches the live list; null: nobody does now. */
  readonly packets: ((fresh: PacketSummary[]) => void) | null;
  ended: () => void;
}

/** Twice a second for a front door showing the live packet list; once a second otherwise (the CLI's counter line). */
const REPORT_MS = 500;
const UNWATCHED_REPORT_MS = 1000;
/** Follow: how long a capture waits for its container to come back once every interface is gone. */
const FOLLOW_MAX_MS = 5 * 60_000;
const STOP_TIMEOUT_MS = 15_000;

export class LiveCapture {
  readonly record: CaptureRecord;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly followers = new Map<number, Follower>();
  private goneTimer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private ending: Promise<CaptureInfo> | null = null;
  private readonly bottleneck: BottleneckProbe;

  constructor(
    readonly id: string,
    readonly req: CaptureRequestParsed,
    private readonly writer: CaptureWriter,
    private readonly deps: LiveCaptureDeps,
  ) {
    this.record = new CaptureRecord(id, req, writer.files[0] ?? '');
    this.bottleneck = new BottleneckProbe(writer.files[0] ?? '', req.snaplen ?? 262144, Boolean(req.filter?.trim()));
  }

  get filter(): string {
    return this.req.filter?.trim() ?? '';
  }

  /** Start every interface's tcpdump; on any refusal nothing is left running and the file is gone. */
  async start(resolved: ResolvedIface[]): Promise<void> {
    this.writer.open();
    const pending = await Promise.all(resolved.map((r) => this.writer.prepareInterface({ label: r.label, comment: r.comment })));
    let started;
    try {
      const duration = this.req.stop?.durationSec;
      // One interface writing the file itself counts itself (tcpdump/dumpcap -c); several are counted here.
      const selfCounting = (this.writer instanceof DirectWriter || this.writer instanceof DumpcapWriter) && resolved.length === 1;
      started = await this.deps.helper.request('startCapture', {
        captureId: this.id,
        ifaces: resolved.map((r, i) => tcpdumpSpec(r, pending[i]!)),
        filter: this.filter,
        snaplen: this.req.snaplen ?? 262144,
        ...(selfCounting && this.req.stop?.packetCount ? { packetCount: this.req.stop.packetCount } : {}),
        maxDurationSec: duration ? Math.min(HELPER_LIMITS.maxDurationSec, Math.ceil(duration) + 60) : HELPER_LIMITS.maxDurationSec,
        engine: this.writer.engine,
        ...(this.writer instanceof DumpcapWriter ? { captureComment: this.writer.captureComment } : {}),
      });
    } catch (err) {
      for (const p of pending) this.writer.discard(p);
      await this.writer.abort();
      throw err;
    }
    started.ifaces.forEach((s, i) => {
      this.writer.confirm(pending[i]!, s.index);
      this.record.added(s.index, resolved[i]!);
      if (s.pid) this.bottleneck.watch(s.pid, this.writer.engine, resolved[i]!.label, resolved[i]!.iface, s.bufferKiB);
    });
    this.writer.watch?.(this.deps.packets !== null);
    await this.writer.begin();
    this.record.running(this.writer.files);
    this.scheduleReport();
    if (this.req.stop?.durationSec) this.timers.push(setTimeout(() => void this.stop('duration'), this.req.stop.durationSec * 1000));
  }

  /** Limits and failures the writer found: the capture ends. */
  writerLimit(reason: 'count' | 'size'): void {
    void this.stop(reason);
  }

  writerFailed(reason: 'disk-full' | 'error', error: ErrorInfo): void {
    void this.stop(reason, error);
  }

  onStats(s: HelperEventData<'captureStats'>): void {
    for (const c of s.ifaces) this.counters(c);
  }

  private counters(c: TcpdumpCounters): void {
    this.record.dropped(c.index, c.droppedByKernel);
    if (this.writer instanceof DirectWriter || this.writer instanceof DumpcapWriter) this.writer.onCounters(c);
  }

  onIfaceEnded(e: HelperEventData<'captureIfaceEnded'>): void {
    this.counters(e.counters);
    // Before start() returned, a failing interface fails the start itself.
    if (this.ending || this.record.info.state === 'starting') return;
    if (e.reason === 'exited') {
      void this.stop('count'); // tcpdump -c reached its count
      return;
    }
    if (e.reason === 'stopped') return;
    const allGone = this.record.ifaceEnded(e.index, e.reason, e.message);
    const r = this.record.ifaces.get(e.index);
    if (this.req.follow && r?.containerId && e.reason === 'gone') {
      this.record.openGap(r.label);
      this.follow(r);
      if (allGone && !this.goneTimer) this.goneTimer = setTimeout(() => void this.stop('target-gone'), FOLLOW_MAX_MS);
    } else if (allGone) {
      const full = /No space left|Disk quota exceeded|free up space/i.test(e.message);
      if (e.reason === 'gone') void this.stop('target-gone');
      else void this.stop(full ? 'disk-full' : 'error', { code: full ? 'DISK_FULL' : 'INTERNAL', message: e.message });
    }
    this.deps.changed(true);
  }

  /** Watch the restarting container and re-attach every interface of it that went down. */
  private follow(r: ResolvedIface): void {
    if (this.followers.has(r.target)) return; // its other interfaces come back together
    const mine = [...this.record.ifaces].filter(([, x]) => x.target === r.target);
    const innerNames = [...new Set(mine.map(([, x]) => x.innerName!))];
    const f = new Follower(
      { containerId: r.containerId!, containerName: r.containerName!, innerNames, filter: this.filter, target: r.target, stale: new Set(mine.map(([, x]) => `${x.atNetns}/${x.iface}`)) },
      this.deps.discover,
      async (fresh) => {
        this.followers.delete(r.target);
        if (this.ending) return;
        const down = [...this.record.ifaces].filter(([i, x]) => x.target === r.target && this.record.ended.has(i) && !this.reattached.has(i));
        for (const [i, x] of down) {
          const again = fresh.find((n) => n.innerName === x.innerName);
          if (!again) continue;
          try {
            await this.attach(again);
            this.reattached.add(i);
            this.record.closeGap(x.label);
            if (this.goneTimer) clearTimeout(this.goneTimer);
            this.goneTimer = null;
          } catch (err) {
            const e = toErrorInfo(err);
            void this.stop('error', { code: e.code, message: `re-attaching ${x.label} after the restart failed: ${e.message}` });
          }
        }
        this.deps.changed(true);
      },
      250,
      () => {
        this.followers.delete(r.target);
        if ([...this.record.ifaces.keys()].every((i) => this.record.ended.has(i) && !this.reattached.has(i))) void this.stop('target-gone');
      },
    );
    this.followers.set(r.target, f);
    f.start();
  }

  private readonly reattached = new Set<number>();

  private async attach(r: ResolvedIface): Promise<void> {
    const pending = await this.writer.prepareInterface({ label: r.label, comment: r.comment });
    try {
      const s = await this.deps.helper.request('attachInterface', { captureId: this.id, iface: tcpdumpSpec(r, pending) });
      this.writer.confirm(pending, s.index);
      this.record.added(s.index, r);
      if (s.pid) this.bottleneck.watch(s.pid, this.writer.engine, r.label, r.iface, s.bufferKiB);
    } catch (err) {
      this.writer.discard(pending);
      throw err;
    }
  }

  private scheduleReport(): void {
    this.reportTimer = setTimeout(
      () => {
        this.report();
        if (!this.ending) this.scheduleReport();
      },
      this.deps.packets !== null ? REPORT_MS : UNWATCHED_REPORT_MS,
    );
  }

  private report(): void {
    const send = this.deps.packets;
    this.writer.watch?.(send !== null);
    const counts = this.writer.counts();
    this.record.counted(counts);
    // dumpcap reports its kernel drops only when it stops: no live count to judge by.
    const drops = this.writer.engine === 'dumpcap' ? null : this.record.info.dropped;
    this.record.bottleneck(this.bottleneck.sample({ drops, packets: counts.packets, bytes: counts.bytes }));
    // Decoded only for someone watching the list (the CLI never is); getPackets decodes the rest.
    if (send) {
      const fresh = this.record.sampled(this.writer.takeSamples(), this.deps.summarize);
      if (fresh.length) send(fresh);
    } else this.record.keep(this.writer.takeSamples());
    this.deps.changed(false);
  }

  recentPackets(): PacketSummary[] {
    if (this.deps.packets === null) {
      this.writer.catchUp?.();
      this.record.keep(this.writer.takeSamples());
    }
    return this.record.recentPackets(this.deps.summarize);
  }

  /** End the capture (once): stop the tcpdumps, let the writer finish the file. */
  stop(reason: EndReason = 'user', error: ErrorInfo | null = null): Promise<CaptureInfo> {
    this.ending ??= this.finish(reason, error);
    return this.ending;
  }

  /** The helper process is gone: its tcpdumps died with it; close the file with what it holds. */
  helperDied(message: string): Promise<CaptureInfo> {
    return this.stop('helper-died', { code: 'HELPER_DIED', message });
  }

  private async finish(reason: EndReason, error: ErrorInfo | null): Promise<CaptureInfo> {
    if (this.record.info.state !== 'starting') this.record.info.state = 'stopping';
    this.deps.changed(true);
    for (const t of this.timers) clearTimeout(t);
    if (this.reportTimer) clearTimeout(this.reportTimer);
    if (this.goneTimer) clearTimeout(this.goneTimer);
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
    let final: TcpdumpCounters[] | null = null;
    if (reason !== 'helper-died') {
      try {
        final = (await withTimeout(this.deps.helper.request('stopCapture', { captureId: this.id }), STOP_TIMEOUT_MS)).ifaces;
      } catch (err) {
        const e = toErrorInfo(err);
        // ALREADY_STOPPED / NOT_FOUND: the helper already let them go (its duration cap).
        if (e.code === 'HELPER_DIED' || e.code === 'HELPER_UNAVAILABLE') [reason, error] = ['helper-died', e];
        else if (e.code !== 'ALREADY_STOPPED' && e.code !== 'NOT_FOUND') error ??= e;
      }
    }
    for (const c of final ?? []) this.counters(c);
    const end = await this.writer.finish(final);
    // The writer's own verdict (disk full, a limit it reached) is the truer reason.
    const finalReason: EndReason = end.reason === 'disk-full' || end.reason === 'error' ? end.reason : reason;
    const finalError = end.error ?? error;
    const failed = finalReason === 'error' || finalReason === 'disk-full' || finalReason === 'helper-died';
    this.record.counted({ packets: end.packets, bytes: end.bytes, files: end.files, ifaces: this.writer.counts().ifaces });
    this.record.finished({ state: failed ? 'failed' : 'stopped', reason: finalReason, error: finalError, packets: end.packets, bytes: end.bytes, files: end.files });
    this.deps.ended();
    return structuredClone(this.record.info);
  }
}

/** What the helper starts for one interface: where, and where it writes (and what dumpcap names it). */
function tcpdumpSpec(r: ResolvedIface, p: PendingIface): TcpdumpSpec & { host?: string } {
  // `host`: a remote interface, routed to ssh by the remote port (the local helper's strict schema refuses it).
  return { netns: r.netns, iface: r.iface, output: p.output, ...(p.label ? { label: p.label } : {}), ...(p.comment ? { comment: p.comment } : {}), ...(r.host ? { host: r.host } : {}) };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new CodedError('INTERNAL', 'the helper did not confirm the end of the capture in time; the file may be incomplete')), ms).unref())]);
}
