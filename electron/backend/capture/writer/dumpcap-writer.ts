// pcapng at the cost of bare tcpdump: each interface's dumpcap (Wireshark's capture
// engine, running as the user) writes pcapng straight to disk, its interface already named
// after the container (--ifname) and described (--ifdescr), the section commented. No packet
// passes through node while capturing; we only read block headers back (counts, the live
// view, limits). One interface: its part simply becomes the file. Several (several
// containers, or one re-attached after a restart): the parts, each in time order, are merged
// into the file in time order when the capture ends.
//
// The file's name is taken at the start (an empty file, O_EXCL: nothing is ever
// overwritten) and the first interface's dumpcap writes straight into it, so a capture whose
// CLI is SIGKILLed is still a readable file. Further parts live beside it in a hidden 0700
// folder that names its owner process: a merge that never happened (the process killed) is
// done by the next listing of the folder (recover-parts.ts).
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TcpdumpCounters } from '../../../../shared/helper-protocol';
import type { ErrorCode } from '../../../../shared/result';
import { createCaptureFile } from './capture-output';
import { SAMPLE_MAX, SampleRing, type CaptureWriter, type PendingIface, type WriterCounts, type WriterEnd, type WriterHooks, type WriterIface } from './capture-writer';
import { mergeParts } from './merge-parts';
import { MERGED_NAME, writePartsOwner } from './recover-parts';
import { PcapngTail } from './pcapng-tail';

export interface DumpcapWriterOptions {
  path: string;
  sectionComment: string;
  stop: { packetCount?: number; maxBytes?: number };
}

interface Part {
  desc: WriterIface;
  path: string;
  index: number | null;
  tail: PcapngTail | null;
  fd: number | null;
  /** dumpcap's own count of packets written (from the helper). */
  captured: number;
  final: TcpdumpCounters | null;
  /** Its totals when the end was not walked (closedWhole). */
  unwalked?: { packets: number; bytes: number };
}

const TAIL_MS = 250;
/** Nothing to walk (nobody watching, no limit to check, every part's interface read): dumpcap counts for us. */
const IDLE_TAIL_MS = 1000;
const START_WAIT_MS = 5000;
const TAIL_BUDGET = 64 << 20;
const DISK_FULL = /No space left|Disk quota exceeded|EDQUOT|ENOSPC|free up space/i;

/** A pcapng timestamp as seconds and microseconds; microsecond units (dumpcap's) fit a double exactly. */
function toMicros(tsHi: number, tsLo: number, unitsPerSec: number): { tsSec: number; tsFrac: number } {
  if (unitsPerSec === 1e6) {
    const us = tsHi * 2 ** 32 + tsLo;
    const tsSec = Math.floor(us / 1e6);
    return { tsSec, tsFrac: us - tsSec * 1e6 };
  }
  const usec = (((BigInt(tsHi) << 32n) | BigInt(tsLo)) * 1_000_000n) / BigInt(unitsPerSec);
  return { tsSec: Number(usec / 1_000_000n), tsFrac: Number(usec % 1_000_000n) };
}

/** Parts folder for a capture file: `.NAME.parts` beside it. */
export const partsDirOf = (file: string) => join(dirname(file), `.${basename(file)}.parts`);

export class DumpcapWriter implements CaptureWriter {
  readonly engine = 'dumpcap' as const;
  private readonly parts: Part[] = [];
  private readonly pending = new Map<PendingIface, Part>();
  private readonly samples = new SampleRing();
  private readonly dir: string;
  private timer: NodeJS.Timeout | null = null;
  private limit: 'count' | 'size' | null = null;
  private failed: { reason: 'disk-full' | 'error'; message: string } | null = null;
  private ending: Promise<WriterEnd> | null = null;
  /** Someone watches the live packet list (the app, the browser). Nobody (the CLI): the files are
   * walked only where a limit needs it, and at the end; the counts meanwhile are dumpcap's own. */
  private watched = true;

  constructor(
    private readonly o: DumpcapWriterOptions,
    private readonly hooks: WriterHooks,
  ) {
    this.dir = partsDirOf(o.path);
  }

  get files(): string[] {
    return [this.o.path];
  }

  /** The capture comment dumpcap writes into its section (one interface: the final file's). */
  get captureComment(): string {
    return this.o.sectionComment;
  }

  open(): void {
    closeSync(createCaptureFile(this.o.path)); // the name is ours from now on
    mkdirSync(this.dir, { mode: 0o700 });
    writePartsOwner(this.dir);
  }

  async prepareInterface(desc: WriterIface): Promise<PendingIface & { label: string; comment: string }> {
    const n = this.parts.length + this.pending.size;
    const path = n === 0 ? this.o.path : join(this.dir, `${String(n).padStart(3, '0')}.pcapng`);
    const p: Part = { desc, path, index: null, tail: null, fd: null, captured: 0, final: null };
    const pending = { output: p.path, label: desc.label, comment: desc.comment };
    this.pending.set(pending, p);
    return pending;
  }

