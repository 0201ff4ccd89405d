// Zero-copy capture: classic pcap of exactly one interface, written by tcpdump
// itself. The helper creates the file as the invoking user (O_EXCL|O_NOFOLLOW,
// as for every capture) and hands that fd to tcpdump as its stdout (`-w -`),
// so no packet byte passes through node on its way to disk.
//
// What node still does, from the file (page-cache reads, no pipe):
//   - counts and samples: every TAIL_MS the record headers tcpdump appended are
//     walked from the last record boundary (page-cache reads of the headers and
//     sampled heads only, skipping the bodies of large records), so packets/bytes
//     are exactly what is in the file and the live view gets its packet heads;
//   - stop limits: packetCount is tcpdump's own `-c N`; maxBytes is checked at
//     each tail read: tcpdump gets SIGINT and the file is cut back to the record
//     that reached the limit (same semantics as the helper's own writer: stop
//     after the packet that crosses the limit; tcpdump overshoots by up to one
//     TAIL_MS of traffic, which is truncated away);
//   - duration: a timer and SIGINT;
//   - disk full: tcpdump ignores write errors (measured, 4.99.3 on a 256 KiB
//     tmpfs: it exits 0, the file ends mid-record). So the helper watches: a file
//     that stays mid-record across two tail reads, or does not grow while
//     tcpdump reports more packets captured than the file holds, is out of
//     space (or quota): tcpdump is stopped and the file cut back to its last
//     whole record, so it stays readable;
//   - stats (SIGUSR1 + stderr) and interface-gone handling as in TcpdumpSource.
import { closeSync, fstatSync, ftruncateSync, readSync } from 'node:fs';
import type { z } from 'zod';
import type { CaptureSpecIface, helperEvents, helperOps } from '../../../shared/helper-protocol';
import { CodedError, type ErrorInfo } from '../../../shared/result';
import { PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN, type PcapHeader } from '../../formats/pcap/pcap-stream';
import type { Invoker } from '../identity';
import { SampleRing, StatsGate, type Emit } from './merged-capture';
import { TcpdumpSource } from './tcpdump-source';
import { createAsUser, unlinkAsUser } from './user-files';

type StartParams = z.output<typeof helperOps.startCapture.params>;
type IfaceSpec = z.output<typeof CaptureSpecIface>;
type Ended = z.output<typeof helperEvents.captureEnded>;
type EndReason = Ended['reason'];

const TAIL_MS = 250;
const STATS_MS = 500;
const POLL_MS = 1000;
const GONE_GRACE_MS = 1500;
/** Most read from the file per tail tick (the rest waits for the next tick). */
const TAIL_MAX_BYTES = 64 << 20;
const READ_BYTES = 256 << 10;
/** After a record longer than this, the next read is this small (header + sampled head). */
const SMALL_READ = 4096;
/** Bytes of each packet the live view gets (the same as the helper's own writer samples). */
const SAMPLE_HEAD = 256;
/** A record longer than this is stream corruption (as PcapStreamParser judges). */
const MAX_CAPLEN = 256 * 1024 * 4;

/** Only what a direct capture supports: one interface, classic pcap, no ring. */
export function directCapable(p: StartParams): boolean {
  return p.format === 'pcap' && p.ifaces.length === 1 && !p.ring;
}

export class DirectCapture {
  state: 'starting' | 'running' | 'stopping' | 'ended' = 'starting';
  private fd: number | null = null;
  private source: TcpdumpSource | null = null;
  private readonly spec: IfaceSpec;
  private header: PcapHeader | null = null;
  private timers: NodeJS.Timeout[] = [];
  private goneTimer: NodeJS.Timeout | null = null;
  private samples: SampleRing | null = new SampleRing();
  private ending: Promise<Ended> | null = null;
  private readonly buf = Buffer.allocUnsafeSlow(READ_BYTES);
  /** File offset of the first record not yet parsed (always a record boundary). */
  private boundary = PCAP_GLOBAL_HEADER_LEN;
  /** Where the file is cut back to at the end (a limit was reached there). */
  private cutAt: number | null = null;
  private limit: EndReason | null = null;
  private stalls = 0;
  private lastSize = 0;
  private lastCaptured = -1;
  private diskFull = false;
  packets = 0;
  bytes = 0;

  constructor(
    readonly p: StartParams,
    private readonly invoker: Invoker,
    private readonly emit: Emit,
  ) {
    this.spec = p.ifaces[0]!;
  }

  private get file(): string {
    return this.p.path;
  }