  confirm(pending: PendingIface, index: number): void {
    const p = this.pending.get(pending);
    if (!p) return;
    this.pending.delete(pending);
    p.index = index;
    this.parts.push(p);
    this.follow(p);
  }

  discard(pending: PendingIface): void {
    this.pending.delete(pending);
  }

  /** dumpcap has opened its file by the time the helper says it listens. */
  private follow(p: Part): void {
    try {
      p.fd = openSync(p.path, constants.O_RDWR | constants.O_NOFOLLOW);
    } catch {
      return; // not there (yet): the end reads what there is
    }
    p.tail = new PcapngTail(
      p.fd,
      (pkt) => {
        const info = p.tail!.iface;
        if (!info) return;
        this.samples.add(p.index!, { ...toMicros(pkt.tsHi, pkt.tsLo, info.unitsPerSec), capLen: pkt.capLen, origLen: pkt.origLen, data: pkt.head });
      },
      SAMPLE_MAX,
    );
  }

  /**
   * dumpcap says "Capturing on" before its capture is live; it writes each interface's
   * description once the interface is open. So the capture has begun when every part
   * holds its IDB: packets sent after start() returns are in the file.
   */
  async begin(): Promise<void> {
    const deadline = Date.now() + START_WAIT_MS;
    for (;;) {
      for (const p of this.parts) {
        if (!p.tail) this.follow(p);
        if (p.tail && !p.tail.iface) p.tail.walk(64 << 10);
      }
      if (this.parts.every((p) => p.tail?.iface) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    this.scheduleTick();
  }

  private scheduleTick(): void {
    const busy = this.mustWalk() || this.parts.some((p) => !p.tail?.iface);
    this.timer = setTimeout(
      () => {
        this.tick();
        if (!this.ending) this.scheduleTick();
      },
      busy ? TAIL_MS : IDLE_TAIL_MS,
    );
  }

  /** Reading each block header back costs about a tenth of dumpcap's own CPU at 1 Gbit/s: only when needed. */
  private mustWalk(): boolean {
    const { packetCount, maxBytes } = this.o.stop;
    return this.watched || Boolean(maxBytes) || Boolean(packetCount && this.parts.length > 1);
  }

  /** The helper's counters: dumpcap's own count of what it wrote, and how it ended. */
  onCounters(c: TcpdumpCounters): void {
    const p = this.parts.find((x) => x.index === c.index);
    if (!p) return;
    p.captured = Math.max(p.captured, c.captured);
    // Ended before the stop (a terminal's Ctrl-C reaches dumpcap too): these are its last counters.
    if (c.ended) p.final = c;
    if (c.ended === 'error' && c.message && DISK_FULL.test(c.message) && !this.failed) {
      this.failed = { reason: 'disk-full', message: c.message };
      this.hooks.onFailure('disk-full', { code: 'DISK_FULL', message: `no space left for ${this.o.path} (${c.message})` });
    }
  }

  watch(watched: boolean): void {
    this.watched = watched;
  }

  /** Walk what was not walked yet (someone asked for the recent packets while nobody watched). */
  catchUp(): void {
    if (!this.ending) for (const p of this.parts) p.tail?.walk(TAIL_BUDGET);
  }

  private tick(): void {
    if (this.ending) return;
    const { packetCount, maxBytes } = this.o.stop;
    const walk = this.mustWalk();
    for (const p of this.parts) {
      if (!p.tail) this.follow(p); // one attached later (a followed container's restart): its dumpcap may have opened it since
      if (p.tail && (walk || !p.tail.iface)) p.tail.walk(walk ? TAIL_BUDGET : 64 << 10);
    }
    const { packets, bytes } = this.counts();
    if (this.limit) return;
    // One part counts itself (dumpcap -c); several are stopped here, and cut exactly when merged.
    if (packetCount && this.parts.length > 1 && packets >= packetCount) this.limit = 'count';
    else if (maxBytes && bytes >= maxBytes) this.limit = 'size';
    if (this.limit) this.hooks.onLimit(this.limit);
  }

  counts(): WriterCounts {
    const ifaces = new Map<number, { packets: number; bytes: number }>();
    let packets = 0;
    let bytes = 0;
    for (const p of this.parts) {
      const t = p.tail;
      if (p.index === null || !t) continue;
      // Not walked to the end (nobody watching): dumpcap's count, and the bytes its file grew by
      // past the walk, less each packet's block framing.
      const more = Math.max(0, p.captured - t.packets);
      const n = { packets: t.packets + more, bytes: t.bytes + (more ? t.bytesPastWalk(more) : 0) };
      ifaces.set(p.index, n);
      packets += n.packets;
      bytes += n.bytes;
    }
    return { packets, bytes, files: this.files, ifaces };
  }

  takeSamples() {
    const byIndex = new Map(this.parts.map((p) => [p.index, p]));
    return this.samples.take((i) => {
      const info = byIndex.get(i)?.tail?.iface;
      return info ? { linkType: info.linkType, nanos: false } : null;
    });
  }

  finish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    this.ending ??= this.doFinish(final);
    return this.ending;
  }

  private async doFinish(final: TcpdumpCounters[] | null): Promise<WriterEnd> {
    if (this.timer) clearTimeout(this.timer);
    for (const c of final ?? []) {
      this.onCounters(c);
      const p = this.parts.find((x) => x.index === c.index);
      if (p) p.final = c;
    }
    // Every whole block each dumpcap wrote, yielding now and then. Garbage (a part the user
    // zeroed or made sparse) is no block: the walk stops at the first one.
    for (const p of this.parts) {
      if (!p.tail) this.follow(p);
      const t = p.tail;
      if (!t) continue;
      if (this.closedWhole(p)) continue;
      let before = -1;
      while (t.damagedAt === null && t.boundary !== before) {
        before = t.boundary;
        t.walk(TAIL_BUDGET);
        await new Promise((r) => setImmediate(r));
      }
      if (t.size() > t.boundary) ftruncateSync(p.fd!, t.boundary); // a block cut short by a full disk or a kill
    }
    const usable = this.parts.filter((p) => p.tail && p.tail.iface);
    let packets = 0;
    let bytes = 0;
    let reason: WriterEnd['reason'] = this.limit ?? this.failed?.reason ?? null;
    let error: WriterEnd['error'] = this.failed ? { code: 'DISK_FULL', message: `no space left for ${this.o.path} (${this.failed.message})` } : null;
    try {
      if (usable.length === 1 && !this.needsCut(usable[0]!)) {
        // One interface: dumpcap's file already is the capture (our names, our comment).
        const p = usable[0]!;
        if (p.path !== this.o.path) renameSync(p.path, this.o.path);
        ({ packets, bytes } = p.unwalked ?? p.tail!);
      } else if (usable.length) {
        // Into a new file beside the parts, then over the capture's name: until the rename the
        // file keeps the first interface's packets.
        const merged = join(this.dir, MERGED_NAME);
        const r = await mergeParts(
          usable.map((p) => ({ path: p.path, end: p.tail!.boundary, received: p.final?.receivedByFilter ?? p.tail!.packets, dropped: p.final?.droppedByKernel ?? 0 })),
          merged,
          this.o.sectionComment,
          this.o.stop,
        );
        renameSync(merged, this.o.path);
        packets = r.packets;
        bytes = r.bytes;
        reason = r.limited ?? reason;
      }
    } catch (e) {
      const err = e as { code?: ErrorCode; message?: string };
      reason = err.code === 'DISK_FULL' ? 'disk-full' : 'error';
      // The parts are kept: each is a readable pcapng of its interface.
      error = { code: err.code ?? 'INTERNAL', message: `${err.message ?? String(e)}; the capture's parts are kept in ${this.dir}` };
      for (const p of this.parts) if (p.fd !== null) closeSync(p.fd);
      return { packets: this.counts().packets, bytes: this.counts().bytes, files: this.parts.map((p) => p.path), reason, error };
    }
    for (const p of this.parts) if (p.fd !== null) closeSync(p.fd);
    rmSync(this.dir, { recursive: true, force: true });
    return { packets, bytes, files: this.files, reason, error };
  }

  /**
   * Nobody watched and dumpcap stopped as asked (or at its -c count) with its file closed whole:
   * the file is the capture as it stands. Reading 33,000 block headers back from a 1 GB file
   * costs a quarter of a second of CPU; dumpcap's own count and the file's size say the same.
   */
  private closedWhole(p: Part): boolean {
    const f = p.final;
    const t = p.tail!;
    // A snap length below the default may cut packets: then only a walk knows their wire lengths.
    if (this.watched || this.parts.length !== 1 || this.o.stop.maxBytes || !t.iface || t.iface.snaplen < 262144) return false;
    if (!f || (f.ended !== 'stopped' && f.ended !== 'exited') || f.captured < t.packets) return false;
    const more = f.captured - t.packets;
    const rest = t.unwalkedBytes(more);
    if (rest === null) return false;
    p.unwalked = { packets: f.captured, bytes: t.bytes + rest };
    return true;
  }

  /** A single part still needs rewriting when a limit must cut it exactly (dumpcap overshoots a size). */
  private needsCut(p: Part): boolean {
    const { maxBytes } = this.o.stop;
    return Boolean(maxBytes && p.tail && p.tail.size() > maxBytes);
  }

  async abort(): Promise<void> {
    await this.finish(null);
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.o.path, { force: true });
  }
}