  async start(): Promise<{ captureId: string; files: string[]; linkTypes: number[] }> {
    if (!directCapable(this.p)) throw new CodedError('INVALID_INPUT', 'direct capture needs classic pcap, one interface and no ring');
    // Read-write: the helper reads the tail back and cuts a partial record off.
    this.fd = createAsUser(this.invoker, this.file, true);
    const source = (this.source = new TcpdumpSource(
      { netns: this.spec.netns, iface: this.spec.iface, filter: this.p.filter, snaplen: this.p.snaplen, outFd: this.fd, ...(this.p.stop.packetCount ? { count: this.p.stop.packetCount } : {}) },
      {
        onHeader: (h) => (this.header = h),
        onRecords: () => undefined,
        onEnd: (kind, message) => this.onSourceEnd(kind, message),
      },
    ));
    try {
      await source.start();
    } catch (e) {
      await source.stop(500);
      this.closeFd();
      unlinkAsUser(this.invoker, this.file);
      this.state = 'ended';
      throw e;
    }
    this.state = 'running';
    this.timers.push(setInterval(() => this.tail(), TAIL_MS));
    this.timers.push(setInterval(() => this.report(), STATS_MS));
    this.timers.push(setInterval(() => source.poll(), POLL_MS));
    if (this.p.stop.durationSec) this.timers.push(setTimeout(() => void this.end('duration'), this.p.stop.durationSec * 1000));
    return { captureId: this.p.captureId, files: [this.file], linkTypes: [this.header!.linkType] };
  }

  attach(_spec: IfaceSpec): Promise<{ index: number; linkType: number }> {
    return Promise.reject(new CodedError('INVALID_INPUT', 'classic pcap holds one interface only: use pcapng'));
  }

  /**
   * Parse what tcpdump appended since the last boundary: count, sample, check
   * the size limit and whether the disk is full. `final`: tcpdump has exited.
   */
  private tail(final = false): void {
    if (this.fd === null || !this.header || this.cutAt !== null) return;
    let size: number;
    try {
      size = fstatSync(this.fd).size;
    } catch {
      return;
    }
    const { maxBytes } = this.p.stop;
    const le = this.header.littleEndian;
    const u32 = (o: number) => (le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o));
    // Only record headers (and the heads the live view samples) are needed: read a
    // window at the boundary, walk the headers inside it, and after a record longer
    // than the window jump straight to the next header with a small read. Small
    // packets cost one read per WINDOW bytes, large ones one small read each, so
    // the bulk of the bytes is never copied into node. Per tick at most
    // TAIL_MAX_BYTES are walked (the rest next tick); the final walk takes all.
    let budget = final ? Infinity : TAIL_MAX_BYTES;
    let want = READ_BYTES;
    let bufStart = -1;
    let bufLen = 0;
    while (this.boundary + PCAP_RECORD_HEADER_LEN <= size && budget > 0) {
      const off = this.boundary;
      // The header and up to SAMPLE_HEAD bytes of data must be in the buffer.
      if (bufStart < 0 || off + PCAP_RECORD_HEADER_LEN + SAMPLE_HEAD > bufStart + bufLen) {
        const len = Math.min(want, size - off);
        let n: number;
        try {
          n = readSync(this.fd, this.buf, 0, len, off);
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
        // Not a record boundary after all: the file is damaged; keep it up to here.
        this.cutAt = this.boundary;
        break;
      }
      const end = off + PCAP_RECORD_HEADER_LEN + capLen;
      if (end > size) break; // being written (or cut short): next tick
      const dataStart = i + PCAP_RECORD_HEADER_LEN;
      const headLen = Math.min(capLen, SAMPLE_HEAD, bufLen - dataStart);
      if (headLen < Math.min(capLen, SAMPLE_HEAD)) {
        if (i === 0 && want === READ_BYTES) break; // cannot happen for a whole record in a regular file
        bufStart = -1; // the sampled head is cut by the window: read again at the boundary
        want = READ_BYTES;
        continue;
      }
      this.samples?.add(0, { tsSec: u32(i), tsFrac: u32(i + 4), capLen, origLen: u32(i + 12), data: this.buf.subarray(dataStart, dataStart + headLen) });
      this.boundary = end;
      this.packets++;
      this.bytes += u32(i + 12);
      budget -= PCAP_RECORD_HEADER_LEN + capLen;
      // Past the window: large records, so read only a little at the next header.
      if (end > bufStart + bufLen) {
        bufStart = -1;
        want = capLen > SMALL_READ ? SMALL_READ : READ_BYTES;
      }
      if (maxBytes && this.boundary >= maxBytes) {
        this.cutAt = this.boundary;
        this.limit = 'size';
        break;
      }
    }
    if (this.limit === 'size' && this.state === 'running') {
      void this.end('size');
      return;
    }
    if (final) return;
    // Disk full: tcpdump ignores write errors, so the file stops growing mid-record or
    // stays behind what tcpdump says it captured.
    const midRecord = size > this.boundary && budget > 0;
    const captured = this.source?.captured ?? 0;
    const behind = captured > this.packets && captured === this.lastCaptured;
    if (size === this.lastSize && (midRecord || behind)) this.stalls++;
    else this.stalls = 0;
    this.lastSize = size;
    this.lastCaptured = captured;
    if (this.stalls >= 2 && this.state === 'running') {
      this.diskFull = true;
      void this.end('disk-full', { code: 'DISK_FULL', message: `no space left for ${this.file} (the file stopped growing mid-packet)` });
    }
  }

  private onSourceEnd(kind: 'stopped' | 'gone' | 'error', message: string): void {
    if (this.state !== 'running' || kind === 'stopped') return;
    // -c N: tcpdump exits by itself once it wrote N packets.
    if (this.p.stop.packetCount && this.source && this.source.captured >= this.p.stop.packetCount) {
      void this.end('count');
      return;
    }
    this.emit('captureIfaceEnded', { captureId: this.p.captureId, iface: 0, reason: kind, message });
    this.goneTimer = setTimeout(() => {
      this.goneTimer = null;
      void this.end(kind === 'gone' ? 'target-gone' : 'error', kind === 'gone' ? null : { code: 'INTERNAL', message });
    }, GONE_GRACE_MS);
  }

  stats() {
    const s = this.source;
    return {
      captureId: this.p.captureId,
      packets: this.packets,
      bytes: this.bytes,
      dropped: s?.dropped ?? 0,
      files: [this.file],
      ifaces: [{ index: 0, packets: this.packets, bytes: this.bytes, dropped: s?.dropped ?? 0, ended: s?.ended ?? null, message: s?.ended ? s.endMessage : null }],
    };
  }

  private readonly gate = new StatsGate();

  private report(): void {
    this.tail();
    if (this.state !== 'running') return;
    const st = this.stats();
    if (this.gate.due(`${st.packets}/${st.dropped}/${st.ifaces[0]!.ended ?? ''}`)) this.emit('captureStats', st);
    if (!this.samples?.size || !this.header) return;
    const h = this.header;
    this.emit('captureSamples', {
      captureId: this.p.captureId,
      samples: this.samples.take((s) => ({ iface: 0, tsSec: s.tsSec, tsUsec: h.nanos ? Math.floor(s.tsFrac / 1000) : s.tsFrac, origLen: s.origLen, linkType: h.linkType, data: s.head.toString('base64') })),
    });
  }

  end(reason: EndReason, error: ErrorInfo | null = null): Promise<Ended> {
    if (!this.ending) this.ending = this.doEnd(reason, error);
    return this.ending;
  }

  private async doEnd(reason: EndReason, error: ErrorInfo | null): Promise<Ended> {
    this.state = 'stopping';
    for (const t of this.timers) clearInterval(t);
    if (this.goneTimer) clearTimeout(this.goneTimer);
    await this.source?.stop(2000);
    // Everything tcpdump wrote, then whole records only.
    this.tail(true);
    let finalReason = reason;
    if (this.fd !== null) {
      let size = 0;
      try {
        size = fstatSync(this.fd).size;
      } catch {
        /* keep 0: nothing to cut */
      }
      const cut = this.cutAt ?? this.boundary;
      if (size > cut) {
        try {
          ftruncateSync(this.fd, cut);
        } catch {
          /* best effort */
        }
        // A partial record at the end that no limit explains: the write was cut short.
        if (this.cutAt === null && !this.diskFull && reason !== 'error') {
          finalReason = 'disk-full';
          error = { code: 'DISK_FULL', message: `no space left for ${this.file} (tcpdump's last packet was cut short)` };
        }
      }
      if (this.limit) finalReason = this.limit;
    }
    this.closeFd();
    this.state = 'ended';
    const dropped = this.source?.dropped ?? 0;
    const ended: Ended = { captureId: this.p.captureId, reason: finalReason, error, packets: this.packets, bytes: this.bytes, dropped, files: [this.file] };
    this.emit('captureStats', this.stats());
    this.emit('captureEnded', ended);
    this.samples = null;
    this.source?.parser.dispose();
    return ended;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = null;
  }
}
